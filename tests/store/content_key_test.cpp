#include "content_key.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gridbatch::store {
namespace {

std::string Hex(const ContentKey& key) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (const auto byte : key) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0xf]);
  }
  return hex;
}

std::string HashOf(const std::string& data) {
  Blake2b128 hash;
  hash.Update(data.data(), data.size());
  return Hex(hash.Final());
}

// Expected values: Python's hashlib.blake2b(data, digest_size=16).
TEST(ContentKeyTest, Blake2b128MatchesTheReferenceForShortAndBlockSizedInputs) {
  EXPECT_EQ(HashOf(""), "cae66941d9efbd404e4d88758ea67670");
  EXPECT_EQ(HashOf("abc"), "cf4ab791c62b8d2b2109c90275287816");
  std::string block;
  for (int i = 0; i < 128; ++i) block.push_back(static_cast<char>(i));
  EXPECT_EQ(HashOf(block), "a74787004ef589e31149183900d0294a");
}

TEST(ContentKeyTest, Blake2b128GivesTheSameDigestWhateverTheUpdateSizes) {
  std::string data;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 256; ++i) data.push_back(static_cast<char>(i));
  }
  EXPECT_EQ(HashOf(data), "e0892860f9fc0da273b9db57e857c19a");
  Blake2b128 pieces;
  for (std::size_t at = 0; at < data.size(); at += 7) {
    pieces.Update(data.data() + at, std::min<std::size_t>(7, data.size() - at));
  }
  EXPECT_EQ(Hex(pieces.Final()), "e0892860f9fc0da273b9db57e857c19a");
}

// The key is part of the database format: these values must never change.
TEST(ContentKeyTest, KeyIsTheHashOfTheLengthPrefixedFields) {
  EXPECT_EQ(Hex(MakeContentKey("capitals", "q1", "What is the capital of France?", "gemma:2b", 0)),
            "57889e4418652d7a43b68f69962f8a50");
  EXPECT_EQ(Hex(MakeContentKey("capitals", "q1", "What is the capital of France?", "gemma:2b", 1)),
            "8d0a5438826a4bdc79f757e98139cf11");
}

TEST(ContentKeyTest, MovingABoundaryBetweenFieldsChangesTheKey) {
  EXPECT_NE(MakeContentKey("ab", "c", "p", "m", 0), MakeContentKey("a", "bc", "p", "m", 0));
  EXPECT_NE(MakeContentKey("b", "", "p", "m", 0), MakeContentKey("", "b", "p", "m", 0));
}

}  // namespace
}  // namespace gridbatch::store
