#include "yaml_error_hint.hpp"

#include <vector>

namespace gridbatch::manifest {
namespace {

std::size_t LineStart(std::string_view text, std::size_t offset) {
  const std::size_t newline = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  return offset == 0 || newline == std::string_view::npos ? 0 : newline + 1;
}

std::optional<std::size_t> TabInIndentation(std::string_view text, std::size_t error_offset) {
  const std::size_t last_line = LineStart(text, std::min(error_offset, text.size()));
  for (std::size_t start = 0; start <= last_line && start < text.size();) {
    std::size_t i = start;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
      if (text[i] == '\t') {
        // A line of only blanks is not indentation.
        const std::size_t end = text.find('\n', i);
        const std::string_view rest = text.substr(i, end == std::string_view::npos ? end : end - i);
        if (rest.find_first_not_of(" \t\r") != std::string_view::npos) return i;
        break;
      }
      ++i;
    }
    const std::size_t newline = text.find('\n', start);
    if (newline == std::string_view::npos) break;
    start = newline + 1;
  }
  return std::nullopt;
}

// Whether a token may start at `i`: at a line's first non-blank, or after a
// blank or a flow indicator. Inside a plain scalar ("a[0]", "What's") it may not.
bool TokenStart(std::string_view text, std::size_t i) {
  if (i == 0) return true;
  const char before = text[i - 1];
  return before == ' ' || before == '\t' || before == '\n' || before == '[' || before == '{' ||
         before == ',';
}

// The '[' and '{' still open at `end`, outermost first.
std::vector<std::size_t> OpenFlows(std::string_view text, std::size_t end) {
  std::vector<std::size_t> open;
  for (std::size_t i = 0; i < end && i < text.size(); ++i) {
    const char c = text[i];
    if (c == '#' && TokenStart(text, i)) {
      i = std::min(text.find('\n', i), text.size());
    } else if ((c == '"' || c == '\'') && TokenStart(text, i)) {
      for (++i; i < text.size() && text[i] != c; ++i) {
        if (c == '"' && text[i] == '\\') ++i;
      }
      // '' inside single quotes is an escaped quote: the loop above stops
      // at the first and picks up again at the second.
    } else if ((c == '[' || c == '{') && (!open.empty() || TokenStart(text, i))) {
      open.push_back(i);
    } else if ((c == ']' || c == '}') && !open.empty()) {
      open.pop_back();
    }
  }
  return open;
}

}  // namespace

std::optional<YamlErrorHint> FindYamlErrorCause(std::string_view text, std::size_t error_offset) {
  if (const auto tab = TabInIndentation(text, error_offset)) {
    return YamlErrorHint{*tab, "a tab in the indentation (YAML indents with spaces only)"};
  }
  const std::vector<std::size_t> open = OpenFlows(text, error_offset);
  if (!open.empty() && LineStart(text, open.back()) < LineStart(text, error_offset)) {
    return YamlErrorHint{open.back(),
                         "'" + std::string(1, text[open.back()]) + "' is never closed"};
  }
  return std::nullopt;
}

}  // namespace gridbatch::manifest
