// Where a YAML syntax error really is. yaml-cpp reports an error where it
// noticed it, which for an unclosed '[' or '{' is lines later, and calls a
// tab in the indentation "illegal block entry". Given the text and the
// offset yaml-cpp reported, these find the cause. Private to the module.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gridbatch::manifest {

struct YamlErrorHint {
  std::size_t offset = 0;  // where the cause is
  std::string message;     // what it is, without the "YAML syntax error: " prefix
};

// The first tab in the indentation of a line up to the one holding
// `error_offset` ("a tab in the indentation (YAML indents with spaces
// only)"), else the innermost '[' or '{' still open at `error_offset`, when
// it opened on an earlier line ("'[' is never closed"); else nullopt.
std::optional<YamlErrorHint> FindYamlErrorCause(std::string_view text, std::size_t error_offset);

}  // namespace gridbatch::manifest
