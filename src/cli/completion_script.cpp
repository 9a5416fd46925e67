#include "completion_script.hpp"

#include <iostream>
#include <ostream>

namespace gridbatch::cli {
namespace {

// 'text' for a POSIX shell, whatever text holds.
std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string Joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

std::vector<std::string> OptionNames(const CommandDescription& command) {
  std::vector<std::string> names;
  for (const auto& option : command.options) {
    names.insert(names.end(), option.names.begin(), option.names.end());
  }
  return names;
}

bool TakesFiles(const CommandDescription& command) {
  for (const auto& positional : command.positionals) {
    if (positional.value == ValueKind::kFile) return true;
  }
  return false;
}

// The `case "$command $option"` arms that complete an option's value: one
// per option with choices, one for every option naming a file, one for the
// rest (free text: nothing to offer, and not the command names either).
void WriteBashValueArms(const CommandDescription& root, std::ostream& out) {
  std::vector<const CommandDescription*> commands{&root};
  for (const auto& command : root.commands) commands.push_back(&command);
  std::string files;
  std::string others;
  for (const CommandDescription* command : commands) {
    for (const auto& option : command->options) {
      if (option.value == ValueKind::kNone) continue;
      std::string patterns;
      for (const auto& name : option.names) {
        patterns += (patterns.empty() ? "" : "|") + Quoted(command->name + " " + name);
      }
      if (option.value == ValueKind::kChoice) {
        out << "    " << patterns << ")\n      __gridbatch_words " << Quoted(Joined(option.choices))
            << "\n      return ;;\n";
      } else {
        std::string& arm = option.value == ValueKind::kFile ? files : others;
        arm += (arm.empty() ? "" : "|\\\n    ") + patterns;
      }
    }
  }
  if (!files.empty()) out << "    " << files << ")\n      __gridbatch_files\n      return ;;\n";
  if (!others.empty()) out << "    " << others << ")\n      return ;;\n";
}

// The command is the first word that is neither an option nor the value of
// one of the program's own options (`gridbatch --db FILE run`).
void WriteBashCommandScan(const CommandDescription& root, std::ostream& out) {
  std::string patterns;
  for (const auto& option : root.options) {
    if (option.value == ValueKind::kNone) continue;
    for (const auto& name : option.names) patterns += (patterns.empty() ? "" : "|") + name;
  }
  out << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      << "    case ${COMP_WORDS[i]} in\n";
  if (!patterns.empty()) {
    out << "      " << patterns << ")\n"
        << "        [ \"${COMP_WORDS[i + 1]:-}\" = \"=\" ] && ((i++))\n"
        << "        ((i++)) ;;\n";
  }
  out << "      -*) ;;\n"
      << "      *)\n"
      << "        command=${COMP_WORDS[i]}\n"
      << "        break ;;\n"
      << "    esac\n"
      << "  done\n";
}

// In an _arguments spec's [help], ']' and '\' need a backslash.
std::string ZshHelp(const std::string& help) {
  std::string out;
  for (const char c : help) {
    if (c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string ZshAction(const OptionDescription& option) {
  switch (option.value) {
    case ValueKind::kFile:
      return "_files";
    case ValueKind::kChoice:
      return "(" + Joined(option.choices) + ")";
    default:
      return " ";
  }
}

// '(-o --output)'{-o,--output}'[help]:FILE:_files', or '*--batch[help]:NAME: '
// for an option that may be repeated.
std::string ZshOptionSpec(const OptionDescription& option) {
  std::string spec;
  if (option.repeatable) {
    spec = "'*'";
  } else if (option.names.size() > 1) {
    spec = Quoted("(" + Joined(option.names) + ")");
  }
  if (option.names.size() > 1) {
    std::string names;
    for (const auto& name : option.names) names += (names.empty() ? "" : ",") + name;
    spec += "{" + names + "}";
  } else {
    spec += option.names.front();
  }
  std::string rest = "[" + ZshHelp(option.help) + "]";
  if (option.value != ValueKind::kNone) rest += ":" + option.value_name + ":" + ZshAction(option);
  return spec + Quoted(rest);
}

void WriteZshArguments(const CommandDescription& command, const std::string& indent,
                       std::ostream& out) {
  for (const auto& option : command.options) {
    out << indent << ZshOptionSpec(option) << " \\\n";
  }
  int position = 1;
  for (const auto& positional : command.positionals) {
    const std::string where = positional.repeatable ? "*" : std::to_string(position++);
    out << indent << Quoted(where + ":" + positional.value_name + ":" + ZshAction(positional))
        << " \\\n";
  }
}

}  // namespace

void WriteBashCompletion(const CommandDescription& root, const std::string& program,
                         std::ostream& out) {
  std::vector<std::string> commands;
  for (const auto& command : root.commands) commands.push_back(command.name);
  out << "# bash completion for " << program << "\n"
      << "# Written by `" << program << " --completion bash` from its own command line.\n\n"
      << "__gridbatch_words() { mapfile -t COMPREPLY < <(compgen -W \"$1\" -- \"$cur\"); }\n"
      << "__gridbatch_files() {\n"
      << "  compopt -o filenames 2>/dev/null\n"
      << "  mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
      << "}\n\n"
      << "_gridbatch() {\n"
      << "  local cur=${COMP_WORDS[COMP_CWORD]} prev=\"\" command=\"\" i\n"
      << "  COMPREPLY=()\n"
      << "  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
      << "  # COMP_WORDBREAKS splits --name=value into --name, =, value.\n"
      << "  local option=$prev\n"
      << "  if [ \"$cur\" = \"=\" ]; then\n"
      << "    cur=\"\"\n"
      << "  elif [ \"$prev\" = \"=\" ] && ((COMP_CWORD > 1)); then\n"
      << "    option=${COMP_WORDS[COMP_CWORD - 2]}\n"
      << "  fi\n";
  WriteBashCommandScan(root, out);
  out << "\n  case \"$command $option\" in\n";
  WriteBashValueArms(root, out);
  out << "  esac\n\n"
      << "  local options files=0\n"
      << "  case $command in\n"
      << "    \"\") options=" << Quoted(Joined(OptionNames(root))) << " ;;\n";
  for (const auto& command : root.commands) {
    out << "    " << Quoted(command.name) << ") options=" << Quoted(Joined(OptionNames(command)))
        << (TakesFiles(command) ? "; files=1" : "") << " ;;\n";
  }
  out << "    *) return ;;\n"
      << "  esac\n"
      << "  if [[ $cur == -* ]]; then\n"
      << "    __gridbatch_words \"$options\"\n"
      << "  elif [ -z \"$command\" ]; then\n"
      << "    __gridbatch_words " << Quoted(Joined(commands)) << "\n"
      << "  elif ((files)); then\n"
      << "    __gridbatch_files\n"
      << "  fi\n"
      << "}\n\n"
      << "complete -F _gridbatch " << program << "\n";
}

void WriteZshCompletion(const CommandDescription& root, const std::string& program,
                        std::ostream& out) {
  out << "#compdef " << program << "\n"
      << "# zsh completion for " << program << "\n"
      << "# Written by `" << program << " --completion zsh` from its own command line.\n\n"
      << "_gridbatch() {\n"
      << "  local curcontext=$curcontext state line ret=1\n"
      << "  typeset -A opt_args\n"
      << "  _arguments -C \\\n";
  WriteZshArguments(root, "    ", out);
  out << "    '1: :->command' \\\n"
      << "    '*:: :->argument' && ret=0\n"
      << "  case $state in\n"
      << "    command)\n"
      << "      local -a commands=(\n";
  for (const auto& command : root.commands) {
    out << "        " << Quoted(command.name + ":" + command.help) << "\n";
  }
  out << "      )\n"
      << "      _describe -t commands " << Quoted(program + " command") << " commands && ret=0\n"
      << "      ;;\n"
      << "    argument)\n"
      << "      curcontext=${curcontext%:*:*}:" << program << "-$words[1]:\n"
      << "      case $words[1] in\n";
  for (const auto& command : root.commands) {
    out << "        " << Quoted(command.name) << ")\n"
        << "          _arguments \\\n";
    WriteZshArguments(command, "            ", out);
    out << "            && ret=0\n"
        << "          ;;\n";
  }
  out << "      esac\n"
      << "      ;;\n"
      << "  esac\n"
      << "  return ret\n"
      << "}\n\n"
      << "_gridbatch \"$@\"\n";
}

void WriteCommandList(const CommandDescription& root, std::ostream& out) {
  for (const auto& command : root.commands) out << command.name << "\t" << command.help << "\n";
}

void AddCompletionFlags(CLI::App& app, const std::string& program) {
  app.add_option_function<std::string>(
         "--completion",
         [&app, program](const std::string& shell) {
           const CommandDescription root = DescribeCommandLine(app);
           if (shell == "bash") {
             WriteBashCompletion(root, program, std::cout);
           } else {
             WriteZshCompletion(root, program, std::cout);
           }
           throw CLI::Success();
         },
         "Print a completion script for SHELL")
      ->check(CLI::IsMember({"bash", "zsh"}))
      ->group("");
  app.add_flag_callback(
         "--list-commands",
         [&app] {
           WriteCommandList(DescribeCommandLine(app), std::cout);
           throw CLI::Success();
         },
         "Print each command's name and summary")
      ->group("");
}

}  // namespace gridbatch::cli
