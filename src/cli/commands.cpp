#include "command.hpp"

namespace gridbatch::cli {

// One line per subcommand; each is defined in <name>_command.cpp.

void AddExportCommand(CLI::App&, CommandContext&);
void AddReportCommand(CLI::App&, CommandContext&);
void AddLoadCommand(CLI::App&, CommandContext&);
void AddStatusCommand(CLI::App&, CommandContext&);
void AddRetryCommand(CLI::App&, CommandContext&);
void AddCancelCommand(CLI::App&, CommandContext&);
void AddRunCommand(CLI::App&, CommandContext&);
void AddShowCommand(CLI::App&, CommandContext&);
void AddPruneCommand(CLI::App&, CommandContext&);
void AddCheckCommand(CLI::App&, CommandContext&);

void AddCommands(CLI::App& app, CommandContext& context) {
  AddLoadCommand(app, context);
  AddRunCommand(app, context);
  AddCheckCommand(app, context);
  AddStatusCommand(app, context);
  AddShowCommand(app, context);
  AddExportCommand(app, context);
  AddReportCommand(app, context);
  AddRetryCommand(app, context);
  AddCancelCommand(app, context);
  AddPruneCommand(app, context);
}

}  // namespace gridbatch::cli
