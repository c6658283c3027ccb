#include "format/table_buffer.h"
