#include "format/record_writer.h"
