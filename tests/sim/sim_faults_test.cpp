// Each injected fault, with probability 1 so the outcome is certain.
#include <gtest/gtest.h>

#include <chrono>

#include "sim_server.hpp"
#include "sim_test_client.hpp"

namespace gridbatch::sim {
namespace {

using testing::FastOptions;
using testing::json;
using testing::TestClient;

SimOptions WithFaults(const Faults& faults) {
  SimOptions options = FastOptions();
  options.faults = faults;
  return options;
}

TEST(SimFaultsTest, Injected429CarriesRetryAfterInWholeSeconds) {
  SimServer server(WithFaults({.p_429 = 1, .retry_after_seconds = 2.5}));
  server.Start();
  TestClient client(server);
  std::vector<httplib::Result> replies;
  replies.push_back(client.Submit("m", "p"));
  replies.push_back(client.Status({"ab"}));
  for (const auto& res : replies) {
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 429);
    EXPECT_EQ(res->get_header_value("Retry-After"), "3");
    EXPECT_EQ(res->body, R"({"success":false,"error":"Too many requests"})");
  }
  EXPECT_EQ(server.GetCounters().sent_429, 2u);
  EXPECT_EQ(server.GetCounters().jobs, 0u) << "a 429 creates no job";
}

TEST(SimFaultsTest, Injected5xxHasABodyThatIsNotJson) {
  SimServer server(WithFaults({.p_5xx = 1}));
  server.Start();
  TestClient client(server);
  for (int i = 0; i < 10; ++i) {
    auto res = i % 2 ? client.Submit("m", "p") : client.Status({"ab"});
    ASSERT_TRUE(res);
    EXPECT_TRUE(res->status == 500 || res->status == 502 || res->status == 503) << res->status;
    EXPECT_FALSE(json::accept(res->body)) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type").rfind("text/", 0), 0u);
  }
  EXPECT_EQ(server.GetCounters().sent_5xx, 10u);
  EXPECT_EQ(server.GetCounters().jobs, 0u);
}

TEST(SimFaultsTest, ResetHangsUpWithoutAReplyButTheSubmitStillCreatedItsJob) {
  SimServer server(WithFaults({.p_reset = 1}));
  server.Start();
  TestClient client(server);
  auto submit = client.Submit("m", "p");
  EXPECT_FALSE(submit);
  auto status = client.Status({"ab"});
  EXPECT_FALSE(status);
  const Counters c = server.GetCounters();
  EXPECT_EQ(c.resets, 2u);
  EXPECT_EQ(c.submits_accepted, 1u);
  EXPECT_EQ(c.jobs, 1u);
}

TEST(SimFaultsTest, SlowRepliesWaitBeforeAnswering) {
  SimServer server(WithFaults({.p_slow = 1, .slow_seconds = 0.3}));
  server.Start();
  TestClient client(server);
  const auto start = std::chrono::steady_clock::now();
  auto res = client.Submit("m", "p");
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_GE(took, 0.3);
}

TEST(SimFaultsTest, SlowRepliesOutlastAShortClientTimeout) {
  SimServer server(WithFaults({.p_slow = 1, .slow_seconds = 30}));
  server.Start();
  TestClient client(server);
  client.http().set_read_timeout(0, 100'000);
  auto res = client.Status({"ab"});
  EXPECT_FALSE(res);
  EXPECT_EQ(res.error(), httplib::Error::Read);
  // Stop (from the destructor) cuts the 30 s sleep short.
}

TEST(SimFaultsTest, TruncatedRepliesAreTheFirstHalfOfTheRealOne) {
  SimServer server(FastOptions());
  server.Start();
  TestClient client(server);
  const std::string id = client.SubmitOk("m", "p");
  client.WaitFinal(id);
  const std::string whole = client.Status({id})->body;
  Faults truncate;
  truncate.p_truncated = 1;
  server.SetFaults(truncate);
  auto res = client.Status({id});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, whole.substr(0, whole.size() / 2));
  EXPECT_FALSE(json::accept(res->body));
  auto submit = client.Submit("m", "q");
  ASSERT_TRUE(submit);
  EXPECT_EQ(submit->status, 200);
  EXPECT_FALSE(json::accept(submit->body)) << submit->body;
  EXPECT_EQ(server.GetCounters().truncated, 2u);
  EXPECT_EQ(server.GetCounters().jobs, 2u) << "the truncated submit created its job";
}

TEST(SimFaultsTest, OmitLeavesOneKnownIdOutOfAStatusReply) {
  SimServer server(FastOptions());
  server.Start();
  TestClient client(server);
  const std::vector<std::string> ids = {client.SubmitOk("m", "a"), client.SubmitOk("m", "b"),
                                        client.SubmitOk("m", "c")};
  Faults omit;
  omit.p_omit = 1;
  server.SetFaults(omit);
  const json jobs = client.Jobs(ids);
  ASSERT_TRUE(jobs.is_object());
  EXPECT_EQ(jobs.size(), 2u);
  EXPECT_EQ(server.GetCounters().omitted, 1u);
  // Unknown ids alone leave nothing to omit.
  EXPECT_EQ(client.Jobs({"ffffffffffffffffffffffffffffffff"}), json::object());
  EXPECT_EQ(server.GetCounters().omitted, 1u);
}

TEST(SimFaultsTest, FaultsCanBeTurnedOffWhileRunning) {
  SimServer server(WithFaults({.p_429 = 1}));
  server.Start();
  TestClient client(server);
  EXPECT_EQ(client.Submit("m", "p")->status, 429);
  server.SetFaults({});
  EXPECT_EQ(client.Submit("m", "p")->status, 200);
}

TEST(SimFaultsTest, TheSubmitRateLimitAnswers429AfterTheBurst) {
  SimOptions options = FastOptions();
  options.submit_rate = 0.5;  // one token every 2 s: no refill within the test
  options.submit_burst = 2;
  SimServer server(options);
  server.Start();
  TestClient client(server);
  EXPECT_EQ(client.Submit("m", "1")->status, 200);
  EXPECT_EQ(client.Submit("m", "2")->status, 200);
  auto limited = client.Submit("m", "3");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(limited->get_header_value("Retry-After"), "2");
  EXPECT_EQ(client.Status({"ab"})->status, 200) << "status GETs are not limited";
  const Counters c = server.GetCounters();
  EXPECT_EQ(c.rate_limited, 1u);
  EXPECT_EQ(c.sent_429, 1u);
  EXPECT_EQ(c.submits_accepted, 2u);
}

TEST(SimFaultsTest, TheSameSeedInjectsTheSameFaultsInTheSameOrder) {
  auto run = [](std::uint64_t seed) {
    SimOptions options = WithFaults({.p_429 = 0.3, .p_5xx = 0.3});
    options.seed = seed;
    SimServer server(options);
    server.Start();
    TestClient client(server);
    std::string statuses;
    for (int i = 0; i < 40; ++i) statuses += std::to_string(client.Status({"ab"})->status) + " ";
    return statuses;
  };
  EXPECT_EQ(run(5), run(5));
  EXPECT_NE(run(5), run(6));
}

}  // namespace
}  // namespace gridbatch::sim
