// Each subcommand lives in its own file and registers itself on the CLI11 app
// through one Add*Command function, listed in commands.cpp.
//
// Output convention: stdout carries only data (status, export to -), stderr
// every message (what a command did, warnings, errors, progress), so that
// `gridbatch status --json | jq` and `gridbatch export -o - > f` stay clean.
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <string_view>

namespace gridbatch::cli {

// The options every command takes, before or after its name
// (`gridbatch --db x.db status` and `gridbatch status --db x.db`).
struct CommonOptions {
  std::string db = "gridbatch.db";
  bool quiet = false;    // no messages on stderr but errors and warnings
  bool verbose = false;  // more messages (run: every request's outcome)
};

// What a subcommand's callback shares with main.
struct CommandContext {
  CommonOptions common;
  int exit_code = 0;

  // A line for the user on stderr, unless --quiet.
  void Say(std::string_view message) const {
    if (!common.quiet) std::cerr << message << "\n";
  }
};

// The names of the common options, for moving them after the command name.
inline constexpr std::string_view kDbOption = "--db";
inline constexpr std::string_view kCommonFlags[] = {"-q", "--quiet", "-v", "--verbose"};

// Adds `--db FILE`, `-q,--quiet` and `-v,--verbose` to `command`, bound to
// context.common.
void AddCommonOptions(CLI::App* command, CommandContext& context);

void AddCommands(CLI::App& app, CommandContext& context);

// Runs the command line; returns the process exit code.
int Main(int argc, char** argv);

}  // namespace gridbatch::cli
