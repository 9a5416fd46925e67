#include "command.hpp"

namespace gridbatch::cli {

// One line per subcommand; each is defined in <name>_command.cpp.

void AddCommands(CLI::App& app, CommandContext& context) {
  (void)app;
  (void)context;
}

}  // namespace gridbatch::cli
