#include "command_line.hpp"

#include <algorithm>
#include <string_view>

#include "command.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/util/suggestion.hpp"

namespace gridbatch::cli {
namespace {

constexpr std::string_view kHelpCommand = "help";
// Handled by CLI11 itself when they come before the command.
constexpr std::string_view kProgramFlags[] = {"-h", "--help", "-V", "--version"};

bool IsOption(std::string_view arg) {
  return arg.size() > 1 && arg[0] == '-';
}

// "--db=x" -> "--db".
std::string_view OptionName(std::string_view arg) {
  return arg.substr(0, arg.find('='));
}

// "; did you mean 'load'?" when a known word is close, else "; see 'HELP'".
std::string Suggestion(std::string_view word, const std::vector<std::string>& known,
                       const std::string& help) {
  const std::vector<std::string_view> candidates(known.begin(), known.end());
  const auto closest = SuggestClosest(word, candidates);
  return closest ? "; did you mean '" + std::string(*closest) + "'?" : "; see '" + help + "'";
}

std::vector<std::string> CommandNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(command->get_name());
  }
  names.emplace_back(kHelpCommand);
  return names;
}

bool Contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

[[noreturn]] void ThrowUnknownCommand(const std::string& name,
                                      const std::vector<std::string>& known) {
  throw Error(kExitUsage,
              "unknown command '" + name + "'" + Suggestion(name, known, "gridbatch help"));
}

[[noreturn]] void ThrowUnknownGlobalOption(std::string_view option) {
  std::vector<std::string> known = {std::string(kDbOption)};
  for (const std::string_view flag : kCommonFlags) known.emplace_back(flag);
  for (const std::string_view flag : kProgramFlags) known.emplace_back(flag);
  throw Error(kExitUsage, "unknown option '" + std::string(option) + "'" +
                              Suggestion(option, known, "gridbatch help"));
}

std::string CommandList(const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
  return list;
}

}  // namespace

CommandLine ArrangeCommandLine(const CLI::App& app, std::vector<std::string> args) {
  const std::vector<std::string> commands = CommandNames(app);
  std::vector<std::string> common;
  std::size_t i = 0;
  for (; i < args.size() && IsOption(args[i]); ++i) {
    const std::string_view name = OptionName(args[i]);
    const bool flag =
        std::find(std::begin(kCommonFlags), std::end(kCommonFlags), name) != std::end(kCommonFlags);
    const bool program = std::find(std::begin(kProgramFlags), std::end(kProgramFlags), name) !=
                         std::end(kProgramFlags);
    // The build's hidden flags (completion scripts, the command list for the
    // man pages) go to CLI11 as they are, like the help and the version.
    const bool hidden = name == "--completion" || name == "--list-commands";
    if (program || hidden) return {.args = args};  // CLI11 prints the help or the version
    if (name == kDbOption) {
      common.push_back(args[i]);
      if (args[i] == kDbOption) {
        if (i + 1 == args.size()) throw Error(kExitUsage, "--db needs a FILE");
        common.push_back(args[++i]);
      }
    } else if (flag) {
      common.push_back(args[i]);
    } else {
      ThrowUnknownGlobalOption(name);
    }
  }
  if (i == args.size()) {
    throw Error(kExitUsage, "a command is required (one of " + CommandList(commands) +
                                "); see 'gridbatch help'");
  }
  const std::string& name = args[i];
  if (!Contains(commands, name)) ThrowUnknownCommand(name, commands);
  if (name == kHelpCommand) {
    if (i + 2 < args.size()) throw Error(kExitUsage, "help takes at most one COMMAND");
    if (i + 1 == args.size()) return {.help_for = std::string()};
    const std::string& topic = args[i + 1];
    if (topic == kHelpCommand || !Contains(commands, topic)) ThrowUnknownCommand(topic, commands);
    return {.help_for = topic};
  }
  CommandLine line;
  line.args.push_back(name);
  line.args.insert(line.args.end(), common.begin(), common.end());
  line.args.insert(line.args.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
  return line;
}

std::string ExtrasMessage(const CLI::App& command, const std::vector<std::string>& extras) {
  const std::string& name = command.get_name();
  for (const std::string& extra : extras) {
    if (!IsOption(extra)) continue;
    const std::string_view option = OptionName(extra);
    std::vector<std::string> known;
    for (const CLI::Option* o : command.get_options()) {
      for (const std::string& l : o->get_lnames()) known.push_back("--" + l);
      for (const std::string& s : o->get_snames()) known.push_back("-" + s);
    }
    return "unknown option '" + std::string(option) + "' for '" + name + "'" +
           Suggestion(option, known, "gridbatch help " + name);
  }
  return "unexpected argument '" + (extras.empty() ? std::string() : extras.front()) + "' for '" +
         name + "'; see 'gridbatch help " + name + "'";
}

}  // namespace gridbatch::cli
