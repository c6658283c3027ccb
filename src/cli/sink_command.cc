#include "cli/commands.h"

namespace ticklake::cli {
void add_sink_command(CLI::App& app) { (void)app; }
} // namespace ticklake::cli
