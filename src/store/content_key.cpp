#include "content_key.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace gridbatch::store {
namespace {

constexpr std::uint64_t kIv[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

constexpr std::uint8_t kSigma[12][16] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
                                         {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
                                         {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
                                         {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
                                         {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
                                         {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
                                         {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
                                         {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
                                         {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
                                         {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
                                         {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
                                         {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

constexpr std::size_t kDigestSize = 16;

inline std::uint64_t Rotr(std::uint64_t x, int n) {
  return (x >> n) | (x << (64 - n));
}

inline std::uint64_t Load64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

inline void Mix(std::uint64_t* v, int a, int b, int c, int d, std::uint64_t x, std::uint64_t y) {
  v[a] = v[a] + v[b] + x;
  v[d] = Rotr(v[d] ^ v[a], 32);
  v[c] = v[c] + v[d];
  v[b] = Rotr(v[b] ^ v[c], 24);
  v[a] = v[a] + v[b] + y;
  v[d] = Rotr(v[d] ^ v[a], 16);
  v[c] = v[c] + v[d];
  v[b] = Rotr(v[b] ^ v[c], 63);
}

void UpdateLength(Blake2b128& hash, std::size_t size) {
  std::uint8_t prefix[8];
  auto n = static_cast<std::uint64_t>(size);
  for (auto& byte : prefix) {
    byte = static_cast<std::uint8_t>(n & 0xff);
    n >>= 8;
  }
  hash.Update(prefix, sizeof prefix);
}

void UpdateField(Blake2b128& hash, std::string_view field) {
  UpdateLength(hash, field.size());
  hash.Update(field.data(), field.size());
}

}  // namespace

Blake2b128::Blake2b128() {
  std::memcpy(h_, kIv, sizeof h_);
  // Parameter block: digest length 16, no key, fanout 1, depth 1.
  h_[0] ^= 0x01010000ULL ^ kDigestSize;
}

void Blake2b128::Compress(bool last) {
  std::uint64_t m[16];
  for (std::size_t i = 0; i < 16; ++i) m[i] = Load64(buffer_ + 8 * i);
  std::uint64_t v[16];
  for (int i = 0; i < 8; ++i) {
    v[i] = h_[i];
    v[i + 8] = kIv[i];
  }
  v[12] ^= t_[0];
  v[13] ^= t_[1];
  if (last) v[14] = ~v[14];
  for (const auto& s : kSigma) {
    Mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
    Mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
    Mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
    Mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
    Mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
    Mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
    Mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
    Mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
  }
  for (int i = 0; i < 8; ++i) h_[i] ^= v[i] ^ v[i + 8];
}

void Blake2b128::Update(const void* data, std::size_t size) {
  const auto* in = static_cast<const std::uint8_t*>(data);
  while (size > 0) {
    // The last block must be compressed with the final flag, so a full
    // buffer is only compressed once more input arrives.
    if (filled_ == sizeof buffer_) {
      t_[0] += sizeof buffer_;
      if (t_[0] < sizeof buffer_) ++t_[1];
      Compress(false);
      filled_ = 0;
    }
    const std::size_t take = std::min(size, sizeof buffer_ - filled_);
    std::memcpy(buffer_ + filled_, in, take);
    filled_ += take;
    in += take;
    size -= take;
  }
}

ContentKey Blake2b128::Final() {
  t_[0] += filled_;
  if (t_[0] < filled_) ++t_[1];
  std::memset(buffer_ + filled_, 0, sizeof buffer_ - filled_);
  Compress(true);
  ContentKey key;
  for (std::size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<std::uint8_t>(h_[i / 8] >> (8 * (i % 8)));
  }
  return key;
}

ContentKey MakeContentKey(std::string_view batch, std::string_view prompt_id,
                          std::string_view prompt, std::string_view model, int repeat_index) {
  Blake2b128 hash;
  UpdateField(hash, batch);
  UpdateField(hash, prompt_id);
  UpdateField(hash, prompt);
  UpdateField(hash, model);
  char digits[16];
  const auto end = std::to_chars(digits, digits + sizeof digits, repeat_index).ptr;
  UpdateField(hash, std::string_view(digits, static_cast<std::size_t>(end - digits)));
  return hash.Final();
}

}  // namespace gridbatch::store
