// What happens to argv before and after CLI11 parses it: the common options
// may come before the command name, `help [COMMAND]` is a command, and an
// unknown command or option is named with the nearest known one.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace gridbatch::cli {

struct CommandLine {
  // The arguments for CLI11, in order: the common options given before the
  // command name are moved to just after it.
  std::vector<std::string> args;
  // Set for `gridbatch help [COMMAND]`: the command whose help to print
  // (empty: the program's).
  std::optional<std::string> help_for;
};

// Throws gridbatch::Error(kExitUsage) for an unknown command ("unknown
// command 'lod'; did you mean 'load'?"), an unknown option before the command,
// or no command at all. `-h`, `--help`, `-V` and `--version` before the
// command are left for CLI11.
CommandLine ArrangeCommandLine(const CLI::App& app, std::vector<std::string> args);

// "unknown option '--fromat' for 'export'; did you mean '--format'?" or
// "unexpected argument 'x' for 'status'", for the arguments CLI11 left over.
std::string ExtrasMessage(const CLI::App& command, const std::vector<std::string>& extras);

}  // namespace gridbatch::cli
