#include "prompt_template.hpp"

#include <algorithm>

#include "text_position.hpp"

namespace gridbatch::manifest {
namespace {

std::string At(std::string_view text, std::size_t offset) {
  return "at character " + std::to_string(ColumnOf(text, offset));
}

}  // namespace

bool IsVariableName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::optional<PromptTemplate> PromptTemplate::Parse(std::string_view text, std::string& error) {
  PromptTemplate result;
  std::string literal;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool doubled = i + 1 < text.size() && text[i + 1] == c;
    if ((c == '{' || c == '}') && doubled) {
      literal.push_back(c);
      ++i;
    } else if (c == '}') {
      error = "'}' " + At(text, i) + " has no matching '{' (write '}}' for a literal brace)";
      return std::nullopt;
    } else if (c == '{') {
      const std::size_t close = text.find('}', i + 1);
      const std::size_t open = text.find('{', i + 1);
      if (close == std::string_view::npos || open < close) {
        error = "'{' " + At(text, i) + " is not closed (write '{{' for a literal brace)";
        return std::nullopt;
      }
      const std::string_view name = text.substr(i + 1, close - i - 1);
      if (!IsVariableName(name)) {
        error = "placeholder '{" + std::string(name) + "}' " + At(text, i) +
                " is not a variable name (letters, digits and '_'; write '{{' for a literal brace)";
        return std::nullopt;
      }
      const auto known = std::find(result.names_.begin(), result.names_.end(), name);
      const auto index = static_cast<std::size_t>(known - result.names_.begin());
      if (known == result.names_.end()) result.names_.emplace_back(name);
      result.parts_.push_back({std::move(literal), index});
      literal.clear();
      i = close;
    } else {
      literal.push_back(c);
    }
  }
  if (!literal.empty()) result.parts_.push_back({std::move(literal), kNone});
  return result;
}

bool PromptTemplate::Uses(std::string_view name) const {
  return std::find(names_.begin(), names_.end(), name) != names_.end();
}

std::size_t PromptTemplate::RenderedSize(std::span<const std::size_t> sizes) const {
  std::size_t size = 0;
  for (const Part& part : parts_) {
    size += part.literal.size();
    if (part.name != kNone) size += sizes[part.name];
  }
  return size;
}

void PromptTemplate::Render(std::span<const std::string_view> values, std::string& out) const {
  out.clear();
  for (const Part& part : parts_) {
    out += part.literal;
    if (part.name != kNone) out += values[part.name];
  }
}

}  // namespace gridbatch::manifest
