#include "gridbatch/api/trace_writer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "gridbatch/error.hpp"
#include "test_files.hpp"

namespace gridbatch::api {
namespace {

using nlohmann::json;

std::vector<json> Lines(const std::filesystem::path& path) {
  std::istringstream in(gridbatch::testing::ReadFile(path));
  std::vector<json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

class TraceWriterTest : public ::testing::Test {
 protected:
  TraceWriter Make(TraceOptions options) {
    return TraceWriter(path_.string(), options, "tok-SECRET-77", clock_,
                       [this](const std::string& m) { warnings_.push_back(m); });
  }

  static void Record(TraceWriter& writer, const std::string& url, const std::string& request_body,
                     const http::Response& response,
                     http::Request::Method method = http::Request::Method::kPost) {
    writer.Record(http::Exchange{method, url, request_body, response});
  }

  gridbatch::testing::TempDir dir_;
  std::filesystem::path path_ = dir_.path() / "trace.jsonl";
  FakeClock clock_{1'700'000'000.25};
  std::vector<std::string> warnings_;
};

TEST_F(TraceWriterTest, WritesOneJsonLinePerExchangeWithEveryField) {
  TraceWriter writer = Make({});
  http::Response reply;
  reply.status = 429;
  reply.retry_after_seconds = 2;
  reply.elapsed_seconds = 0.0125;
  reply.body = "{\"success\":false,\"error\":\"Too many requests\"}";
  Record(writer, "http://h/remotejobs/v2/jobs", "{\"tag\":\"m\"}", reply);
  http::Response refused;
  refused.transport_error = 7;
  refused.error = "connection refused: nothing there";
  Record(writer, "http://h/remotejobs/v2/jobs/abc", "", refused, http::Request::Method::kGet);
  const std::vector<json> lines = Lines(path_);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], json::parse(R"({"time":"2023-11-14T22:13:20.250Z","method":"POST",
    "url":"http://h/remotejobs/v2/jobs","status":429,"retry_after":2.0,"latency_ms":12.5,
    "error":"","request_bytes":11,"request_body":"{\"tag\":\"m\"}","reply_bytes":45,
    "reply_body":"{\"success\":false,\"error\":\"Too many requests\"}"})"));
  EXPECT_EQ(lines[1]["method"], "GET");
  EXPECT_EQ(lines[1]["status"], 0);
  EXPECT_EQ(lines[1]["retry_after"], nullptr);
  EXPECT_EQ(lines[1]["error"], "connection refused: nothing there");
  EXPECT_EQ(writer.lines(), 2u);
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(TraceWriterTest, CutsBodiesAtTheLimitAndSaysSo) {
  TraceWriter writer = Make({.body_max = 8});
  http::Response reply;
  reply.status = 200;
  reply.body = "0123456789abcdef";
  Record(writer, "u", "short", reply);
  const json line = Lines(path_).at(0);
  EXPECT_EQ(line["reply_body"], "01234567");
  EXPECT_EQ(line["reply_bytes"], 16);
  EXPECT_EQ(line["reply_cut"], true);
  EXPECT_EQ(line["request_body"], "short");
  EXPECT_FALSE(line.contains("request_cut"));
}

TEST_F(TraceWriterTest, TheTokenNeverAppearsNotEvenInPartWhereABodyIsCut) {
  TraceWriter writer = Make({.body_max = 20});
  http::Response reply;
  reply.status = 401;
  reply.body = "you sent tok-SECRET-77 which is wrong";  // the token straddles byte 20
  reply.error = "echo tok-SECRET-77";
  Record(writer, "http://h/jobs/tok-SECRET-77", "{\"t\":\"tok-SECRET-77\"}", reply);
  const std::string text = gridbatch::testing::ReadFile(path_);
  EXPECT_EQ(text.find("tok-S"), std::string::npos) << text;
  const json line = Lines(path_).at(0);
  EXPECT_EQ(line["reply_body"], "you sent [redacted] ");
  EXPECT_EQ(line["url"], "http://h/jobs/[redacted]");
  EXPECT_EQ(line["error"], "echo [redacted]");
}

TEST_F(TraceWriterTest, StopsAtItsSizeCapWithALastLineThatSaysSoAndWarnsOnce) {
  TraceWriter writer = Make({.body_max = 100, .max_bytes = 2000});
  http::Response reply;
  reply.status = 200;
  reply.body = std::string(100, 'r');
  for (int i = 0; i < 50; ++i) Record(writer, "http://h/jobs/" + std::to_string(i), "b", reply);
  EXPECT_TRUE(writer.stopped());
  EXPECT_LE(std::filesystem::file_size(path_), 2000u);
  const std::vector<json> lines = Lines(path_);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines.size() - 1, writer.lines());
  EXPECT_EQ(lines.back()["trace"], "stopped");
  EXPECT_EQ(lines.back()["lines"], writer.lines());
  EXPECT_EQ(lines.back()["reason"],
            "the trace reached its size cap of 2000 bytes (--trace-max-bytes); later requests "
            "are not recorded");
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_EQ(warnings_[0],
            "--trace " + path_.string() + ": " + lines.back()["reason"].get<std::string>());
}

TEST_F(TraceWriterTest, AFileThatCannotBeCreatedIsAnErrorNamingIt) {
  try {
    TraceWriter writer("/nonexistent-dir/t.jsonl", {}, "t", clock_, [](const std::string&) {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitCantCreate);
    EXPECT_EQ(std::string(e.what()), "--trace /nonexistent-dir/t.jsonl: cannot create the file");
  }
}

}  // namespace
}  // namespace gridbatch::api
