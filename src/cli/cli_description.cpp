#include "cli_description.hpp"

#include <algorithm>
#include <cctype>

namespace gridbatch::cli {
namespace {

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// CLI11 shows an IsMember check as "{a,b,c}" in the option's type name.
std::vector<std::string> ChoicesIn(const std::string& type_name) {
  std::vector<std::string> choices;
  const auto open = type_name.find('{');
  const auto close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return choices;
  const std::string list = type_name.substr(open + 1, close - open - 1);
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto comma = std::min(list.find(',', start), list.size());
    if (comma > start) choices.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return choices;
}

bool NamesAFile(const std::string& word) {
  const std::string upper = Upper(word);
  for (const char* mark : {"FILE", "MANIFEST", "PATH", "DIR"}) {
    if (upper.find(mark) != std::string::npos) return true;
  }
  return false;
}

OptionDescription Describe(const CLI::Option& option) {
  OptionDescription out;
  for (const auto& name : option.get_snames()) out.names.push_back("-" + name);
  for (const auto& name : option.get_lnames()) out.names.push_back("--" + name);
  out.help = Summary(option.get_description());
  if (option.get_items_expected_max() == 0) return out;  // a flag

  const std::string type_name = option.get_type_name();
  out.value_name = type_name.substr(0, type_name.find(':'));
  out.choices = ChoicesIn(type_name);
  out.repeatable = option.get_items_expected_max() > 1;
  const std::string own_name =
      option.get_lnames().empty() ? option.get_name(true, false) : option.get_lnames().front();
  if (out.value_name.empty() || out.value_name == "TEXT") out.value_name = Upper(own_name);
  if (!out.choices.empty()) {
    out.value = ValueKind::kChoice;
  } else if (NamesAFile(type_name) || (option.get_positional() && NamesAFile(own_name))) {
    out.value = ValueKind::kFile;
  } else {
    out.value = ValueKind::kOther;
  }
  return out;
}

}  // namespace

std::string Summary(const std::string& text) {
  std::string joined = text;
  std::replace(joined.begin(), joined.end(), '\n', ' ');
  std::string sentence = joined.substr(0, joined.find(". "));
  while (!sentence.empty() && (sentence.back() == ' ' || sentence.back() == '.')) {
    sentence.pop_back();
  }
  return sentence;
}

CommandDescription DescribeCommandLine(const CLI::App& app) {
  CommandDescription out;
  out.name = app.get_parent() ? app.get_name() : "";
  out.help = Summary(app.get_description());
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) continue;  // hidden
    OptionDescription described = Describe(*option);
    if (option->nonpositional()) {
      out.options.push_back(std::move(described));
    } else {
      out.positionals.push_back(std::move(described));
    }
  }
  for (const CLI::App* command :
       app.get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); })) {
    out.commands.push_back(DescribeCommandLine(*command));
  }
  return out;
}

}  // namespace gridbatch::cli
