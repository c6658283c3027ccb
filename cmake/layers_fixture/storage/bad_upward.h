// A storage file that reaches up into the sink: the check must refuse it.
#include "sink/sink_thing.h"
