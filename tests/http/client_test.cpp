#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "gridbatch/http/http_client.hpp"
#include "loopback_server.hpp"

namespace gridbatch::http {
namespace {

using testing::LoopbackServer;
using ::testing::MatchesRegex;
using testing::Reply;
using testing::SeenRequest;
using namespace std::chrono_literals;

Reply Respond(int status, std::string body, std::vector<std::string> headers = {}) {
  Reply reply;
  reply.status = status;
  reply.body = std::move(body);
  reply.headers = std::move(headers);
  return reply;
}

Reply Fail(Reply::Kind kind, std::string body = "") {
  Reply reply;
  reply.kind = kind;
  reply.body = std::move(body);
  return reply;
}

Reply Late(std::chrono::milliseconds delay) {
  Reply reply = Respond(200, "late");
  reply.delay = delay;
  return reply;
}

Request GetOf(std::string url, std::vector<std::string> headers = {}) {
  Request request;
  request.url = std::move(url);
  request.headers = std::move(headers);
  return request;
}

ClientOptions WithTimeout(long total_timeout_ms) {
  ClientOptions options;
  options.total_timeout_ms = total_timeout_ms;
  return options;
}

// Drives the client until every callback has run; bounded so a broken
// client fails the test instead of hanging it.
void RunUntilIdle(Client& client) {
  for (int round = 0; round < 3000 && client.InFlight() > 0; ++round) client.Perform(20ms);
  ASSERT_EQ(client.InFlight(), 0u);
}

Response Fetch(Client& client, Request request) {
  Response result;
  int calls = 0;
  client.Start(std::move(request), [&](Response&& r) {
    result = std::move(r);
    ++calls;
  });
  RunUntilIdle(client);
  EXPECT_EQ(calls, 1);
  return result;
}

Response Get(Client& client, const std::string& url) {
  return Fetch(client, GetOf(url));
}

LoopbackServer::Handler Always(Reply reply) {
  return [reply](const SeenRequest&) { return reply; };
}

TEST(HttpClientTest, GetReturnsStatusAndBody) {
  LoopbackServer server(Always(Respond(200, "{\"ok\":true}")));
  Client client;
  const Response response = Get(client, server.Url("/jobs/a,b"));
  EXPECT_EQ(response.transport_error, 0);
  EXPECT_EQ(response.error, "");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "{\"ok\":true}");
  EXPECT_FALSE(response.retry_after_seconds);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].method, "GET");
  EXPECT_EQ(server.requests()[0].target, "/jobs/a,b");
}

TEST(HttpClientTest, PostSendsItsBodyAsJsonWithTheGivenHeadersAndNoExpect) {
  LoopbackServer server(Always(Respond(201, "made")));
  Client client;
  const std::string big(1 << 21, 'x');  // past libcurl 7.88's 1 MiB Expect threshold
  Request post = GetOf(server.Url("/jobs"), {"Authorization: Bearer secret-1"});
  post.method = Request::Method::kPost;
  post.body = big;
  const Response response = Fetch(client, post);
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, "made");
  ASSERT_EQ(server.requests().size(), 1u);
  const SeenRequest seen = server.requests()[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.body, big);
  EXPECT_EQ(seen.headers.at("content-type"), "application/json");
  EXPECT_EQ(seen.headers.at("authorization"), "Bearer secret-1");
  EXPECT_EQ(seen.headers.count("expect"), 0u);
}

// One request at a time runs on the same easy handle every time, which is
// not reset between requests: nothing of one may reach the next.
TEST(HttpClientTest, AReusedHandleCarriesNothingFromOneRequestIntoTheNext) {
  LoopbackServer server(Always(Respond(200, "x")));
  Client client;
  Request post = GetOf(server.Url("/jobs"), {"Authorization: Bearer secret-1"});
  post.method = Request::Method::kPost;
  post.body = "{\"a\":1}";
  Fetch(client, post);
  Fetch(client, GetOf(server.Url("/jobs/7"), {"X-Other: 2"}));
  Fetch(client, GetOf(server.Url("/plain")));
  post.body = "{\"b\":2}";
  Fetch(client, post);
  ASSERT_EQ(server.requests().size(), 4u);
  const std::vector<SeenRequest> seen = server.requests();
  EXPECT_EQ(seen[1].method, "GET");
  EXPECT_EQ(seen[1].target, "/jobs/7");
  EXPECT_EQ(seen[1].body, "");
  EXPECT_EQ(seen[1].headers.count("content-type"), 0u);
  EXPECT_EQ(seen[1].headers.count("authorization"), 0u);
  EXPECT_EQ(seen[1].headers.at("x-other"), "2");
  EXPECT_EQ(seen[2].method, "GET");
  EXPECT_EQ(seen[2].headers.count("x-other"), 0u);
  EXPECT_EQ(seen[2].headers.count("authorization"), 0u);
  EXPECT_EQ(seen[3].method, "POST");
  EXPECT_EQ(seen[3].body, "{\"b\":2}");
  EXPECT_EQ(seen[3].headers.at("authorization"), "Bearer secret-1");
  EXPECT_EQ(seen[3].headers.count("x-other"), 0u);
  EXPECT_EQ(server.connections_accepted(), 1);
}

TEST(HttpClientTest, CompressionIsOfferedOnlyWhenAsked) {
  LoopbackServer server(Always(Respond(200, "x")));
  Client plain;
  Get(plain, server.Url("/"));
  ClientOptions options;
  options.accept_encoding = "gzip";
  Client compressed(options);
  Get(compressed, server.Url("/"));
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[0].headers.count("accept-encoding"), 0u);
  EXPECT_EQ(server.requests()[1].headers.at("accept-encoding"), "gzip");
}

TEST(HttpClientTest, AGzipReplyIsDecodedWhenGzipWasOffered) {
  // gzip of {"ok":"compressed"}
  const std::string gzipped(
      "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff\xab\x56\xca\xcf\x56\xb2\x52\x4a\xce\xcf"
      "\x2d\x28\x4a\x2d\x2e\x4e\x4d\x51\xaa\x05\x00\x19\xa2\x9b\x8a\x13\x00\x00\x00",
      39);
  LoopbackServer server(Always(Respond(200, gzipped, {"Content-Encoding: gzip"})));
  ClientOptions options;
  options.accept_encoding = "gzip";
  Client client(options);
  const Response response = Get(client, server.Url("/"));
  EXPECT_EQ(response.transport_error, 0) << response.error;
  EXPECT_EQ(response.body, "{\"ok\":\"compressed\"}");
}

TEST(HttpClientTest, SequentialRequestsReuseOneKeptAliveConnection) {
  LoopbackServer server(Always(Respond(200, "x")));
  Client client;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Get(client, server.Url("/")).status, 200);
  EXPECT_EQ(server.requests().size(), 20u);
  EXPECT_EQ(server.connections_accepted(), 1);
}

TEST(HttpClientTest, ManyRequestsInFlightEachGetTheirOwnReplyOnce) {
  LoopbackServer server([](const SeenRequest& r) { return Respond(200, r.target); });
  ClientOptions options;
  options.max_host_connections = 16;
  Client client(options);
  constexpr int kRequests = 300;
  std::vector<std::string> bodies(kRequests);
  std::vector<int> calls(kRequests, 0);
  for (int i = 0; i < kRequests; ++i) {
    client.Start(GetOf(server.Url("/" + std::to_string(i))), [&, i](Response&& r) {
      bodies[static_cast<std::size_t>(i)] = r.body;
      ++calls[static_cast<std::size_t>(i)];
    });
  }
  EXPECT_EQ(client.InFlight(), static_cast<std::size_t>(kRequests));
  RunUntilIdle(client);
  for (int i = 0; i < kRequests; ++i) {
    EXPECT_EQ(bodies[static_cast<std::size_t>(i)], "/" + std::to_string(i));
    EXPECT_EQ(calls[static_cast<std::size_t>(i)], 1);
  }
  EXPECT_GT(server.connections_accepted(), 1);
  EXPECT_LE(server.connections_accepted(), 16);
}

TEST(HttpClientTest, ReadsRetryAfterGivenInSeconds) {
  LoopbackServer server(Always(Respond(429, "slow down", {"Retry-After: 7"})));
  Client client;
  const Response response = Get(client, server.Url("/"));
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(response.retry_after_seconds, 7.0);
}

TEST(HttpClientTest, ReadsRetryAfterGivenAsAnHttpDate) {
  const std::time_t later = std::time(nullptr) + 3600;
  char date[64];
  std::tm parts{};
  gmtime_r(&later, &parts);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &parts);
  LoopbackServer server(Always(Respond(503, "", {std::string("Retry-After: ") + date})));
  Client client;
  const Response response = Get(client, server.Url("/"));
  ASSERT_TRUE(response.retry_after_seconds);
  EXPECT_GE(*response.retry_after_seconds, 3500.0);
  EXPECT_LE(*response.retry_after_seconds, 3600.0);
}

struct Observed {
  Request::Method method;
  std::string url, request_body, reply_body, error;
  long status;
  std::optional<double> retry_after;
  double elapsed;
  bool callback_ran_before;
};

TEST(HttpClientTest, AnObserverSeesEveryFinishedTransferOnceBeforeItsCallbackButNoHeader) {
  LoopbackServer server(Always(Respond(429, "slow down", {"Retry-After: 3"})));
  Client client;
  std::vector<Observed> seen;
  int callbacks = 0;
  std::vector<std::string> called_back;  // urls whose callback has run
  client.SetObserver([&](const Exchange& e) {
    const std::string url(e.url);
    const bool before = std::find(called_back.begin(), called_back.end(), url) != called_back.end();
    seen.push_back({e.method, url, std::string(e.request_body), e.response.body, e.response.error,
                    e.response.status, e.response.retry_after_seconds, e.response.elapsed_seconds,
                    before});
  });
  Request post = GetOf(server.Url("/jobs"), {"Authorization: Bearer secret-observed-9"});
  post.method = Request::Method::kPost;
  post.body = "{\"tag\":\"m\"}";
  client.Start(post, [&](Response&&) {
    ++callbacks;
    called_back.push_back(server.Url("/jobs"));
  });
  const std::string refused =
      "http://127.0.0.1:" + std::to_string(LoopbackServer::ClosedPort()) + "/x";
  client.Start(GetOf(refused), [&](Response&&) {
    ++callbacks;
    called_back.push_back(refused);
  });
  RunUntilIdle(client);
  ASSERT_EQ(seen.size(), 2u);
  ASSERT_EQ(callbacks, 2);
  const Observed& p = seen[0].url == refused ? seen[1] : seen[0];
  const Observed& g = seen[0].url == refused ? seen[0] : seen[1];
  EXPECT_EQ(p.method, Request::Method::kPost);
  EXPECT_EQ(p.url, server.Url("/jobs"));
  EXPECT_EQ(p.request_body, "{\"tag\":\"m\"}");
  EXPECT_EQ(p.status, 429);
  EXPECT_EQ(p.retry_after, 3.0);
  EXPECT_EQ(p.reply_body, "slow down");
  EXPECT_GT(p.elapsed, 0.0);
  EXPECT_EQ(g.method, Request::Method::kGet);
  EXPECT_EQ(g.status, 0);
  EXPECT_THAT(g.error, ::testing::StartsWith("connection refused"));
  for (const Observed& o : seen) {
    EXPECT_FALSE(o.callback_ran_before);
    EXPECT_EQ((o.url + o.request_body + o.reply_body + o.error).find("secret-observed-9"),
              std::string::npos);
  }
}

TEST(HttpClientTest, AnObserverSetToEmptyIsNoLongerCalled) {
  LoopbackServer server(Always(Respond(200, "ok")));
  Client client;
  int observed = 0;
  client.SetObserver([&](const Exchange&) { ++observed; });
  Get(client, server.Url("/a"));
  client.SetObserver(nullptr);
  Get(client, server.Url("/b"));
  EXPECT_EQ(observed, 1);
}

TEST(HttpClientTest, ClosedPortIsConnectionRefused) {
  Client client;
  const int port = LoopbackServer::ClosedPort();
  const Response response = Get(client, "http://127.0.0.1:" + std::to_string(port) + "/");
  EXPECT_EQ(response.transport_error, 7);  // CURLE_COULDNT_CONNECT
  EXPECT_EQ(response.status, 0);
  EXPECT_THAT(response.error,
              MatchesRegex("connection refused: Failed to connect to 127\\.0\\.0\\.1 port " +
                           std::to_string(port) + " after [0-9]+ ms: Couldn't connect to server"));
}

TEST(HttpClientTest, ResetByThePeerIsConnectionReset) {
  LoopbackServer server(Always(Fail(Reply::Kind::kReset)));
  Client client;
  const Response response = Get(client, server.Url("/"));
  EXPECT_EQ(response.transport_error, 56);  // CURLE_RECV_ERROR
  EXPECT_EQ(response.error, "connection reset: Recv failure: Connection reset by peer");
}

TEST(HttpClientTest, CloseWithoutAReplyIsAnEmptyReply) {
  LoopbackServer server(Always(Fail(Reply::Kind::kCloseWithoutReply)));
  Client client;
  const Response response = Get(client, server.Url("/"));
  EXPECT_EQ(response.transport_error, 52);  // CURLE_GOT_NOTHING
  EXPECT_EQ(response.error, "empty reply: Empty reply from server");
}

// A server that acts on every request but, on a reused connection, closes
// without replying: the way a keep-alive connection dies under a request.
Reply AnswerOnlyTheFirstOnEachConnection(const SeenRequest& request) {
  if (request.nth_on_connection > 1) return Fail(Reply::Kind::kCloseWithoutReply);
  return Respond(200, "job " + std::to_string(request.connection));
}

Request PostOf(std::string url) {
  Request post = GetOf(std::move(url));
  post.method = Request::Method::kPost;
  post.body = "{}";
  return post;
}

// libcurl 7.88 sends a request again on a fresh connection when a reused one
// dies before any reply. For a POST the server may have acted on the first
// send (here it did: it saw both), so the client never re-sends one: the
// dead send comes back as an error, and every send is in `sends`.
TEST(HttpClientTest, APostWhoseReusedConnectionDiesIsNotSentAgain) {
  LoopbackServer server(AnswerOnlyTheFirstOnEachConnection);
  Client client;
  std::vector<Response> responses;
  for (int i = 0; i < 4; ++i) responses.push_back(Fetch(client, PostOf(server.Url("/jobs"))));
  // 1st: a new connection, answered; 2nd: reused, dies, not re-sent; 3rd: a
  // new connection, answered; 4th: reused, dies.
  ASSERT_EQ(server.requests().size(), 4u);
  int sends = 0;
  for (std::size_t i = 0; i < responses.size(); ++i) {
    sends += responses[i].sends;
    EXPECT_EQ(responses[i].sends, 1) << i;
    if (i % 2 == 0) {
      EXPECT_EQ(responses[i].status, 200) << i;
      EXPECT_EQ(responses[i].transport_error, 0) << i;
    } else {
      EXPECT_NE(responses[i].transport_error, 0) << i;
      EXPECT_EQ(responses[i].error,
                "connection closed without a reply (the request may have reached the server; a "
                "POST is not sent again on a new connection)")
          << i;
    }
  }
  EXPECT_EQ(sends, static_cast<int>(server.requests().size()));
}

// A GET changes nothing on the server: libcurl's fresh resend stays, and is
// counted.
TEST(HttpClientTest, AGetWhoseReusedConnectionDiesIsSentAgainAndCounted) {
  LoopbackServer server(AnswerOnlyTheFirstOnEachConnection);
  Client client;
  const Response first = Get(client, server.Url("/jobs/a"));
  EXPECT_EQ(first.sends, 1);
  const Response second = Get(client, server.Url("/jobs/a"));
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, "job 2");
  EXPECT_EQ(second.sends, 2);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(HttpClientTest, ARequestThatCannotConnectWasNeverSent) {
  Client client;
  const int port = LoopbackServer::ClosedPort();
  Request post = PostOf("http://127.0.0.1:" + std::to_string(port) + "/jobs");
  EXPECT_EQ(Fetch(client, post).sends, 0);
}

TEST(HttpClientTest, ABodyShorterThanPromisedIsATruncatedReply) {
  LoopbackServer server(Always(Fail(Reply::Kind::kTruncate, "{\"success\":tr")));
  Client client;
  const Response response = Get(client, server.Url("/"));
  EXPECT_EQ(response.transport_error, 18);  // CURLE_PARTIAL_FILE
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.error, "truncated reply: transfer closed with 100 bytes remaining to read");
}

TEST(HttpClientTest, TotalTimeoutAbortsASlowReply) {
  LoopbackServer server(Always(Late(10s)));
  Client client(WithTimeout(300));
  const Response response = Get(client, server.Url("/"));
  EXPECT_EQ(response.transport_error, 28);  // CURLE_OPERATION_TIMEDOUT
  EXPECT_EQ(response.status, 0);
  EXPECT_THAT(response.error, MatchesRegex("timeout: Operation timed out after [0-9]+ "
                                           "milliseconds with 0 bytes received"));
}

TEST(HttpClientTest, ABodyOverTheLimitIsAbandoned) {
  LoopbackServer server(Always(Respond(200, std::string(5000, 'y'))));
  ClientOptions options;
  options.max_body_bytes = 1000;
  Client client(options);
  const Response response = Get(client, server.Url("/"));
  EXPECT_EQ(response.transport_error, 23);  // CURLE_WRITE_ERROR
  EXPECT_EQ(response.error, "reply too large: over 1000 bytes");
}

TEST(HttpClientTest, OnlyHttpAndHttpsAreAllowed) {
  Client client;
  const Response response = Get(client, "file:///etc/passwd");
  EXPECT_EQ(response.transport_error, 1);  // CURLE_UNSUPPORTED_PROTOCOL
  EXPECT_EQ(response.body, "");
  EXPECT_THAT(response.error, MatchesRegex("bad URL: .*file.*"));
}

TEST(HttpClientTest, AnUnreadableCaFileIsATlsErrorNotASilentFallback) {
  LoopbackServer server(Always(Respond(200, "plain http")));
  ClientOptions options;
  options.ca_file = "/nonexistent/gridbatch-ca.pem";
  Client client(options);
  const Response response = Get(client, "https://127.0.0.1:" + std::to_string(server.port()) + "/");
  EXPECT_EQ(response.transport_error, 77);  // CURLE_SSL_CACERT_BADFILE
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.body, "");
  EXPECT_EQ(response.error,
            "TLS error: error setting certificate file: /nonexistent/gridbatch-ca.pem");
}

TEST(HttpClientTest, ACallbackMayStartTheNextRequest) {
  LoopbackServer server([](const SeenRequest& r) { return Respond(200, r.target); });
  Client client;
  std::vector<std::string> seen;
  std::function<void(Response &&)> next = [&](Response&& r) {
    seen.push_back(r.body);
    if (seen.size() < 5) client.Start(GetOf(server.Url("/" + std::to_string(seen.size()))), next);
  };
  client.Start(GetOf(server.Url("/0")), next);
  RunUntilIdle(client);
  EXPECT_EQ(seen, (std::vector<std::string>{"/0", "/1", "/2", "/3", "/4"}));
}

TEST(HttpClientTest, ADeferredOutcomeArrivesFromTheNextPerformNotFromDefer) {
  Client client;
  std::string error;
  Response decided;
  decided.error = "decided locally";
  client.Defer(decided, [&](Response&& r) { error = r.error; });
  EXPECT_EQ(error, "");
  EXPECT_EQ(client.InFlight(), 1u);
  EXPECT_EQ(client.Perform(10s), 0u);  // returns without waiting out the 10 s
  EXPECT_EQ(error, "decided locally");
}

TEST(HttpClientTest, PerformWithNothingInFlightReturnsZero) {
  Client client;
  EXPECT_EQ(client.Perform(1ms), 0u);
}

TEST(HttpClientTest, DestroyingTheClientDropsRequestsInFlightWithoutCallbacks) {
  LoopbackServer server(Always(Late(10s)));
  int calls = 0;
  {
    Client client;
    for (int i = 0; i < 10; ++i) client.Start(GetOf(server.Url("/")), [&](Response&&) { ++calls; });
    client.Perform(50ms);
  }
  EXPECT_EQ(calls, 0);
}

TEST(HttpClientTest, NoErrorMessageContainsARequestHeader) {
  const std::string token = "tok-7f3c-DO-NOT-LEAK";
  LoopbackServer reset(Always(Fail(Reply::Kind::kReset)));
  LoopbackServer truncate(Always(Fail(Reply::Kind::kTruncate, "x")));
  LoopbackServer slow(Always(Late(10s)));
  Client client(WithTimeout(200));
  const std::vector<std::string> urls = {
      reset.Url("/"), truncate.Url("/"), slow.Url("/"),
      "http://127.0.0.1:" + std::to_string(LoopbackServer::ClosedPort()) + "/"};
  for (const std::string& url : urls) {
    const Response response = Fetch(client, GetOf(url, {"Authorization: Bearer " + token}));
    EXPECT_NE(response.error, "") << url;
    EXPECT_EQ(response.error.find(token), std::string::npos) << response.error;
    EXPECT_EQ(response.error.find("Authorization"), std::string::npos) << response.error;
  }
}

}  // namespace
}  // namespace gridbatch::http
