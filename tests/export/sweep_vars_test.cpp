#include "sweep_vars.hpp"

#include <gtest/gtest.h>

namespace gridbatch::exporter {
namespace {

std::vector<std::string> Texts(const std::vector<std::optional<VarCell>>& cells) {
  std::vector<std::string> texts;
  for (const auto& cell : cells) {
    texts.push_back(!cell ? "<none>" : (cell->is_text ? "text:" : "json:") + cell->text);
  }
  return texts;
}

TEST(SweepVarsTest, DecodesEachValueTypeIntoACell) {
  EXPECT_EQ(Texts(VarCells(R"({"s":"fr","n":0.5,"b":false,"o":{"k":[1]},"z":null})",
                           {"b", "missing", "n", "o", "s", "z"})),
            (std::vector<std::string>{"json:false", "<none>", "json:0.5", "json:{\"k\":[1]}",
                                      "text:fr", "<none>"}));
}

TEST(SweepVarsTest, WritesTheVariablesAsCompactJsonOrNull) {
  EXPECT_EQ(VarsJson("{ \"b\" : 1,\n \"a\" : \"x\\ny\" }"), R"({"a":"x\ny","b":1})");
  EXPECT_EQ(VarsJson(std::nullopt), "null");
  EXPECT_EQ(VarsJson("not json"), "null");
  EXPECT_EQ(VarsJson("\"just a string\""), "null");
}

TEST(SweepVarsTest, TheDecoderGivesTheSameAnswersAsDecodingEveryTime) {
  VarsDecoder decoder({"i", "lang"});
  for (int round = 0; round < 3; ++round) {
    // More distinct texts than the decoder remembers, so it also forgets.
    for (int i = 0; i < 5000; ++i) {
      const std::string json =
          R"({"i":)" + std::to_string(i % 4500) + R"(,"lang":")" + (i % 2 ? "fr" : "de") + "\"}";
      ASSERT_EQ(Texts(decoder.Cells(json)), Texts(VarCells(json, {"i", "lang"}))) << json;
      ASSERT_EQ(decoder.Json(json), VarsJson(json)) << json;
    }
  }
  EXPECT_EQ(Texts(decoder.Cells(std::nullopt)), (std::vector<std::string>{"<none>", "<none>"}));
  EXPECT_EQ(decoder.Json(std::nullopt), "null");
}

}  // namespace
}  // namespace gridbatch::exporter
