// The simdjson reader of status replies against the nlohmann reference: the
// same StatusResult for the fuzz corpus, for thousands of mutations of it,
// for realistic replies, and for the cases where On-Demand alone would read
// differently (a key twice, content after the value, too deep). Realistic
// replies must be answered by the fast path itself, not the fallback.
#include "status_parsers.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "gridbatch/api/api_client.hpp"
#include "status_reply_samples.hpp"
#include "test_files.hpp"

namespace gridbatch::api {
namespace {

// The ids of the status_reply fuzz target.
const std::vector<std::string> kFuzzIds = {"9f22472031ef57c3fd517061d116ad68", "b2", "B2"};

http::Response Reply(std::string body) {
  http::Response response;
  response.status = 200;
  response.body = std::move(body);
  return response;
}

void ExpectSame(const StatusResult& a, const StatusResult& b, const std::string& body) {
  const std::string where = "body: " + body.substr(0, 300);
  EXPECT_EQ(a.outcome, b.outcome) << where;
  EXPECT_EQ(a.error, b.error) << where;
  EXPECT_EQ(a.requested, b.requested) << where;
  EXPECT_EQ(a.missing, b.missing) << where;
  EXPECT_EQ(a.retry_after_seconds, b.retry_after_seconds) << where;
  EXPECT_EQ(a.http_status, b.http_status) << where;
  ASSERT_EQ(a.jobs.size(), b.jobs.size()) << where;
  for (std::size_t i = 0; i < a.jobs.size(); ++i) {
    EXPECT_EQ(a.jobs[i].id, b.jobs[i].id) << where;
    EXPECT_EQ(a.jobs[i].status, b.jobs[i].status) << where;
    EXPECT_EQ(a.jobs[i].vm_status, b.jobs[i].vm_status) << where;
    EXPECT_EQ(a.jobs[i].log, b.jobs[i].log) << where;
    EXPECT_EQ(a.jobs[i].runtime, b.jobs[i].runtime) << where;
    EXPECT_EQ(a.jobs[i].created, b.jobs[i].created) << where;
  }
}

// Both readers on `body`; returns whether the fast path answered it.
bool CompareOn(const std::string& body, const std::vector<std::string>& ids = kFuzzIds) {
  const http::Response response = Reply(body);
  const StatusResult reference = ParseStatusReplyNlohmann(response, ids);
  ExpectSame(ParseStatusReply(response, ids), reference, body);
  const std::optional<StatusResult> fast = ReadStatusReplySimdjson(response, ids);
  if (fast) ExpectSame(*fast, reference, body);
  return fast.has_value();
}

std::vector<std::string> CorpusBodies() {
  std::vector<std::string> bodies;
  const std::filesystem::path dir = GRIDBATCH_STATUS_CORPUS;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    bodies.push_back(testing::ReadFile(entry.path()));
  }
  return bodies;
}

TEST(StatusParsersTest, TheFuzzCorpusReadsTheSameWithBoth) {
  const std::vector<std::string> bodies = CorpusBodies();
  ASSERT_GE(bodies.size(), 16u);
  int fast = 0;
  for (const std::string& body : bodies) fast += CompareOn(body) ? 1 : 0;
  EXPECT_GE(fast, 5);  // the well-formed seeds take the fast path
}

// Byte edits of the corpus toward the places where the two could differ:
// structure, escapes, numbers, literals, invalid UTF-8, truncation.
std::string Mutate(std::string body, std::mt19937& random) {
  static const std::vector<std::string> kBits = {"{",
                                                 "}",
                                                 "[",
                                                 "]",
                                                 ",",
                                                 ":",
                                                 "\"",
                                                 "\\",
                                                 "\\u",
                                                 "\\ud800",
                                                 "\\udc00",
                                                 "0",
                                                 "-",
                                                 "e",
                                                 ".",
                                                 " ",
                                                 "\x80",
                                                 "\xC3",
                                                 "\xED\xA0\x80",
                                                 "n",
                                                 "null",
                                                 "true",
                                                 "1e400",
                                                 "18446744073709551616",
                                                 "\x01",
                                                 "\"b2\":{}",
                                                 "\"runtime\":",
                                                 ",\"success\":false",
                                                 "\xEF\xBB\xBF"};
  const int edits = 1 + static_cast<int>(random() % 3);
  for (int e = 0; e < edits && !body.empty(); ++e) {
    const std::size_t at = random() % body.size();
    const std::string& bit = kBits[random() % kBits.size()];
    switch (random() % 4) {
      case 0:
        body.insert(at, bit);
        break;
      case 1:
        body.replace(at, 1, bit);
        break;
      case 2:
        body.erase(at, 1 + random() % 8);
        break;
      default:
        body.resize(at);
        break;
    }
  }
  return body;
}

TEST(StatusParsersTest, MutationsOfTheCorpusReadTheSameWithBoth) {
  std::mt19937 random(15);
  std::vector<std::string> bodies = CorpusBodies();
  bodies.push_back(samples::MakeStatusReply(3, 120, 1).body);
  int fast = 0;
  int total = 0;
  for (const std::string& body : bodies) {
    for (int i = 0; i < 300; ++i) {
      fast += CompareOn(Mutate(body, random)) ? 1 : 0;
      ++total;
    }
  }
  // Many mutants are still valid replies: the fast path is exercised too.
  EXPECT_GT(fast, total / 40);
}

TEST(StatusParsersTest, RealisticRepliesTakeTheFastPathAndReadTheSame) {
  for (const std::size_t log_bytes : {0u, 200u, 2000u, 20000u}) {
    const samples::StatusSample sample = samples::MakeStatusReply(100, log_bytes, 7);
    EXPECT_TRUE(CompareOn(sample.body, sample.requested)) << log_bytes;
    // And with ids the reply leaves out, and one asked for twice.
    std::vector<std::string> ids(sample.requested.begin(), sample.requested.begin() + 10);
    ids.push_back("0123456789abcdef0123456789abcdef");
    ids.push_back(ids[3]);
    EXPECT_TRUE(CompareOn(sample.body, ids)) << log_bytes;
  }
}

TEST(StatusParsersTest, ALogCutMidCharacterTakesTheFastPathWithAReplacement) {
  const std::string body =
      "{\"success\":true,\"jobs\":{\"b2\":{\"states\":{\"default\":{\"log\":\"caf\xC3\"}}}}}";
  EXPECT_TRUE(CompareOn(body));
  EXPECT_EQ(ParseStatusReply(Reply(body), {"b2"}).jobs.at(0).log, "caf\xEF\xBF\xBD");
}

// What On-Demand alone would read otherwise: each goes to the reference.
TEST(StatusParsersTest, RepliesTheFastPathCannotBeSureOfAreLeftToTheReference) {
  struct Case {
    std::string body;
    std::string error;  // "" when the reply is a success
  };
  const std::string deep = std::string(40, '[') + std::string(40, ']');
  const std::vector<Case> cases = {
      // Content after the value: On-Demand stops at the first value's end.
      {R"({"success":true,"jobs":{}} {})",
       R"(HTTP 200: reply is not JSON: {"success":true,"jobs":{}} {})"},
      {R"({"success":true,"jobs":{}}})",
       R"(HTTP 200: reply is not JSON: {"success":true,"jobs":{}}})"},
      // A key twice: nlohmann keeps the last.
      {R"({"success":true,"jobs":{"b2":{"vmStatus":"a","vmStatus":"b"}}})", ""},
      {R"({"success":true,"jobs":{"b2":{"runtime":1},"b2":{"runtime":2}}})", ""},
      {R"({"success":false,"success":true,"jobs":{}})", ""},
      // Deeper than a reply ever is, in a field nobody reads.
      {R"({"success":true,"x":)" + deep + R"(,"jobs":{}})", ""},
      // A bad escape or number where nothing is read is still not JSON.
      {R"({"success":true,"jobs":{"zz":{"log":"\q"}}})",
       R"(HTTP 200: reply is not JSON: {"success":true,"jobs":{"zz":{"log":"\q"}}})"},
      {R"({"success":true,"jobs":{"zz":01}})",
       R"(HTTP 200: reply is not JSON: {"success":true,"jobs":{"zz":01}})"},
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(ReadStatusReplySimdjson(Reply(c.body), kFuzzIds)) << c.body;
    CompareOn(c.body);
    EXPECT_EQ(ParseStatusReply(Reply(c.body), kFuzzIds).error, c.error) << c.body;
  }
  EXPECT_EQ(ParseStatusReply(Reply(cases[2].body), {"b2"}).jobs.at(0).vm_status, "b");
  EXPECT_EQ(ParseStatusReply(Reply(cases[3].body), {"b2"}).jobs.at(0).runtime, 2);
}

}  // namespace
}  // namespace gridbatch::api
