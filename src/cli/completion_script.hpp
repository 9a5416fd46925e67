// Shell completions for gridbatch, written from the command line's own
// description (cli_description.hpp), and the hidden flags the build uses to
// write them and the man pages: `gridbatch --completion bash|zsh` prints a
// completion script, `gridbatch --list-commands` prints "NAME<TAB>HELP" per
// command. Because they read the CLI11 app, a command or option added later
// is completed without anyone editing a script.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>

#include "cli_description.hpp"

namespace gridbatch::cli {

// A bash completion script for `program`: `complete -F _PROGRAM PROGRAM`,
// completing commands, each command's options, option values with fixed
// choices, and file names where a file is expected. Needs no other package
// (bash-completion's helpers are not used).
void WriteBashCompletion(const CommandDescription& root, const std::string& program,
                         std::ostream& out);

// A zsh completion script for `program` (a `#compdef` file for fpath, such
// as /usr/share/zsh/vendor-completions/_PROGRAM), using _arguments.
void WriteZshCompletion(const CommandDescription& root, const std::string& program,
                        std::ostream& out);

// One line per visible command: its name, a tab, its help's first line.
void WriteCommandList(const CommandDescription& root, std::ostream& out);

// Adds the hidden --completion SHELL and --list-commands flags to `app`;
// each prints to stdout and ends the parse with CLI::Success. They describe
// `app` as it is when the command line is parsed, so they may be added first.
void AddCompletionFlags(CLI::App& app, const std::string& program);

}  // namespace gridbatch::cli
