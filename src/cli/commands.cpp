#include "command.hpp"

namespace gridbatch::cli {

// One line per subcommand; each is defined in <name>_command.cpp.

void AddExportCommand(CLI::App&, CommandContext&);

void AddCommands(CLI::App& app, CommandContext& context) {
  AddExportCommand(app, context);
}

}  // namespace gridbatch::cli
