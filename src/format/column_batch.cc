#include "format/column_batch.h"
