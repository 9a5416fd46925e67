#include "stable_hash.hpp"

#include <cstring>

namespace gridbatch::manifest {

StableHash& StableHash::Add(std::string_view field) {
  std::uint64_t size = field.size();
  char prefix[8];
  for (char& byte : prefix) {
    byte = static_cast<char>(size & 0xff);
    size >>= 8;
  }
  AddBytes(std::string_view(prefix, sizeof prefix));
  AddBytes(field);
  return *this;
}

void StableHash::AddBytes(std::string_view bytes) {
  std::uint64_t h = state_;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  state_ = h;
}

std::uint64_t StableHash::Value() const {
  // FNV-1a alone mixes its last bytes poorly; SplitMix64's finalizer fixes that.
  std::uint64_t x = state_;
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

namespace {

std::uint64_t Mix(std::uint64_t x) {
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ull;
  x ^= x >> 32;
  return x;
}

}  // namespace

ChangeHash& ChangeHash::Add(std::string_view field) {
  // The length first, so that fields split differently hash differently.
  std::uint64_t h = Mix(state_ ^ (field.size() * 0x9e3779b97f4a7c15ull));
  std::size_t i = 0;
  for (; i + 8 <= field.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, field.data() + i, 8);
    h = Mix(h ^ word) * 0x9e3779b97f4a7c15ull;
  }
  std::uint64_t tail = 0;
  if (i < field.size()) std::memcpy(&tail, field.data() + i, field.size() - i);
  state_ = Mix(h ^ tail);
  return *this;
}

std::uint64_t HashText(std::string_view text) {
  return StableHash().Add(text).Value();
}

std::string HexDigits(std::uint64_t value, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int i = 0; i < digits; ++i) {
    const int shift = 60 - 4 * i;
    out[static_cast<std::size_t>(i)] = kHex[(value >> shift) & 0xf];
  }
  return out;
}

}  // namespace gridbatch::manifest
