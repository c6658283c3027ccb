#include "cli/commands.h"

namespace ticklake::cli {
void add_produce_command(CLI::App& app) { (void)app; }
} // namespace ticklake::cli
