// A job's identity: BLAKE2b-128 (RFC 7693, digest length 16) of its batch
// name, prompt id, rendered prompt, model and repeat index, each field
// preceded by its length as 8 little-endian bytes (the repeat index as its
// decimal text). Length prefixes keep ("ab","c") and ("a","bc") apart.
// Stored in jobs.content_key; stable across versions, so it must not change.
// Private to the store module.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gridbatch::store {

using ContentKey = std::array<std::uint8_t, 16>;

// Incremental BLAKE2b with a 16-byte digest, unkeyed. Allocates nothing.
class Blake2b128 {
 public:
  Blake2b128();
  void Update(const void* data, std::size_t size);
  ContentKey Final();

 private:
  void Compress(bool last);
  std::uint64_t h_[8];
  std::uint64_t t_[2] = {0, 0};
  std::uint8_t buffer_[128] = {};
  std::size_t filled_ = 0;
};

ContentKey MakeContentKey(std::string_view batch, std::string_view prompt_id,
                          std::string_view prompt, std::string_view model, int repeat_index);

}  // namespace gridbatch::store
