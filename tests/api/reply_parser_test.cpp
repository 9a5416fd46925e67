#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gridbatch/api/api_client.hpp"

namespace gridbatch::api {
namespace {

http::Response Reply(long status, std::string body) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

http::Response TransportFailure(int code, std::string error) {
  http::Response response;
  response.transport_error = code;
  response.error = std::move(error);
  return response;
}

const std::vector<std::string> kTwoIds = {"9f22472031ef57c3fd517061d116ad68", "b2"};

// The example from the service's documentation.
constexpr const char* kDocumentedStatus = R"({
  "success":true,
  "jobs":{
    "9f22472031ef57c3fd517061d116ad68":{
      "vmStatus":"running",
      "states":{"default":{"status":"running","outputFiles":[],
        "log":"1+1=2. When you add numbers, the result",
        "commandLine":"{\"inputs\":[\"How can 1+1=10?\"]}",
        "app":"gridrepublic:text-inference"}},
      "created":"2024-05-06T21:26:00+00:00","copy":0,"tag":"llama2-uncensored","runtime":23}}})";

// --- submit replies --------------------------------------------------------

TEST(SubmitReplyTest, SuccessWithAnIdIsSuccess) {
  const SubmitResult r = ParseSubmitReply(
      Reply(200, R"({"success":true,"ids":["a9ab011455bb6aeb0161b5fc08766b42"]})"));
  EXPECT_EQ(r.outcome, Outcome::kSuccess);
  EXPECT_EQ(r.remote_id, "a9ab011455bb6aeb0161b5fc08766b42");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.http_status, 200);
  EXPECT_FALSE(r.retry_after_seconds);
}

TEST(SubmitReplyTest, SuccessFalseIsPermanentWithTheServiceText) {
  const SubmitResult r =
      ParseSubmitReply(Reply(200, R"({"success":false,"error":"Invalid input format"})"));
  EXPECT_EQ(r.outcome, Outcome::kPermanent);
  EXPECT_EQ(r.remote_id, "");
  EXPECT_EQ(r.error, "service said: Invalid input format");
}

TEST(SubmitReplyTest, SuccessFalseWithoutErrorTextSaysSo) {
  const SubmitResult r = ParseSubmitReply(Reply(200, R"({"success":false})"));
  EXPECT_EQ(r.outcome, Outcome::kPermanent);
  EXPECT_EQ(r.error, "service said: success:false, without an error text");
}

TEST(SubmitReplyTest, SuccessWithoutAUsableIdIsRetryable) {
  const std::vector<std::string> bodies = {
      R"({"success":true})", R"({"success":true,"ids":[]})", R"({"success":true,"ids":"abc"})",
      R"({"success":true,"ids":[42]})", R"({"success":true,"ids":["../../etc"]})"};
  for (const std::string& body : bodies) {
    const SubmitResult r = ParseSubmitReply(Reply(200, body));
    EXPECT_EQ(r.outcome, Outcome::kRetryable) << body;
    EXPECT_EQ(r.remote_id, "");
    EXPECT_EQ(r.error, "HTTP 200: success without a valid job id: " + body);
  }
}

TEST(SubmitReplyTest, BodiesThatAreNotTheDocumentedJsonAreRetryable) {
  struct Case {
    std::string body;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"", "HTTP 200: empty reply body"},
      {"<html>\n<body>Oops</body>\n</html>",
       "HTTP 200: reply is not JSON: <html> <body>Oops</body> </html>"},
      {R"({"success":tr)", R"(HTTP 200: reply is not JSON: {"success":tr)"},
      {"[1,2]", "HTTP 200: reply is not a JSON object: [1,2]"},
      {R"({"ids":["a"]})", R"(HTTP 200: reply has no boolean 'success': {"ids":["a"]})"},
      {R"({"success":"true","ids":["a"]})",
       R"(HTTP 200: reply has no boolean 'success': {"success":"true","ids":["a"]})"},
  };
  for (const Case& c : cases) {
    const SubmitResult r = ParseSubmitReply(Reply(200, c.body));
    EXPECT_EQ(r.outcome, Outcome::kRetryable) << c.body;
    EXPECT_EQ(r.error, c.error);
  }
}

TEST(SubmitReplyTest, TooManyRequestsIsRetryableWithItsRetryAfter) {
  http::Response response = Reply(429, "Too Many Requests");
  response.retry_after_seconds = 7;
  const SubmitResult r = ParseSubmitReply(response);
  EXPECT_EQ(r.outcome, Outcome::kRetryable);
  EXPECT_EQ(r.retry_after_seconds, 7.0);
  EXPECT_EQ(r.http_status, 429);
  EXPECT_EQ(r.error, "HTTP 429: Too Many Requests");
}

TEST(SubmitReplyTest, ServerErrorsAreRetryableWithOneLineOfTheirBody) {
  const SubmitResult r =
      ParseSubmitReply(Reply(503, "<html>\r\n<body>Service\tUnavailable</body>\r\n</html>\n"));
  EXPECT_EQ(r.outcome, Outcome::kRetryable);
  EXPECT_EQ(r.error, "HTTP 503: <html> <body>Service Unavailable</body> </html>");
  EXPECT_EQ(ParseSubmitReply(Reply(500, "")).error, "HTTP 500");
  EXPECT_EQ(ParseSubmitReply(Reply(500, " \n\x1b[31m  ")).error, "HTTP 500: [31m");
  EXPECT_EQ(ParseSubmitReply(Reply(500, " \r\n ")).error, "HTTP 500");
  EXPECT_EQ(ParseSubmitReply(Reply(502, "")).outcome, Outcome::kRetryable);
}

TEST(SubmitReplyTest, LongBodiesAreCutAfter200CharactersOnACharacterBoundary) {
  const std::string body = std::string(199, 'a') + "é" + std::string(100, 'b');
  EXPECT_EQ(ParseSubmitReply(Reply(500, body)).error,
            "HTTP 500: " + std::string(199, 'a') + "é...");
}

// Found by fuzzing (tests/fuzz/corpus/*_reply/regress-stray-continuation-bytes):
// counted before replacement, the whole run passed for one character.
TEST(SubmitReplyTest, InvalidBytesCountAsOneCharacterEachWhenCut) {
  std::string replaced;
  for (int i = 0; i < 200; ++i) replaced += "\xEF\xBF\xBD";
  EXPECT_EQ(ParseSubmitReply(Reply(500, std::string(100'000, '\x80'))).error,
            "HTTP 500: " + replaced + "...");
  EXPECT_EQ(ParseSubmitReply(Reply(200, std::string(201, '\xFF'))).error,
            "HTTP 200: reply is not JSON: " + replaced + "...");
}

TEST(SubmitReplyTest, ClientErrorsArePermanentAndQuoteTheServiceWhenItSpeaksJson) {
  const SubmitResult bad =
      ParseSubmitReply(Reply(400, R"({"success":false,"error":"Invalid input format"})"));
  EXPECT_EQ(bad.outcome, Outcome::kPermanent);
  EXPECT_EQ(bad.error, "HTTP 400: service said: Invalid input format");
  const SubmitResult missing = ParseSubmitReply(Reply(404, "Not Found"));
  EXPECT_EQ(missing.outcome, Outcome::kPermanent);
  EXPECT_EQ(missing.error, "HTTP 404: Not Found");
  EXPECT_EQ(ParseSubmitReply(Reply(422, "")).outcome, Outcome::kPermanent);
  EXPECT_EQ(ParseSubmitReply(Reply(301, "")).outcome, Outcome::kPermanent);
}

TEST(SubmitReplyTest, UnauthorizedAndForbiddenAreAuthFailures) {
  const SubmitResult unauthorized = ParseSubmitReply(Reply(401, "Unauthorized"));
  EXPECT_EQ(unauthorized.outcome, Outcome::kAuth);
  EXPECT_EQ(unauthorized.error, "HTTP 401: Unauthorized");
  EXPECT_EQ(ParseSubmitReply(Reply(403, "")).outcome, Outcome::kAuth);
  EXPECT_EQ(ParseSubmitReply(Reply(403, "")).error, "HTTP 403");
}

TEST(SubmitReplyTest, TransportErrorsAreRetryableWithTheirDescription) {
  const SubmitResult r = ParseSubmitReply(
      TransportFailure(56, "connection reset: Recv failure: Connection reset by peer"));
  EXPECT_EQ(r.outcome, Outcome::kRetryable);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_EQ(r.error, "connection reset: Recv failure: Connection reset by peer");
}

TEST(SubmitReplyTest, InvalidUtf8InAnErrorTextIsReplaced) {
  const SubmitResult r =
      ParseSubmitReply(Reply(200, "{\"success\":false,\"error\":\"bad \xFF byte\"}"));
  EXPECT_EQ(r.outcome, Outcome::kPermanent);
  EXPECT_EQ(r.error, "service said: bad \xEF\xBF\xBD byte");
}

TEST(SubmitReplyTest, IdsThatAreNotOne32HexIdAreNotedForCheckButStillAccepted) {
  EXPECT_TRUE(
      ParseSubmitReply(Reply(200, R"({"success":true,"ids":["a9ab011455bb6aeb0161b5fc08766b42"]})"))
          .oddities.empty());
  const SubmitResult r = ParseSubmitReply(
      Reply(200, R"({"success":true,"ids":["job-17","a9ab011455bb6aeb0161b5fc08766b4Z"]})"));
  EXPECT_EQ(r.outcome, Outcome::kSuccess);
  EXPECT_EQ(r.remote_id, "job-17");
  EXPECT_EQ(r.oddities, (std::vector<std::string>{
                            "2 ids for one submit", "id 'job-17' is not 32 hex characters",
                            "id 'a9ab011455bb6aeb0161b5fc08766b4Z' is not 32 hex characters"}));
}

TEST(SubmitReplyTest, TheLatencyOfTheRequestIsKept) {
  http::Response response = Reply(200, R"({"success":false,"error":"x"})");
  response.elapsed_seconds = 0.25;
  EXPECT_EQ(ParseSubmitReply(response).elapsed_seconds, 0.25);
}

// --- status replies --------------------------------------------------------

TEST(StatusReplyTest, TheDocumentedReplyGivesEveryField) {
  const StatusResult r = ParseStatusReply(Reply(200, kDocumentedStatus), {kTwoIds[0]});
  EXPECT_EQ(r.outcome, Outcome::kSuccess);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.requested, std::vector<std::string>{kTwoIds[0]});
  EXPECT_TRUE(r.missing.empty());
  ASSERT_EQ(r.jobs.size(), 1u);
  const JobView& job = r.jobs[0];
  EXPECT_EQ(job.id, "9f22472031ef57c3fd517061d116ad68");
  EXPECT_EQ(job.status, "running");
  EXPECT_EQ(job.vm_status, "running");
  EXPECT_EQ(job.log, "1+1=2. When you add numbers, the result");
  EXPECT_EQ(job.runtime, 23);
  EXPECT_EQ(job.created, "2024-05-06T21:26:00+00:00");
}

TEST(StatusReplyTest, RequestedIdsLeftOutAreMissingAndExtraIdsAreIgnored) {
  const StatusResult r = ParseStatusReply(
      Reply(200, R"({"success":true,"jobs":{"b2":{"states":{"default":{"status":"completed"}}},
                                           "zz":{"states":{"default":{"status":"running"}}}}})"),
      {"a1", "b2", "c3"});
  EXPECT_EQ(r.outcome, Outcome::kSuccess);
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_EQ(r.jobs[0].id, "b2");
  EXPECT_EQ(r.jobs[0].status, "completed");
  EXPECT_EQ(r.missing, (std::vector<std::string>{"a1", "c3"}));
  EXPECT_EQ(r.requested, (std::vector<std::string>{"a1", "b2", "c3"}));
}

TEST(StatusReplyTest, AbsentFieldsAreEmptyAndRuntimeIsUnset) {
  const StatusResult r = ParseStatusReply(Reply(200, R"({"success":true,"jobs":{"x":{}}})"), {"x"});
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_EQ(r.jobs[0].status, "");
  EXPECT_EQ(r.jobs[0].vm_status, "");
  EXPECT_EQ(r.jobs[0].log, "");
  EXPECT_EQ(r.jobs[0].created, "");
  EXPECT_FALSE(r.jobs[0].runtime);
}

TEST(StatusReplyTest, FieldsOfTheWrongTypeAreTreatedAsAbsent) {
  const StatusResult r =
      ParseStatusReply(Reply(200, R"({"success":true,"jobs":{"x":{"vmStatus":1,"created":null,
                    "states":{"default":{"status":["done"],"log":{"a":1}}}},
                                           "y":{"states":"running"}}})"),
                       {"x", "y"});
  ASSERT_EQ(r.jobs.size(), 2u);
  for (const JobView& job : r.jobs) {
    EXPECT_EQ(job.status, "") << job.id;
    EXPECT_EQ(job.vm_status, "");
    EXPECT_EQ(job.log, "");
    EXPECT_EQ(job.created, "");
  }
}

TEST(StatusReplyTest, RuntimeIsReadFromIntegersNumbersAndNumericStrings) {
  struct Case {
    std::string json;
    std::optional<std::int64_t> runtime;
  };
  const std::vector<Case> cases = {
      {"23", 23},
      {"0", 0},
      {"12.6", 13},
      {"\"42\"", 42},
      {"\"7.4\"", 7},
      {"-5", {}},
      {"\"abc\"", {}},
      {"\"\"", {}},
      {"null", {}},
      {"true", {}},
      {"\"12s\"", {}},
      {"1e300", {}},
      {"18446744073709551615", {}},
  };
  for (const Case& c : cases) {
    const StatusResult r = ParseStatusReply(
        Reply(200, R"({"success":true,"jobs":{"x":{"runtime":)" + c.json + "}}}"), {"x"});
    ASSERT_EQ(r.jobs.size(), 1u) << c.json;
    EXPECT_EQ(r.jobs[0].runtime, c.runtime) << c.json;
  }
}

TEST(StatusReplyTest, TheDocumentedReplyLacksNoField) {
  const StatusResult r = ParseStatusReply(Reply(200, kDocumentedStatus), {kTwoIds[0]});
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_EQ(r.jobs[0].missing_fields, std::vector<std::string>{});
  EXPECT_TRUE(r.oddities.empty());
}

TEST(StatusReplyTest, DocumentedFieldsAbsentOrOfAnotherTypeAreNamedForCheck) {
  const StatusResult r = ParseStatusReplyInFull(
      Reply(200, R"({"success":true,"jobs":{"b2":{"vmStatus":3,"copy":0,"created":"x",
        "states":{"default":{"status":"running","outputFiles":{},"app":"a"}}}}})"),
      {"b2"});
  ASSERT_EQ(r.outcome, Outcome::kSuccess);
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_EQ(r.jobs[0].missing_fields,
            (std::vector<std::string>{"vmStatus", "tag", "runtime", "states.default.log",
                                      "states.default.outputFiles", "states.default.commandLine"}));
  const StatusResult bare =
      ParseStatusReplyInFull(Reply(200, R"({"success":true,"jobs":{"b2":{}}})"), {"b2"});
  EXPECT_EQ(bare.jobs.at(0).missing_fields,
            (std::vector<std::string>{"vmStatus", "created", "tag", "copy", "runtime",
                                      "states.default"}));
}

TEST(StatusReplyTest, AnEmptyJobsArrayIsNotedAsNotAnObject) {
  const StatusResult r =
      ParseStatusReplyInFull(Reply(200, R"({"success":true,"jobs":[]})"), {"b2"});
  EXPECT_EQ(r.outcome, Outcome::kSuccess);
  EXPECT_EQ(r.oddities, std::vector<std::string>{"'jobs' is an empty array, not an object"});
}

// Ids are hex: a service that spells them in upper case in its reply
// still answers for the requested ids, under their requested spelling.
TEST(StatusReplyTest, KeysMatchTheRequestedIdsWhateverTheCaseOfTheirLetters) {
  const http::Response reply = Reply(
      200, R"({"success":true,"jobs":{"ABC123":{"states":{"default":{"status":"running"}}}}})");
  for (const StatusResult& r : {ParseStatusReply(reply, {"abc123", "def456"}),
                                ParseStatusReplyInFull(reply, {"abc123", "def456"})}) {
    ASSERT_EQ(r.outcome, Outcome::kSuccess);
    ASSERT_EQ(r.jobs.size(), 1u);
    EXPECT_EQ(r.jobs[0].id, "abc123");
    EXPECT_EQ(r.jobs[0].status, "running");
    EXPECT_EQ(r.missing, std::vector<std::string>{"def456"});
  }
}

TEST(StatusReplyTest, AnEmptyJobsArrayMeansEveryIdIsMissing) {
  const StatusResult r = ParseStatusReply(Reply(200, R"({"success":true,"jobs":[]})"), kTwoIds);
  EXPECT_EQ(r.outcome, Outcome::kSuccess);
  EXPECT_TRUE(r.jobs.empty());
  EXPECT_EQ(r.missing, kTwoIds);
}

TEST(StatusReplyTest, JobsThatAreNotAnObjectAreRetryable) {
  for (const std::string body : {R"({"success":true})", R"({"success":true,"jobs":"none"})",
                                 R"({"success":true,"jobs":[{"id":"b2"}]})"}) {
    const StatusResult r = ParseStatusReply(Reply(200, body), kTwoIds);
    EXPECT_EQ(r.outcome, Outcome::kRetryable) << body;
    EXPECT_EQ(r.error, "HTTP 200: reply has no 'jobs' object: " + body);
    EXPECT_EQ(r.requested, kTwoIds);
    EXPECT_TRUE(r.jobs.empty());
    EXPECT_TRUE(r.missing.empty());
  }
}

TEST(StatusReplyTest, AJobEntryThatIsNotAnObjectMakesTheReplyRetryable) {
  const std::string body = R"({"success":true,"jobs":{"b2":"running"}})";
  const StatusResult r = ParseStatusReply(Reply(200, body), kTwoIds);
  EXPECT_EQ(r.outcome, Outcome::kRetryable);
  EXPECT_EQ(r.error, "HTTP 200: job 'b2' is not an object: " + body);
  EXPECT_TRUE(r.jobs.empty());
}

TEST(StatusReplyTest, SuccessFalseIsPermanentForTheWholeChunk) {
  const StatusResult r =
      ParseStatusReply(Reply(200, R"({"success":false,"error":"Unknown job id"})"), kTwoIds);
  EXPECT_EQ(r.outcome, Outcome::kPermanent);
  EXPECT_EQ(r.error, "service said: Unknown job id");
  EXPECT_EQ(r.requested, kTwoIds);
  EXPECT_TRUE(r.jobs.empty());
  EXPECT_TRUE(r.missing.empty());
}

TEST(StatusReplyTest, HttpAndTransportFailuresKeepTheRequestedIds) {
  http::Response limited = Reply(429, "");
  limited.retry_after_seconds = 3;
  const StatusResult r = ParseStatusReply(limited, kTwoIds);
  EXPECT_EQ(r.outcome, Outcome::kRetryable);
  EXPECT_EQ(r.retry_after_seconds, 3.0);
  EXPECT_EQ(r.error, "HTTP 429");
  EXPECT_EQ(r.requested, kTwoIds);
  const StatusResult t = ParseStatusReply(
      TransportFailure(28, "timeout: Operation timed out after 200 milliseconds"), kTwoIds);
  EXPECT_EQ(t.outcome, Outcome::kRetryable);
  EXPECT_EQ(t.error, "timeout: Operation timed out after 200 milliseconds");
  EXPECT_EQ(t.requested, kTwoIds);
  EXPECT_EQ(ParseStatusReply(Reply(401, ""), kTwoIds).outcome, Outcome::kAuth);
  EXPECT_EQ(ParseStatusReply(Reply(400, "too many ids"), kTwoIds).error, "HTTP 400: too many ids");
}

TEST(StatusReplyTest, ALogCutInTheMiddleOfACharacterIsKeptWithAReplacement) {
  // "é" is C3 A9; the service cut the log after C3.
  const StatusResult r = ParseStatusReply(
      Reply(200,
            "{\"success\":true,\"jobs\":{\"x\":{\"states\":{\"default\":{\"log\":\"caf\xC3\"}}}}}"),
      {"x"});
  ASSERT_EQ(r.outcome, Outcome::kSuccess);
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_EQ(r.jobs[0].log, "caf\xEF\xBF\xBD");
}

}  // namespace
}  // namespace gridbatch::api
