#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gridbatch/api/api_client.hpp"

namespace gridbatch::api {
namespace {

// Undoes both encodings the way the service does: body -> commandLine
// string -> inputs[0].
std::string PromptInBody(const std::string& body) {
  const auto outer = nlohmann::json::parse(body);
  const auto inner = nlohmann::json::parse(outer.at("commandLine").get<std::string>());
  EXPECT_EQ(inner.at("inputs").size(), 1u);
  return inner.at("inputs").at(0).get<std::string>();
}

std::string AllControlCharacters() {
  std::string text;
  for (char c = 1; c < 0x20; ++c) text += c;
  return text;
}

TEST(RequestBuilderTest, CommandLineWrapsThePromptInAnInputsArray) {
  EXPECT_EQ(BuildCommandLine("When does 1+1=10?"), R"({"inputs":["When does 1+1=10?"]})");
}

TEST(RequestBuilderTest, CommandLineEscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(BuildCommandLine("a\"b\\c\nd\te\x01"), R"({"inputs":["a\"b\\c\nd\te\u0001"]})");
}

TEST(RequestBuilderTest, CommandLineKeepsNonAsciiTextAsUtf8) {
  EXPECT_EQ(BuildCommandLine("日本語 🙂 שלום"),
            "{\"inputs\":[\"日本語 🙂 שלום\"]}");
}

TEST(RequestBuilderTest, CommandLineReplacesInvalidUtf8InsteadOfThrowing) {
  EXPECT_EQ(BuildCommandLine("a\xFF"
                             "b"),
            "{\"inputs\":[\"a\xEF\xBF\xBD"
            "b\"]}");
}

TEST(RequestBuilderTest, SubmitBodyEncodesThePromptTwiceAndSendsTheModelAsTag) {
  SubmitRequest request;
  request.model = "gemma:2b";
  request.prompt = "say \"hi\"";
  EXPECT_EQ(
      BuildSubmitBody(request),
      R"({"app":"gridrepublic:text-inference","commandLine":"{\"inputs\":[\"say \\\"hi\\\"\"]}","tag":"gemma:2b"})");
}

TEST(RequestBuilderTest, SubmitBodyCarriesHoursOnlyWhenSet) {
  SubmitRequest request;
  request.model = "m";
  request.prompt = "p";
  request.hours = 2.5;
  EXPECT_EQ(
      BuildSubmitBody(request),
      R"({"app":"gridrepublic:text-inference","commandLine":"{\"inputs\":[\"p\"]}","hours":2.5,"tag":"m"})");
}

TEST(RequestBuilderTest, EveryNastyPromptSurvivesBothEncodings) {
  const std::vector<std::string> prompts = {
      "",
      "\"quoted\" and 'single'",
      "back\\slash \\\\ \\n \\u0041",
      "line one\nline two\r\nthree\ttabbed",
      AllControlCharacters(),
      "emoji 🙂👩‍👩‍👧 and CJK 漢字かなカナ한국어",
      "right to left: مرحبا بالعالم שלום עולם \u202Eevil",
      "</script><script>alert(1)</script>",
      R"({"inputs":["nested"],"commandLine":"{\"x\":1}"})",
      std::string(100 * 1024, 'z'),
  };
  for (const std::string& prompt : prompts) {
    SubmitRequest request;
    request.model = "llama3:8b";
    request.prompt = prompt;
    EXPECT_EQ(PromptInBody(BuildSubmitBody(request)), prompt);
  }
}

TEST(RequestBuilderTest, RemoteIdsAreLettersDigitsDashAndUnderscoreUpTo128) {
  EXPECT_TRUE(IsValidRemoteId("a9ab011455bb6aeb0161b5fc08766b42"));
  EXPECT_TRUE(IsValidRemoteId("x"));
  EXPECT_TRUE(IsValidRemoteId("A-b_9"));
  EXPECT_TRUE(IsValidRemoteId(std::string(128, 'f')));
  EXPECT_FALSE(IsValidRemoteId(""));
  EXPECT_FALSE(IsValidRemoteId(std::string(129, 'f')));
  for (const char* bad : {"a,b", "a/b", "../x", "a b", "a%2F", "a?b", "a#b", "\xC3\xA9", "a\nb"}) {
    EXPECT_FALSE(IsValidRemoteId(bad)) << bad;
  }
}

TEST(RequestBuilderTest, OutcomesHaveShortNames) {
  EXPECT_EQ(ToString(Outcome::kSuccess), "success");
  EXPECT_EQ(ToString(Outcome::kRetryable), "retryable");
  EXPECT_EQ(ToString(Outcome::kPermanent), "permanent");
  EXPECT_EQ(ToString(Outcome::kAuth), "auth");
}

}  // namespace
}  // namespace gridbatch::api
