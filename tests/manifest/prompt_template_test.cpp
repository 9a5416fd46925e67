#include "prompt_template.hpp"

#include <gtest/gtest.h>

namespace gridbatch::manifest {
namespace {

std::string Render(std::string_view text, std::vector<std::string_view> values) {
  std::string error;
  const auto tmpl = PromptTemplate::Parse(text, error);
  EXPECT_TRUE(tmpl.has_value()) << error;
  std::string out = "stale";
  if (tmpl) tmpl->Render(values, out);
  return out;
}

std::string ErrorOf(std::string_view text) {
  std::string error;
  EXPECT_FALSE(PromptTemplate::Parse(text, error).has_value());
  return error;
}

TEST(PromptTemplateTest, NamesAreListedOnceInOrderOfFirstUse) {
  std::string error;
  const auto tmpl = PromptTemplate::Parse("{b} {a} {b} {_c1}", error);
  ASSERT_TRUE(tmpl.has_value());
  EXPECT_EQ(tmpl->names(), (std::vector<std::string>{"b", "a", "_c1"}));
  EXPECT_TRUE(tmpl->Uses("a"));
  EXPECT_FALSE(tmpl->Uses("c"));
}

TEST(PromptTemplateTest, RendersValuesInPlaceOfPlaceholders) {
  EXPECT_EQ(Render("{b} {a} {b}!", {"B", "A"}), "B A B!");
  EXPECT_EQ(Render("", {}), "");
  EXPECT_EQ(Render("no placeholders", {}), "no placeholders");
}

TEST(PromptTemplateTest, DoubledBracesAreLiteralBraces) {
  EXPECT_EQ(Render("{{a}} {{{a}}} }}{{", {"x"}), "{a} {x} }{");
}

TEST(PromptTemplateTest, MalformedTemplatesSayWhatAndWhere) {
  EXPECT_EQ(ErrorOf("ab {c"), "'{' at character 4 is not closed (write '{{' for a literal brace)");
  EXPECT_EQ(ErrorOf("{a {b}"), "'{' at character 1 is not closed (write '{{' for a literal brace)");
  EXPECT_EQ(ErrorOf("ü}"),
            "'}' at character 2 has no matching '{' (write '}}' for a literal brace)");
  EXPECT_EQ(ErrorOf("{1a}"),
            "placeholder '{1a}' at character 1 is not a variable name (letters, digits and '_'; "
            "write '{{' for a literal brace)");
}

TEST(PromptTemplateTest, VariableNamesAreAsciiIdentifiers) {
  EXPECT_TRUE(IsVariableName("country_2"));
  EXPECT_TRUE(IsVariableName("_x"));
  EXPECT_FALSE(IsVariableName(""));
  EXPECT_FALSE(IsVariableName("2x"));
  EXPECT_FALSE(IsVariableName("a-b"));
  EXPECT_FALSE(IsVariableName("é"));
}

}  // namespace
}  // namespace gridbatch::manifest
