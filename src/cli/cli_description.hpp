// What a shell completion or a man page needs to know of the command line,
// read from the CLI11 app itself so that nothing written by hand can fall
// behind when a command or an option is added: the commands, their options,
// which options take a value, the choices of a value and whether it names a
// file. Hidden commands and options (CLI11 group "") are left out.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace gridbatch::cli {

// What a value is, as far as completing it goes.
enum class ValueKind {
  kNone,    // a flag: no value
  kFile,    // a path (FILE, MANIFEST, PATH, DIR)
  kChoice,  // one of `choices`
  kOther,   // free text: a number, a name, a time
};

struct OptionDescription {
  std::vector<std::string> names;  // "-o", "--output"; empty for a positional
  std::string value_name;          // "FILE", "FORMAT"...; empty for a flag
  ValueKind value = ValueKind::kNone;
  std::vector<std::string> choices;  // for kChoice
  bool repeatable = false;           // may be given more than once
  std::string help;                  // the description's first sentence
};

struct CommandDescription {
  std::string name;  // "load"; empty for the program itself
  std::string help;  // the description's first sentence
  std::vector<OptionDescription> options;
  std::vector<OptionDescription> positionals;
  std::vector<CommandDescription> commands;  // subcommands, in the order added
};

// Describes `app` and its visible subcommands, recursively. `app` must be
// fully set up (every command and option added).
CommandDescription DescribeCommandLine(const CLI::App& app);

// The first sentence of `text` (up to ". " or the end) on one line, without
// trailing spaces or a final '.'.
std::string Summary(const std::string& text);

}  // namespace gridbatch::cli
