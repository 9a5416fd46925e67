// Each subcommand lives in its own file and registers itself on the CLI11 app
// through one Add*Command function, listed in commands.cpp.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace gridbatch::cli {

// What a subcommand's callback reports back to main.
struct CommandContext {
  int exit_code = 0;
};

// Adds `--db FILE` (default gridbatch.db) to `command`.
inline CLI::Option* AddDbOption(CLI::App* command, std::string& db) {
  db = "gridbatch.db";
  return command->add_option("--db", db, "SQLite database file")
      ->capture_default_str()
      ->type_name("FILE");
}

void AddCommands(CLI::App& app, CommandContext& context);

// Runs the command line; returns the process exit code.
int Main(int argc, char** argv);

}  // namespace gridbatch::cli
