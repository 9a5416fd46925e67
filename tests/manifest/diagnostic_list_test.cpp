// The diagnostics' format and order, and the small helpers behind them.
#include "diagnostic_list.hpp"

#include <gtest/gtest.h>

#include <array>

#include "key_suggestion.hpp"
#include "stable_hash.hpp"
#include "text_position.hpp"

namespace gridbatch::manifest {
namespace {

TEST(DiagnosticTest, ToStringShowsFileLineColumnAndMessage) {
  EXPECT_EQ((Diagnostic{"sweep.yaml", 12, 5, "prompt 'q7': 'model' must be a string"}).ToString(),
            "sweep.yaml:12:5: prompt 'q7': 'model' must be a string");
  EXPECT_EQ((Diagnostic{"p.txt", 0, 0, "cannot open: No such file or directory"}).ToString(),
            "p.txt: cannot open: No such file or directory");
}

TEST(DiagnosticListTest, FinishSortsByFileOfFirstAppearanceThenPosition) {
  DiagnosticList list("errors");
  list.Add("m.yaml", 9, 1, "c");
  list.Add("m.yaml", 2, 7, "b");
  list.Add("p.txt", 1, 1, "d");
  list.Add("m.yaml", 2, 3, "a");
  std::vector<std::string> shown;
  for (const auto& d : list.Finish("m.yaml")) shown.push_back(d.ToString());
  EXPECT_EQ(shown, (std::vector<std::string>{"m.yaml:2:3: a", "m.yaml:2:7: b", "m.yaml:9:1: c",
                                             "p.txt:1:1: d"}));
}

TEST(DiagnosticListTest, FinishShowsAHundredAndCountsTheRest) {
  DiagnosticList list("warnings");
  for (int i = 1; i <= 5000; ++i) list.Add("p.txt", i, 1, "w");
  const auto shown = list.Finish("m.yaml");
  EXPECT_EQ(list.count(), 5000u);
  ASSERT_EQ(shown.size(), 101u);
  EXPECT_EQ(shown[99].ToString(), "p.txt:100:1: w");
  EXPECT_EQ(shown[100].ToString(), "m.yaml: ... and 4900 more warnings");
}

TEST(KeySuggestionTest, SuggestsOnlyCloseKeys) {
  constexpr std::array<std::string_view, 4> kKeys = {"models", "model", "prompts", "repeat"};
  EXPECT_EQ(DidYouMean("modles", kKeys), " (did you mean 'models'?)");
  EXPECT_EQ(DidYouMean("prompt", kKeys), " (did you mean 'prompts'?)");
  EXPECT_EQ(DidYouMean("repaet", kKeys), " (did you mean 'repeat'?)");
  EXPECT_EQ(DidYouMean("colour", kKeys), "");
  EXPECT_EQ(DidYouMean("x", kKeys), "");
}

TEST(TextPositionTest, ColumnsCountCodePointsFromOne) {
  EXPECT_EQ(ColumnOf("abc", 0), 1);
  EXPECT_EQ(ColumnOf("\xC3\xA9t\xC3\xA9", 3), 3);
  const LineIndex index(
      "ab\n\xE2\x82\xAC"
      "x\n\nz");
  EXPECT_EQ(index.At(0).line, 1);
  EXPECT_EQ(index.At(6).line, 2);
  EXPECT_EQ(index.At(6).column, 2);
  EXPECT_EQ(index.At(9).line, 4);
  EXPECT_EQ(index.At(9).column, 1);
}

TEST(StableHashTest, ValuesNeverChange) {
  // Generated prompt ids are made of these: a change would re-add every job.
  EXPECT_EQ(HexDigits(HashText("")), "813f0174a2367c13");
  EXPECT_EQ(HexDigits(HashText("What is the capital of France?")), "99841a4b9513591b");
  EXPECT_NE(StableHash().Add("ab").Add("c").Value(), StableHash().Add("a").Add("bc").Value());
  EXPECT_EQ(HexDigits(0x0123456789abcdefull, 8), "01234567");
}

TEST(ChangeHashTest, AnyChangedByteOrBoundaryChangesTheValue) {
  const auto hash = [](std::initializer_list<std::string_view> fields) {
    ChangeHash h;
    for (const std::string_view field : fields) h.Add(field);
    return h.Value();
  };
  const std::string line = "Summarize document number 12345 in three sentences, please.";
  EXPECT_EQ(hash({line, "b"}), hash({line, "b"}));
  // Every byte of a long line counts, in the 8-byte words and in the tail.
  for (std::size_t i = 0; i < line.size(); ++i) {
    std::string changed = line;
    changed[i] = static_cast<char>(changed[i] ^ 0x20);
    EXPECT_NE(hash({changed}), hash({line})) << i;
  }
  EXPECT_NE(hash({"ab", "c"}), hash({"a", "bc"}));
  EXPECT_NE(hash({"", "x"}), hash({"x", ""}));
  EXPECT_NE(hash({"abcdefgh"}), hash({"abcdefgh", ""}));
  // A zero byte at the end is not the same as the shorter field.
  EXPECT_NE(hash({std::string_view("abc\0", 4)}), hash({"abc"}));
}

}  // namespace
}  // namespace gridbatch::manifest
