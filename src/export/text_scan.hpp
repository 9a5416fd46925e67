// Byte scans on the writers' hot path.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "gridbatch/util/utf8.hpp"

namespace gridbatch::exporter {

// True if `text` is valid UTF-8. Checks eight bytes at a time for the common
// all-ASCII case before the full check in src/util.
inline bool IsValidUtf8(std::string_view text) {
  constexpr std::uint64_t kHighBits = 0x8080808080808080ull;
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, sizeof word);
    if ((word & kHighBits) != 0) {
      return !FindInvalidUtf8(text.substr(i));
    }
  }
  for (; i < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) >= 0x80) {
      return !FindInvalidUtf8(text.substr(i));
    }
  }
  return true;
}

}  // namespace gridbatch::exporter
