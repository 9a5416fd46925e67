// UTF-8 checks shared by the manifest (reject invalid input) and the
// exporters (replace invalid bytes in outputs, never crash).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gridbatch {

// Returns the byte offset of the first invalid UTF-8 sequence, or nullopt if
// `text` is valid UTF-8 (overlongs, surrogates and values past U+10FFFF are
// invalid).
std::optional<std::size_t> FindInvalidUtf8(std::string_view text);

// Returns `text` with each invalid sequence replaced by U+FFFD.
std::string SanitizeUtf8(std::string_view text);

}  // namespace gridbatch
