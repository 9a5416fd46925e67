// JSON string escaping, the one copy every module writing JSON by hand
// shares (the JSONL exporter, the loader's sweep variables, the progress
// reporter's events). Quotes, backslashes and control characters are
// escaped; everything else, UTF-8 included, is copied as it is: callers that
// cannot vouch for valid UTF-8 sanitize first (SanitizeUtf8).
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace gridbatch {

namespace json_escape_detail {
constexpr std::array<bool, 256> MakeTable() {
  std::array<bool, 256> table{};
  for (std::size_t c = 0; c < 0x20; ++c) table[c] = true;
  table[static_cast<unsigned char>('"')] = true;
  table[static_cast<unsigned char>('\\')] = true;
  return table;
}
}  // namespace json_escape_detail

// Whether byte `c` needs an escape inside a JSON string.
inline constexpr std::array<bool, 256> kJsonNeedsEscape = json_escape_detail::MakeTable();

// The escape of a byte for which kJsonNeedsEscape is true ("\\n", "\\u001f"),
// written into `buffer`.
std::string_view JsonEscapeOf(unsigned char c, char (&buffer)[6]);

// Appends `text` to `out` as a quoted JSON string.
void AppendJsonString(std::string& out, std::string_view text);

// `text` as a quoted JSON string.
std::string JsonString(std::string_view text);

}  // namespace gridbatch
