#include "command.hpp"

namespace gridbatch::cli {

// One line per subcommand; each is defined in <name>_command.cpp.

void AddExportCommand(CLI::App&, CommandContext&);
void AddLoadCommand(CLI::App&, CommandContext&);
void AddStatusCommand(CLI::App&, CommandContext&);
void AddRetryCommand(CLI::App&, CommandContext&);
void AddCancelCommand(CLI::App&, CommandContext&);
void AddRunCommand(CLI::App&, CommandContext&);
void AddCheckCommand(CLI::App&, CommandContext&);

void AddCommands(CLI::App& app, CommandContext& context) {
  AddLoadCommand(app, context);
  AddRunCommand(app, context);
  AddCheckCommand(app, context);
  AddStatusCommand(app, context);
  AddExportCommand(app, context);
  AddRetryCommand(app, context);
  AddCancelCommand(app, context);
}

}  // namespace gridbatch::cli
