// The API client's requests as a plain HTTP server sees them: paths, headers,
// bodies, chunking, and what it does with replies no simulator would send.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "api/reply_classifier.hpp"
#include "gridbatch/api/api_client.hpp"
#include "gridbatch/error.hpp"
#include "loopback_server.hpp"

namespace gridbatch::api {
namespace {

using http::testing::LoopbackServer;
using http::testing::Reply;
using http::testing::SeenRequest;
using namespace std::chrono_literals;

constexpr const char* kToken = "tok-Hh42-DO-NOT-LEAK-c0de";

void RunUntilIdle(http::Client& http) {
  for (int round = 0; round < 3000 && http.InFlight() > 0; ++round) http.Perform(20ms);
  ASSERT_EQ(http.InFlight(), 0u);
}

Reply JsonReply(std::string body) {
  Reply reply;
  reply.body = std::move(body);
  return reply;
}

ApiOptions OptionsFor(const LoopbackServer& server, std::size_t max_ids_per_get = 100) {
  ApiOptions options;
  options.endpoint = server.Url("/remotejobs/v2/");  // the trailing slash is dropped
  options.token = kToken;
  options.max_ids_per_get = max_ids_per_get;
  return options;
}

std::vector<std::string> Ids(int count) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) ids.push_back("id" + std::to_string(i));
  return ids;
}

TEST(ApiClientTest, SubmitPostsTheBuiltBodyWithTheTokenInTheHeaderOnly) {
  LoopbackServer server(
      [](const SeenRequest&) { return JsonReply(R"({"success":true,"ids":["j1"]})"); });
  http::Client http;
  Client api(http, OptionsFor(server));
  SubmitRequest request;
  request.model = "gemma:2b";
  request.prompt = "What is \"1+1\"?";
  std::string remote_id;
  api.Submit(request, [&](SubmitResult&& r) { remote_id = r.remote_id; });
  RunUntilIdle(http);
  EXPECT_EQ(remote_id, "j1");
  ASSERT_EQ(server.requests().size(), 1u);
  const SeenRequest seen = server.requests()[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/remotejobs/v2/jobs");
  EXPECT_EQ(seen.body, BuildSubmitBody(request));
  EXPECT_EQ(seen.body.find(kToken), std::string::npos);
  EXPECT_EQ(seen.headers.at("authorization"), std::string("Bearer ") + kToken);
  EXPECT_EQ(seen.headers.at("content-type"), "application/json");
  EXPECT_EQ(seen.headers.at("accept"), "application/json");
}

// What the run's circuit breaker counts: refusals that would repeat for
// every job, and none for a passing trouble.
TEST(ApiClientTest, ASubmitsRefusalSaysWhetherItWouldRepeatForEveryJob) {
  struct Case {
    int status;
    std::string body;
    Reply::Kind kind;
    Refusal expected;
  };
  const std::vector<Case> cases = {
      {404, "Not Found", Reply::Kind::kRespond, Refusal::kHttp},
      {400, R"({"error":"bad"})", Reply::Kind::kRespond, Refusal::kHttp},
      {200, R"({"success":false,"error":"Unknown model: x"})", Reply::Kind::kRespond,
       Refusal::kService},
      {200, R"({"success":true,"ids":["j1"]})", Reply::Kind::kRespond, Refusal::kNone},
      {429, "slow down", Reply::Kind::kRespond, Refusal::kNone},
      {503, "<html>busy</html>", Reply::Kind::kRespond, Refusal::kNone},
      {401, "no", Reply::Kind::kRespond, Refusal::kNone},
      {200, "{\"success\":", Reply::Kind::kRespond, Refusal::kNone},  // malformed
      {200, "", Reply::Kind::kReset, Refusal::kNone},
  };
  for (const Case& c : cases) {
    LoopbackServer server([&c](const SeenRequest&) {
      Reply reply = JsonReply(c.body);
      reply.status = c.status;
      reply.kind = c.kind;
      return reply;
    });
    http::Client http;
    Client api(http, OptionsFor(server));
    std::optional<SubmitResult> result;
    api.Submit(SubmitRequest{.model = "x", .prompt = "p"},
               [&](SubmitResult&& r) { result = std::move(r); });
    RunUntilIdle(http);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->refusal, c.expected) << c.status << " " << c.body;
  }
}

TEST(ApiClientTest, AClosedPortIsAnUnreachableServer) {
  std::string endpoint;
  {
    LoopbackServer gone([](const SeenRequest&) { return JsonReply("{}"); });
    endpoint = gone.Url("/remotejobs/v2");
  }
  http::Client http;
  ApiOptions options;
  options.endpoint = endpoint;
  options.token = kToken;
  Client api(http, options);
  std::optional<SubmitResult> result;
  api.Submit(SubmitRequest{.model = "x", .prompt = "p"},
             [&](SubmitResult&& r) { result = std::move(r); });
  RunUntilIdle(http);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->outcome, Outcome::kRetryable);
  EXPECT_EQ(result->refusal, Refusal::kUnreachable) << result->error;
  EXPECT_EQ(result->error.rfind("connection refused", 0), 0u) << result->error;
}

TEST(ApiClientTest, StatusChunksIdsInOrderIntoCommaJoinedPaths) {
  LoopbackServer server(
      [](const SeenRequest&) { return JsonReply(R"({"success":true,"jobs":{}})"); });
  http::Client http;
  Client api(http, OptionsFor(server, 2));
  std::vector<std::vector<std::string>> requested;
  api.Status(Ids(5), [&](StatusResult&& r) {
    EXPECT_EQ(r.outcome, Outcome::kSuccess);
    EXPECT_EQ(r.missing, r.requested);
    requested.push_back(r.requested);
  });
  RunUntilIdle(http);
  std::vector<std::string> targets;
  for (const SeenRequest& seen : server.requests()) targets.push_back(seen.target);
  std::sort(targets.begin(), targets.end());
  EXPECT_EQ(targets,
            (std::vector<std::string>{"/remotejobs/v2/jobs/id0,id1", "/remotejobs/v2/jobs/id2,id3",
                                      "/remotejobs/v2/jobs/id4"}));
  std::sort(requested.begin(), requested.end());
  EXPECT_EQ(requested,
            (std::vector<std::vector<std::string>>{{"id0", "id1"}, {"id2", "id3"}, {"id4"}}));
}

TEST(ApiClientTest, InvalidIdsAreNeverSentAndComeBackAloneFromTheNextPerform) {
  LoopbackServer server(
      [](const SeenRequest&) { return JsonReply(R"({"success":true,"jobs":{}})"); });
  http::Client http;
  Client api(http, OptionsFor(server));
  std::vector<StatusResult> results;
  api.Status({"ok1", "../admin", "", "ok2"},
             [&](StatusResult&& r) { results.push_back(std::move(r)); });
  EXPECT_TRUE(results.empty());  // nothing runs inside Status()
  RunUntilIdle(http);
  ASSERT_EQ(results.size(), 3u);
  std::vector<std::string> errors;
  for (const StatusResult& r : results) {
    if (r.outcome == Outcome::kSuccess) {
      EXPECT_EQ(r.requested, (std::vector<std::string>{"ok1", "ok2"}));
    } else {
      EXPECT_EQ(r.outcome, Outcome::kPermanent);
      EXPECT_EQ(r.requested.size(), 1u);
      errors.push_back(r.error);
    }
  }
  std::sort(errors.begin(), errors.end());
  EXPECT_EQ(errors,
            (std::vector<std::string>{
                "invalid remote id '': only letters, digits, '-' and '_', 1 to 128 characters",
                "invalid remote id '../admin': only letters, digits, '-' and '_', 1 to 128 "
                "characters"}));
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].target, "/remotejobs/v2/jobs/ok1,ok2");
}

TEST(ApiClientTest, NoIdsMeansNoRequestAndNoCallback) {
  LoopbackServer server([](const SeenRequest&) { return JsonReply("{}"); });
  http::Client http;
  Client api(http, OptionsFor(server));
  int calls = 0;
  api.Status({}, [&](StatusResult&&) { ++calls; });
  EXPECT_EQ(http.InFlight(), 0u);
  EXPECT_EQ(calls, 0);
}

TEST(ApiClientTest, ATokenEchoedBackByTheServerIsRedactedFromTheMessage) {
  LoopbackServer server([](const SeenRequest& seen) {
    Reply reply;
    reply.status = 500;
    reply.body = "debug: you sent Authorization: " + seen.headers.at("authorization");
    return reply;
  });
  http::Client http;
  Client api(http, OptionsFor(server));
  std::string submit_error;
  std::string status_error;
  api.Submit(SubmitRequest{}, [&](SubmitResult&& r) { submit_error = r.error; });
  api.Status({"a"}, [&](StatusResult&& r) { status_error = r.error; });
  RunUntilIdle(http);
  EXPECT_EQ(submit_error, "HTTP 500: debug: you sent Authorization: Bearer [redacted]");
  EXPECT_EQ(status_error, "HTTP 500: debug: you sent Authorization: Bearer [redacted]");
}

// The excerpt keeps 200 characters of a body: a token straddling the cut used
// to leave the part before it, unmatched by a search for the whole token.
TEST(ApiClientTest, ATokenStraddlingTheExcerptCutLeavesNoPartInTheMessage) {
  LoopbackServer server([](const SeenRequest& seen) {
    Reply reply;
    reply.status = seen.method == "POST" ? 500 : 200;
    const std::string padding(185, 'x');
    reply.body = seen.method == "POST"
                     ? padding + seen.headers.at("authorization")
                     : "{\"success\":true,\"jobs\":{\"a\":{\"states\":{\"default\":{\"status\":"
                       "\"running\",\"log\":\"echo " +
                           seen.headers.at("authorization") + "\"}}}}}";
    return reply;
  });
  http::Client http;
  Client api(http, OptionsFor(server));
  std::string submit_error;
  std::string log;
  api.Submit(SubmitRequest{}, [&](SubmitResult&& r) { submit_error = r.error; });
  api.Status({"a"}, [&](StatusResult&& r) {
    ASSERT_EQ(r.jobs.size(), 1u);
    log = r.jobs[0].log;
  });
  RunUntilIdle(http);
  EXPECT_EQ(submit_error, "HTTP 500: " + std::string(185, 'x') + "Bearer [redacte...");
  EXPECT_EQ(log, "echo Bearer [redacted]");  // an output echoing it is redacted too
}

TEST(ApiClientTest, RedactRemovesLongRunsOfTheSecretNotOnlyTheWhole) {
  const std::string secret = "tok-Hh42-DO-NOT-LEAK-c0de";
  EXPECT_EQ(Redact("cut: tok-Hh42-DO-NO...", secret), "cut: [redacted]...");
  EXPECT_EQ(Redact("tail: NOT-LEAK-c0de!", secret), "tail: [redacted]!");
  EXPECT_EQ(Redact("both " + secret + " and " + secret, secret), "both [redacted] and [redacted]");
  EXPECT_EQ(Redact("short run tok-Hh4 stays", secret), "short run tok-Hh4 stays");
  EXPECT_EQ(Redact("a secret of 4: abcd, abc", "abcd"), "a secret of 4: [redacted], abc");
}

TEST(ApiClientTest, RedactingTwiceLeavesTheMarksOfTheFirstPassWhole) {
  // A one-letter token is in the mark itself: the marks stay as they are.
  const std::string once = Redact("Unauthorized: a valid token", "t");
  EXPECT_EQ(once, "Unau[redacted]horized: a valid [redacted]oken");
  EXPECT_EQ(Redact(once, "t"), once);
  EXPECT_EQ(Redact("[redacted] and e", "e"), "[redacted] and [redacted]");
}

TEST(ApiClientTest, ATokenWithAControlCharacterIsRefusedBeforeAnyRequest) {
  LoopbackServer server([](const SeenRequest&) { return JsonReply("{}"); });
  http::Client http;
  ApiOptions options = OptionsFor(server);
  for (const std::string bad :
       {"SECRETzq\r\nX-Injected: yes", "SECRETzq\nx", "SECRETzq\tx", "SECRETzq\x7f"}) {
    options.token = bad;
    try {
      Client api(http, options);
      ADD_FAILURE() << "accepted a token with a control character";
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_code(), kExitUsage);
      EXPECT_EQ(std::string(e.what()).find("SECRETzq"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(server.connections_accepted(), 0);
}

}  // namespace
}  // namespace gridbatch::api
