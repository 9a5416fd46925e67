// Prompt templates: "Capital of {country}, in {lang}?" with {name}
// placeholders, and {{ and }} for literal braces. Parsed once, rendered for
// every job of a sweep or every line of a prompt file.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gridbatch::manifest {

class PromptTemplate {
 public:
  // Returns nullopt and sets `error` when `text` is malformed: an unclosed
  // '{', a lone '}', an empty placeholder or one that is not a name.
  static std::optional<PromptTemplate> Parse(std::string_view text, std::string& error);

  // The distinct placeholder names, in order of first use.
  const std::vector<std::string>& names() const { return names_; }
  bool Uses(std::string_view name) const;

  // Writes the rendered text into `out` (replacing its content);
  // `values[i]` is the value of names()[i].
  void Render(std::span<const std::string_view> values, std::string& out) const;

  // The size Render makes when names()[i] takes a value of `sizes[i]` bytes:
  // with each variable's longest value, the longest prompt of a sweep.
  std::size_t RenderedSize(std::span<const std::size_t> sizes) const;

 private:
  struct Part {
    std::string literal;       // text before the placeholder
    std::size_t name = kNone;  // index into names_, or kNone for trailing text
  };
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  std::vector<Part> parts_;
  std::vector<std::string> names_;
};

// Whether `name` can be a variable: ASCII letters, digits and '_', not
// starting with a digit.
bool IsVariableName(std::string_view name);

}  // namespace gridbatch::manifest
