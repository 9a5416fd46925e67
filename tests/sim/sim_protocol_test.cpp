#include "sim_protocol.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sim_server.hpp"

namespace gridbatch::sim {
namespace {

using nlohmann::json;

std::string Body(const json& command_line_inputs) {
  return json{{"app", "gridrepublic:text-inference"},
              {"commandLine", json{{"inputs", command_line_inputs}}.dump()},
              {"tag", "gemma:2b"}}
      .dump();
}

std::string ErrorOf(std::string_view body) {
  const auto parsed = ParseSubmit(body);
  const auto* error = std::get_if<SubmitError>(&parsed);
  return error ? error->message : "(accepted)";
}

TEST(SimProtocolTest, AcceptsTheDocumentedExampleAndTakesTheFirstInput) {
  const auto parsed = ParseSubmit(
      R"({"app": "gridrepublic:text-inference",
          "commandLine": "{\"inputs\": [\"When does 1+1=10?\", \"second\"] }",
          "tag": "gemma:2b", "hours": 1.5})");
  const auto* request = std::get_if<SubmitRequest>(&parsed);
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->app, "gridrepublic:text-inference");
  EXPECT_EQ(request->model, "gemma:2b");
  EXPECT_EQ(request->prompt, "When does 1+1=10?");
}

TEST(SimProtocolTest, RejectsEveryMalformedBodyAsInvalidInputFormat) {
  const std::string cl = R"("{\"inputs\":[\"p\"]}")";
  const std::vector<std::string> bodies = {
      "",
      "not json",
      "[1,2]",
      R"({"app":"a","commandLine":)" + cl,                        // cut short
      R"({"commandLine":)" + cl + R"(,"tag":"m"})",               // no app
      R"({"app":7,"commandLine":)" + cl + R"(,"tag":"m"})",       // app not a string
      R"({"app":"a","tag":"m"})",                                 // no commandLine
      R"({"app":"a","commandLine":{"inputs":["p"]},"tag":"m"})",  // commandLine not a string
      R"({"app":"a","commandLine":"not json","tag":"m"})",
      R"({"app":"a","commandLine":"[\"p\"]","tag":"m"})",             // not an object
      R"({"app":"a","commandLine":"{}","tag":"m"})",                  // no inputs
      R"({"app":"a","commandLine":"{\"inputs\":\"p\"}","tag":"m"})",  // inputs not an array
      R"({"app":"a","commandLine":"{\"inputs\":[]}","tag":"m"})",     // inputs empty
      R"({"app":"a","commandLine":"{\"inputs\":[1]}","tag":"m"})",    // input not a string
      R"({"app":"a","commandLine":"{\"inputs\":[\"p\",2]}","tag":"m"})",
      R"({"app":"a","commandLine":)" + cl + "}",                           // no tag
      R"({"app":"a","commandLine":)" + cl + R"(,"tag":""})",               // empty tag
      R"({"app":"a","commandLine":)" + cl + R"(,"tag":["m"]})",            // tag not a string
      R"({"app":"a","commandLine":)" + cl + R"(,"tag":"m","hours":"1"})",  // hours not a number
  };
  for (const auto& body : bodies) {
    EXPECT_EQ(ErrorOf(body), "Invalid input format") << body;
  }
}

TEST(SimProtocolTest, PromptsSurviveTheDoubleJsonEncoding) {
  const std::string prompt = "q \"x\" \\ \n\t\x01\x1f \xF0\x9F\x98\x80 \xC3\xA9";
  const auto parsed = ParseSubmit(Body(json::array({prompt})));
  ASSERT_TRUE(std::holds_alternative<SubmitRequest>(parsed));
  EXPECT_EQ(std::get<SubmitRequest>(parsed).prompt, prompt);
}

TEST(SimProtocolTest, SplitsIdListsAndSkipsEmptyItems) {
  EXPECT_EQ(SplitIds("a,b,,c,"), (std::vector<std::string_view>{"a", "b", "c"}));
  EXPECT_EQ(SplitIds("abc"), (std::vector<std::string_view>{"abc"}));
  EXPECT_TRUE(SplitIds("").empty());
  EXPECT_TRUE(SplitIds(",,").empty());
}

TEST(SimProtocolTest, StatusReplyHasTheDocumentedShape) {
  const std::string prompt = "tab\there \"quoted\" \x02";
  const JobView job{"gridrepublic:text-inference",
                    "llama2-uncensored",
                    prompt,
                    0,
                    JobTiming{1, 4},
                    Outcome::kCompleted};
  const std::string text = StatusReply(
      {{"9f22472031ef57c3fd517061d116ad68", JobReply{&job, 3.0, "2024-05-06T21:26:00+00:00"}}},
      StatusCase::kLower);
  const json reply = json::parse(text);
  const std::string log = FinalLog("llama2-uncensored", prompt);
  const json expected = {{"success", true},
                         {"jobs",
                          {{"9f22472031ef57c3fd517061d116ad68",
                            {{"vmStatus", "running"},
                             {"states",
                              {{"default",
                                {{"status", "running"},
                                 {"outputFiles", json::array()},
                                 {"log", log.substr(0, log.size() / 2)},
                                 {"commandLine", json{{"inputs", {prompt}}}.dump()},
                                 {"app", "gridrepublic:text-inference"}}}}},
                             {"created", "2024-05-06T21:26:00+00:00"},
                             {"copy", 0},
                             {"tag", "llama2-uncensored"},
                             {"runtime", 2}}}}}};
  EXPECT_EQ(reply, expected);
}

TEST(SimProtocolTest, EmptyStatusReplyStillSucceeds) {
  EXPECT_EQ(StatusReply({}, StatusCase::kLower), R"({"success":true,"jobs":{}})");
}

TEST(SimProtocolTest, WritesSubmitAndErrorReplies) {
  EXPECT_EQ(SubmitReply("a9ab011455bb6aeb0161b5fc08766b42"),
            R"({"success":true,"ids":["a9ab011455bb6aeb0161b5fc08766b42"]})");
  EXPECT_EQ(ErrorReply("Unknown model: \"x\""),
            R"({"success":false,"error":"Unknown model: \"x\""})");
}

TEST(SimProtocolTest, CreatedTimeIsIsoWithAnOffset) {
  EXPECT_EQ(CreatedTime(1715030760.7), "2024-05-06T21:26:00+00:00");
  EXPECT_EQ(CreatedTime(0), "1970-01-01T00:00:00+00:00");
}

}  // namespace
}  // namespace gridbatch::sim
