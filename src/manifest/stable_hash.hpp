// A 64-bit hash whose value never changes between builds, machines or
// versions: generated prompt ids are derived from it, and an id that changed
// would make a re-load add every job again. Also used for duplicate-id
// detection. ChangeHash, below, notices a prompt file that changed after
// validation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gridbatch::manifest {

// FNV-1a over length-prefixed fields, finished with the SplitMix64 mixer.
// The length prefix keeps ("ab", "c") and ("a", "bc") apart.
class StableHash {
 public:
  StableHash& Add(std::string_view field);
  std::uint64_t Value() const;

 private:
  void AddBytes(std::string_view bytes);
  std::uint64_t state_ = 14695981039346656037ull;
};

// A hash of many fields, 8 bytes at a time, to notice that input read twice
// in one process changed in between (a prompt file between validation and
// load). Never stored and not the same across versions: StableHash is for
// values kept. FNV-1a there goes a byte at a time; this, a word.
class ChangeHash {
 public:
  ChangeHash& Add(std::string_view field);
  std::uint64_t Value() const { return state_; }

 private:
  std::uint64_t state_ = 0x243f6a8885a308d3ull;
};

// StableHash().Add(text).Value().
std::uint64_t HashText(std::string_view text);

// The first `digits` hex digits (lowercase) of `value`, most significant first.
std::string HexDigits(std::uint64_t value, int digits = 16);

}  // namespace gridbatch::manifest
