#include "sim_server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <latch>
#include <memory>
#include <thread>

#include "gridbatch/error.hpp"
#include "sim_test_client.hpp"

namespace gridbatch::sim {
namespace {

using testing::FastOptions;
using testing::json;
using testing::TestClient;

std::string Status(const json& job) {
  return job["states"]["default"]["status"];
}
std::string Log(const json& job) {
  return job["states"]["default"]["log"];
}

TEST(SimServerTest, StartPicksAFreePortAndNamesItsEndpoint) {
  SimServer server(FastOptions());
  const int port = server.Start();
  EXPECT_GT(port, 0);
  EXPECT_EQ(server.port(), port);
  EXPECT_EQ(server.Endpoint(), "http://127.0.0.1:" + std::to_string(port) + "/remotejobs/v2");
}

TEST(SimServerTest, AJobWalksThroughEveryStatusWithAGrowingLogAndRuntime) {
  SimOptions options = FastOptions();
  options.queue_seconds = 0.2;
  options.run_seconds = 1.2;
  SimServer server(options);
  server.Start();
  TestClient client(server);
  const std::string id = client.SubmitOk("gemma:2b", "When does 1+1=10?");
  const std::string final_log = FinalLog("gemma:2b", "When does 1+1=10?");

  std::vector<std::string> statuses;
  std::vector<std::string> vm_statuses;
  std::vector<std::int64_t> runtimes;
  std::string last_log;
  int log_changes = 0;
  for (int i = 0; i < 3000; ++i) {
    const json job = client.Jobs({id})[id];
    if (statuses.empty() || statuses.back() != Status(job)) {
      statuses.push_back(Status(job));
      vm_statuses.push_back(job["vmStatus"]);
    }
    if (runtimes.empty() || runtimes.back() != job["runtime"]) runtimes.push_back(job["runtime"]);
    const std::string log = Log(job);
    ASSERT_EQ(final_log.rfind(log, 0), 0u) << "each log is a prefix of the final one";
    ASSERT_GE(log.size(), last_log.size()) << "the log never shrinks";
    log_changes += log != last_log;
    last_log = log;
    if (Status(job) == "completed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(statuses,
            (std::vector<std::string>{"provisioning", "downloading", "running", "completed"}));
  EXPECT_EQ(vm_statuses,
            (std::vector<std::string>{"provisioning", "downloading", "running", "stopped"}));
  EXPECT_EQ(runtimes, (std::vector<std::int64_t>{0, 1}));
  EXPECT_GT(log_changes, 3);
  EXPECT_EQ(last_log, final_log);
}

TEST(SimServerTest, ACompletedJobCarriesItsWholeRecord) {
  SimServer server(FastOptions());
  server.Start();
  TestClient client(server);
  const std::string id = client.SubmitOk("llama3:8b", "What is the capital of Peru?");
  const json job = client.WaitFinal(id);
  EXPECT_EQ(Status(job), "completed");
  EXPECT_EQ(job["vmStatus"], "stopped");
  EXPECT_EQ(Log(job), FinalLog("llama3:8b", "What is the capital of Peru?"));
  EXPECT_EQ(job["states"]["default"]["commandLine"],
            R"({"inputs":["What is the capital of Peru?"]})");
  EXPECT_EQ(job["states"]["default"]["app"], "gridrepublic:text-inference");
  EXPECT_EQ(job["states"]["default"]["outputFiles"], json::array());
  EXPECT_EQ(job["tag"], "llama3:8b");
  EXPECT_EQ(job["copy"], 0);
  EXPECT_EQ(job["runtime"], 0);
  const std::string created = job["created"];
  EXPECT_EQ(created.size(), 25u);
  EXPECT_EQ(created.substr(19), "+00:00");
}

TEST(SimServerTest, MarkedPromptsEndFailedOrAbortedWithPartOfTheirLog) {
  SimServer server(FastOptions());
  server.Start();
  TestClient client(server);
  const std::string failing = "please [[fail]] now";
  const std::string aborting = "please [[abort]] now";
  const json failed = client.WaitFinal(client.SubmitOk("m", failing));
  const json aborted = client.WaitFinal(client.SubmitOk("m", aborting));
  EXPECT_EQ(Status(failed), "failed");
  EXPECT_EQ(Status(aborted), "aborted");
  const std::string full = FinalLog("m", failing);
  EXPECT_EQ(Log(failed), full.substr(0, full.size() / 2));
  EXPECT_EQ(failed["vmStatus"], "stopped");
}

TEST(SimServerTest, TitleCaseSpellsStatusesWithACapital) {
  SimOptions options = FastOptions();
  options.status_case = "title";
  SimServer server(options);
  server.Start();
  TestClient client(server);
  EXPECT_EQ(Status(client.WaitFinal(client.SubmitOk("m", "p"))), "Completed");
  EXPECT_EQ(Status(client.WaitFinal(client.SubmitOk("m", "[[fail]]"))), "Failed");
}

TEST(SimServerTest, AnUnknownStatusCaseIsRefused) {
  SimOptions options = FastOptions();
  options.status_case = "upper";
  try {
    SimServer server(options);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "status case must be 'lower' or 'title', not 'upper'");
    EXPECT_EQ(e.exit_code(), kExitUsage);
  }
}

TEST(SimServerTest, RequestsWithoutTheRightTokenGet401WithoutEchoingIt) {
  SimServer server(FastOptions());
  server.Start();
  TestClient wrong(server, "secret-guess-123");
  std::vector<httplib::Result> replies;
  replies.push_back(wrong.Submit("m", "p"));
  replies.push_back(wrong.Status({"0123456789abcdef0123456789abcdef"}));
  for (const auto& res : replies) {
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401);
    EXPECT_EQ(res->body,
              R"({"success":false,"error":"Unauthorized: a valid Bearer token is required"})");
  }
  httplib::Client bare("127.0.0.1", server.port());
  auto res = bare.Get("/remotejobs/v2/jobs/abc");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  const Counters c = server.GetCounters();
  EXPECT_EQ(c.unauthorized, 3u);
  EXPECT_EQ(c.submits_accepted, 0u);
  EXPECT_EQ(c.jobs, 0u);
}

TEST(SimServerTest, InvalidBodiesAreAnsweredWithSuccessFalseAndCounted) {
  SimServer server(FastOptions());
  server.Start();
  TestClient client(server);
  const std::vector<std::string> bodies = {
      "{", R"({"app":"a","tag":"m"})", R"({"app":"a","commandLine":"{\"inputs\":[]}","tag":"m"})",
      R"({"app":"a","commandLine":"{\"inputs\":[\"p\"]}","tag":""})"};
  for (const auto& body : bodies) {
    auto res = client.PostRaw(body);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, R"({"success":false,"error":"Invalid input format"})");
  }
  EXPECT_EQ(server.GetCounters().submits_rejected, 4u);
  EXPECT_EQ(server.GetCounters().jobs, 0u);
}

TEST(SimServerTest, HoursIsAcceptedAsANumber) {
  SimServer server(FastOptions());
  server.Start();
  TestClient client(server);
  auto res = client.PostRaw(
      R"({"app":"gridrepublic:text-inference","commandLine":"{\"inputs\":[\"p\"]}","tag":"m","hours":2})");
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["success"], true);
}

TEST(SimServerTest, ModelsOutsideTheListAreUnknown) {
  SimOptions options = FastOptions();
  options.models = {"gemma:2b", "llama3:8b"};
  SimServer server(options);
  server.Start();
  TestClient client(server);
  auto res = client.Submit("gpt-9", "p");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"success":false,"error":"Unknown model: gpt-9"})");
  EXPECT_FALSE(client.SubmitOk("llama3:8b", "p").empty());
  EXPECT_EQ(server.GetCounters().submits_rejected, 1u);
}

TEST(SimServerTest, UnknownIdsAreLeftOutOfTheReply) {
  SimServer server(FastOptions());
  server.Start();
  TestClient client(server);
  const std::string id = client.SubmitOk("m", "p");
  const json jobs = client.Jobs({"00000000000000000000000000000000", id, "nothex", id});
  ASSERT_TRUE(jobs.is_object());
  EXPECT_EQ(jobs.size(), 1u);
  EXPECT_TRUE(jobs.contains(id));
  const json none = client.Jobs({"ffffffffffffffffffffffffffffffff"});
  EXPECT_EQ(none, json::object());
}

TEST(SimServerTest, MoreIdsThanAllowedInOneGetIs400) {
  SimOptions options = FastOptions();
  options.max_ids_per_get = 3;
  SimServer server(options);
  server.Start();
  TestClient client(server);
  EXPECT_EQ(client.Status({"a", "b", "c"})->status, 200);
  auto res = client.Status({"a", "b", "c", "d"});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body, R"j({"success":false,"error":"Too many ids: 4 (at most 3 per request)"})j");
}

TEST(SimServerTest, PromptsWithQuotesControlsAndEmojiRoundTrip) {
  SimServer server(FastOptions());
  server.Start();
  TestClient client(server);
  const std::string prompt =
      "He said \"hi\" \\ back\\slash\nnew line\ttab \x01\x07\x1f ctrl \xF0\x9F\x98\x80 "
      "\xC3\xA9t\xC3\xA9 "
      "\xE4\xB8\xAD\xE6\x96\x87 {\"inputs\": [\"x\"]}";
  const json job = client.WaitFinal(client.SubmitOk("gemma:2b", prompt));
  EXPECT_EQ(Log(job), FinalLog("gemma:2b", prompt));
  EXPECT_NE(Log(job).find(prompt), std::string::npos);
  EXPECT_EQ(json::parse(job["states"]["default"]["commandLine"].get<std::string>())["inputs"][0],
            prompt);
}

TEST(SimServerTest, CountsSubmitsDuplicatesGetsAndPolledIds) {
  SimServer server(FastOptions());
  server.Start();
  TestClient client(server);
  const std::string a = client.SubmitOk("m", "p");
  const std::string b = client.SubmitOk("m", "p");
  const std::string c = client.SubmitOk("other", "p");
  client.Jobs({a, b});
  client.Jobs({c});
  const Counters counters = server.GetCounters();
  EXPECT_EQ(counters.submits_accepted, 3u);
  EXPECT_EQ(counters.duplicate_submits, 1u);
  EXPECT_EQ(counters.gets, 2u);
  EXPECT_EQ(counters.ids_polled, 3u);
  EXPECT_EQ(counters.requests, 5u);
  EXPECT_EQ(counters.jobs, 3u);
  EXPECT_EQ(counters.peak_concurrent_requests, 1u);
}

TEST(SimServerTest, CountersAreServedAsJsonAndCanBeReset) {
  SimServer server(FastOptions());
  server.Start();
  TestClient client(server);
  client.SubmitOk("m", "p");
  httplib::Client bare("127.0.0.1", server.port());
  const json counters = json::parse(bare.Get("/sim/counters")->body);
  EXPECT_EQ(counters["submits_accepted"], 1);
  EXPECT_EQ(counters["requests"], 1);
  EXPECT_EQ(counters["jobs"], 1);
  EXPECT_EQ(counters.size(), 15u);
  auto reset = bare.Post("/sim/reset-counters");
  ASSERT_TRUE(reset);
  EXPECT_EQ(json::parse(reset->body)["submits_accepted"], 0);
  EXPECT_EQ(server.GetCounters().submits_accepted, 0u);
  EXPECT_EQ(server.GetCounters().jobs, 1u) << "jobs stay";
}

TEST(SimServerTest, PeakConcurrencyCountsRequestsHandledAtOnce) {
  SimOptions options = FastOptions();
  options.faults.p_slow = 1;
  options.faults.slow_seconds = 1.5;
  SimServer server(options);
  server.Start();
  constexpr int kClients = 8;
  std::latch start(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&] {
      TestClient client(server);
      start.arrive_and_wait();
      client.Status({"0123"});
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(server.GetCounters().peak_concurrent_requests, static_cast<std::uint64_t>(kClients));
}

// Each keep-alive connection holds a worker for its whole life; with a pool
// smaller than the clients' connections the second round would wait for
// keep-alive timeouts and the clients' read timeout would fail it.
TEST(SimServerTest, HundredsOfKeepAliveConnectionsAreServedAtOnce) {
  SimOptions options = FastOptions();
  options.threads = 0;  // the default pool
  options.keep_alive_seconds = 60;
  SimServer server(options);
  server.Start();
  constexpr int kConnections = 300;
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < kConnections; ++i) {
    clients.push_back(std::make_unique<TestClient>(server));
    clients.back()->http().set_read_timeout(20, 0);
  }
  for (int round = 0; round < 2; ++round) {
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (auto& client : clients) {
      threads.emplace_back([&ok, c = client.get(), round] {
        if (round == 0 ? !c->SubmitOk("m", "p").empty() : c->Jobs({"ab"}).is_object()) ++ok;
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), kConnections) << "round " << round;
  }
  EXPECT_EQ(server.GetCounters().requests, 2u * kConnections);
}

// A raw connection: the server's keep-alive handling, without a client that
// reconnects behind the test's back.
int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) ADD_FAILURE() << "connect";
  return fd;
}

// Sends a request and reads its reply: the headers, then Content-Length bytes.
std::string Exchange(int fd, const std::string& request) {
  if (send(fd, request.data(), request.size(), 0) < 0) return "";
  std::string reply;
  char buf[4096];
  for (;;) {
    const std::size_t end = reply.find("\r\n\r\n");
    if (end != std::string::npos) {
      const std::size_t at = reply.find("Content-Length: ");
      const std::size_t length = at < end ? std::stoul(reply.substr(at + 16)) : 0;
      if (reply.size() >= end + 4 + length) return reply;
    }
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return reply;
    reply.append(buf, static_cast<std::size_t>(n));
  }
}

TEST(SimServerTest, AKeepAliveConnectionServesSeveralRequestsThenClosesWhenIdle) {
  SimOptions options = FastOptions();
  options.keep_alive_seconds = 1;
  SimServer server(options);
  server.Start();
  const int fd = Connect(server.port());
  const std::string request =
      "GET /remotejobs/v2/jobs/ab HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sim-token\r\n\r\n";
  for (int i = 0; i < 3; ++i) {
    const std::string reply = Exchange(fd, request);
    EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
    const std::string body = R"({"success":true,"jobs":{}})";
    ASSERT_GE(reply.size(), body.size());
    EXPECT_EQ(reply.substr(reply.size() - body.size()), body);
  }
  char byte;
  EXPECT_EQ(recv(fd, &byte, 1, 0), 0) << "the server closes the idle connection";
  close(fd);
  EXPECT_EQ(server.GetCounters().requests, 3u);
}

// Compressing a 48 KB status reply with brotli takes httplib up to 190 ms:
// the simulator must not do it for a client that merely offers it.
TEST(SimServerTest, RepliesAreNeverCompressedEvenWhenTheClientOffersIt) {
  SimServer server(FastOptions());
  server.Start();
  TestClient client(server);
  const std::string id = client.SubmitOk("m", "p");
  const int fd = Connect(server.port());
  const std::string reply =
      Exchange(fd, "GET /remotejobs/v2/jobs/" + id +
                       " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sim-token\r\n"
                       "Accept-Encoding: gzip, deflate, br\r\n\r\n");
  close(fd);
  const std::size_t body = reply.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos) << reply;
  const std::string headers = reply.substr(0, body);
  EXPECT_EQ(headers.find("Content-Encoding"), std::string::npos) << headers;
  EXPECT_NE(headers.find("\r\nContent-Type: application/json; charset=utf-8"), std::string::npos)
      << headers;
  EXPECT_TRUE(json::parse(reply.substr(body + 4))["jobs"].contains(id));
}

TEST(SimServerTest, StopHangsUpOnIdleKeepAliveConnectionsAndIsIdempotent) {
  SimOptions options = FastOptions();
  options.keep_alive_seconds = 600;
  auto server = std::make_unique<SimServer>(options);
  server->Start();
  TestClient client(*server);
  client.SubmitOk("m", "p");  // leaves an idle keep-alive connection behind
  server->Stop();
  server->Stop();
  EXPECT_FALSE(client.Submit("m", "p"));
  server.reset();
}

}  // namespace
}  // namespace gridbatch::sim
