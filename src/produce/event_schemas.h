// The text of ticklake's event schemas, schemas/*.avsc and schemas/events.proto, compiled in by
// CMake (src/produce/CMakeLists.txt) so the files in the repository are the one copy.
#pragma once

namespace ticklake::event_schemas {

extern const char kTradeAvsc[];
extern const char kQuoteAvsc[];
extern const char kBarAvsc[];
extern const char kRecordAvsc[];
extern const char kEventsProto[];

} // namespace ticklake::event_schemas
