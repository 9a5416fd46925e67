// The API client against the bundled simulator over loopback: every outcome
// class, prompts that stress both JSON encodings, chunked status GETs, many
// requests in flight, and the token kept out of every message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gridbatch/api/api_client.hpp"
#include "sim/sim_server.hpp"

namespace gridbatch::api {
namespace {

using ::testing::MatchesRegex;
using namespace std::chrono_literals;

constexpr const char* kToken = "tok-Zq81-DO-NOT-LEAK-4f0e";
constexpr const char* kModel = "gemma:2b";

sim::SimOptions FastSim() {
  sim::SimOptions options;
  options.token = kToken;
  options.queue_seconds = 0.02;
  options.run_seconds = 0.05;
  options.jitter = 0;
  return options;
}

// Drives `http` until every callback has run; bounded so a broken client
// fails the test instead of hanging it.
void RunUntilIdle(http::Client& http) {
  for (int round = 0; round < 3000 && http.InFlight() > 0; ++round) http.Perform(20ms);
  ASSERT_EQ(http.InFlight(), 0u);
}

class ApiAgainstSimTest : public ::testing::Test {
 protected:
  void StartSim(sim::SimOptions options = FastSim()) {
    sim_ = std::make_unique<sim::SimServer>(std::move(options));
    sim_->Start();
  }

  ApiOptions Options(std::size_t max_ids_per_get = 100) const {
    ApiOptions options;
    options.endpoint = sim_->Endpoint();
    options.token = kToken;
    options.max_ids_per_get = max_ids_per_get;
    return options;
  }

  SubmitResult SubmitOne(Client& api, http::Client& http, const std::string& prompt,
                         const std::string& model = kModel) {
    SubmitRequest request;
    request.model = model;
    request.prompt = prompt;
    SubmitResult result;
    int calls = 0;
    api.Submit(request, [&](SubmitResult&& r) {
      result = std::move(r);
      ++calls;
    });
    RunUntilIdle(http);
    EXPECT_EQ(calls, 1);
    return result;
  }

  SubmitResult SubmitOne(const std::string& prompt, const std::string& model = kModel) {
    Client api(http_, Options());
    return SubmitOne(api, http_, prompt, model);
  }

  std::vector<StatusResult> StatusOf(Client& api, const std::vector<std::string>& ids) {
    std::vector<StatusResult> results;
    api.Status(ids, [&](StatusResult&& r) { results.push_back(std::move(r)); });
    RunUntilIdle(http_);
    return results;
  }

  std::unique_ptr<sim::SimServer> sim_;
  http::Client http_;
};

// --- one outcome class at a time -------------------------------------------

TEST_F(ApiAgainstSimTest, ASubmitSucceedsWithTheIdThatStatusKnows) {
  StartSim();
  const SubmitResult submitted = SubmitOne("What is the capital of Peru?");
  ASSERT_EQ(submitted.outcome, Outcome::kSuccess) << submitted.error;
  EXPECT_TRUE(IsValidRemoteId(submitted.remote_id));
  EXPECT_EQ(submitted.http_status, 200);
  EXPECT_EQ(submitted.error, "");
  Client api(http_, Options());
  const auto results = StatusOf(api, {submitted.remote_id});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::kSuccess);
  ASSERT_EQ(results[0].jobs.size(), 1u);
  EXPECT_EQ(results[0].jobs[0].id, submitted.remote_id);
  EXPECT_THAT(results[0].jobs[0].created,
              MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\+00:00"));
  EXPECT_EQ(sim_->GetCounters().submits_accepted, 1u);
}

TEST_F(ApiAgainstSimTest, TooManyRequestsIsRetryableWithTheRetryAfterValue) {
  sim::SimOptions options = FastSim();
  options.faults.p_429 = 1;
  options.faults.retry_after_seconds = 7;
  StartSim(options);
  const SubmitResult r = SubmitOne("p");
  EXPECT_EQ(r.outcome, Outcome::kRetryable);
  EXPECT_EQ(r.http_status, 429);
  EXPECT_EQ(r.retry_after_seconds, 7.0);
  EXPECT_EQ(r.error, "HTTP 429: service said: Too many requests");
}

TEST_F(ApiAgainstSimTest, ServerErrorsAreRetryableAndQuoteTheirPage) {
  sim::SimOptions options = FastSim();
  options.faults.p_5xx = 1;
  StartSim(options);
  std::set<long> statuses;
  for (int i = 0; i < 12; ++i) {
    const SubmitResult r = SubmitOne("p");
    EXPECT_EQ(r.outcome, Outcome::kRetryable);
    statuses.insert(r.http_status);
    if (r.http_status == 500) {
      EXPECT_EQ(r.error, "HTTP 500: <html><body><h1>500 Internal Server Error</h1></body></html>");
    } else if (r.http_status == 502) {
      EXPECT_EQ(r.error,
                "HTTP 502: <html><head><title>502 Bad Gateway</title></head><body><h1>Bad "
                "Gateway</h1></body></html>");
    } else {
      EXPECT_EQ(r.http_status, 503);
      EXPECT_EQ(r.error, "HTTP 503: Service Temporarily Unavailable");
    }
  }
  EXPECT_GT(statuses.size(), 1u);  // the table above was exercised, not one row
}

TEST_F(ApiAgainstSimTest, AConnectionDroppedWithoutAReplyIsRetryable) {
  sim::SimOptions options = FastSim();
  options.faults.p_reset = 1;
  StartSim(options);
  const SubmitResult r = SubmitOne("p");
  EXPECT_EQ(r.outcome, Outcome::kRetryable);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_EQ(r.error, "empty reply: Empty reply from server");
  // The job was created all the same: why a lost reply is never "not sent".
  EXPECT_EQ(sim_->GetCounters().submits_accepted, 1u);
}

TEST_F(ApiAgainstSimTest, ATruncatedBodyIsRetryable) {
  sim::SimOptions options = FastSim();
  options.faults.p_truncated = 1;
  StartSim(options);
  const SubmitResult r = SubmitOne("p");
  EXPECT_EQ(r.outcome, Outcome::kRetryable);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.remote_id, "");
  EXPECT_THAT(r.error, MatchesRegex("HTTP 200: reply is not JSON: \\{\"success\":true,\"ids\":.*"));
  EXPECT_EQ(sim_->GetCounters().truncated, 1u);
}

TEST_F(ApiAgainstSimTest, ASlowReplyHitsTheTotalTimeout) {
  sim::SimOptions options = FastSim();
  options.faults.p_slow = 1;
  options.faults.slow_seconds = 30;  // cut short when the sim stops
  StartSim(options);
  http::ClientOptions impatient;
  impatient.total_timeout_ms = 300;
  http::Client http(impatient);
  Client api(http, Options());
  const SubmitResult r = SubmitOne(api, http, "p");
  EXPECT_EQ(r.outcome, Outcome::kRetryable);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_THAT(r.error, MatchesRegex("timeout: Operation timed out after [0-9]+ milliseconds with 0 "
                                    "bytes received"));
}

TEST_F(ApiAgainstSimTest, SuccessFalseIsPermanentWithTheServiceText) {
  sim::SimOptions options = FastSim();
  options.models = {kModel};
  StartSim(options);
  const SubmitResult r = SubmitOne("p", "no-such-model:1b");
  EXPECT_EQ(r.outcome, Outcome::kPermanent);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.error, "service said: Unknown model: no-such-model:1b");
}

TEST_F(ApiAgainstSimTest, AWrongTokenIsAnAuthFailure) {
  sim::SimOptions options = FastSim();
  options.token = "the-right-token";
  StartSim(options);
  const SubmitResult r = SubmitOne("p");
  EXPECT_EQ(r.outcome, Outcome::kAuth);
  EXPECT_EQ(r.http_status, 401);
  EXPECT_EQ(r.error, "HTTP 401: service said: Unauthorized: a valid Bearer token is required");
  Client api(http_, Options());
  const auto results = StatusOf(api, {"abc"});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::kAuth);
  EXPECT_EQ(sim_->GetCounters().unauthorized, 2u);
}

TEST_F(ApiAgainstSimTest, AClosedPortIsRetryableConnectionRefused) {
  StartSim();
  const int port = sim_->port();
  const ApiOptions options = Options();
  sim_->Stop();
  Client api(http_, options);
  const SubmitResult r = SubmitOne(api, http_, "p");
  EXPECT_EQ(r.outcome, Outcome::kRetryable);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_THAT(r.error,
              MatchesRegex("connection refused: Failed to connect to 127\\.0\\.0\\.1 port " +
                           std::to_string(port) + " after [0-9]+ ms: Couldn't connect to server"));
}

// --- prompts, chunking, load, secrecy ---------------------------------------

std::string AllControlCharacters() {
  std::string text = "controls:";
  for (char c = 1; c < 0x20; ++c) text += c;
  return text;
}

TEST_F(ApiAgainstSimTest, NastyPromptsComeBackVerbatimInTheirFinalLog) {
  StartSim();
  const std::vector<std::string> prompts = {
      "\"double\" and 'single' quotes",
      "back\\slash \\\\ \\n \\u0041 \\\"",
      "line one\nline two\r\nthree\ttabbed",
      AllControlCharacters(),
      "emoji 🙂👩‍👩‍👧 and CJK 漢字かなカナ한국어",
      "right to left: مرحبا بالعالم שלום עולם \u202Eevil",
      "</script><script>alert(1)</script>",
      R"({"inputs":["nested"],"commandLine":"{\"x\":1}","success":false})",
      std::string(100 * 1024, 'z') + " end",
  };
  Client api(http_, Options());
  std::vector<std::string> ids(prompts.size());
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    SubmitRequest request;
    request.model = kModel;
    request.prompt = prompts[i];
    api.Submit(request, [&ids, i](SubmitResult&& r) {
      EXPECT_EQ(r.outcome, Outcome::kSuccess) << r.error;
      ids[i] = r.remote_id;
    });
  }
  RunUntilIdle(http_);
  std::map<std::string, JobView> final_views;
  for (int round = 0; round < 200 && final_views.size() < ids.size(); ++round) {
    for (const StatusResult& result : StatusOf(api, ids)) {
      ASSERT_EQ(result.outcome, Outcome::kSuccess) << result.error;
      for (const JobView& job : result.jobs) {
        if (job.status == "completed") final_views[job.id] = job;
      }
    }
    http_.Perform(20ms);  // nothing in flight: a short sleep
  }
  ASSERT_EQ(final_views.size(), ids.size());
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    EXPECT_EQ(final_views[ids[i]].log, sim::FinalLog(kModel, prompts[i])) << "prompt " << i;
  }
}

TEST_F(ApiAgainstSimTest, TwoHundredFiftyIdsGoOutAsThreeGets) {
  StartSim();
  Client api(http_, Options(100));
  std::vector<std::string> ids;
  for (int i = 0; i < 250; ++i) ids.push_back("unknown" + std::to_string(i));
  const auto results = StatusOf(api, ids);
  ASSERT_EQ(results.size(), 3u);
  std::multiset<std::size_t> sizes;
  std::size_t missing = 0;
  for (const StatusResult& r : results) {
    EXPECT_EQ(r.outcome, Outcome::kSuccess) << r.error;
    sizes.insert(r.requested.size());
    missing += r.missing.size();
  }
  EXPECT_EQ(sizes, (std::multiset<std::size_t>{50, 100, 100}));
  EXPECT_EQ(missing, 250u);
  EXPECT_EQ(sim_->GetCounters().gets, 3u);
  EXPECT_EQ(sim_->GetCounters().ids_polled, 250u);
}

TEST_F(ApiAgainstSimTest, AGetOverTheServicesOwnLimitIsPermanentForThatChunkOnly) {
  sim::SimOptions options = FastSim();
  options.max_ids_per_get = 50;
  StartSim(options);
  Client api(http_, Options(100));
  std::vector<std::string> ids;
  for (int i = 0; i < 120; ++i) ids.push_back("unknown" + std::to_string(i));
  auto results = StatusOf(api, ids);
  ASSERT_EQ(results.size(), 2u);
  std::sort(results.begin(), results.end(), [](const StatusResult& a, const StatusResult& b) {
    return a.requested.size() > b.requested.size();
  });
  EXPECT_EQ(results[0].outcome, Outcome::kPermanent);
  EXPECT_EQ(results[0].http_status, 400);
  EXPECT_EQ(results[0].requested.size(), 100u);
  EXPECT_EQ(results[0].error, "HTTP 400: service said: Too many ids: 100 (at most 50 per request)");
  EXPECT_EQ(results[1].outcome, Outcome::kSuccess);
  EXPECT_EQ(results[1].missing.size(), 20u);
}

TEST_F(ApiAgainstSimTest, FiveHundredSubmitsStartedAtOnceAllComplete) {
  // Each request holds the simulator for 50 ms, so replies overlap in its
  // counters only if the client really has several on the wire (one at a
  // time would take 25 s and peak at 1).
  sim::SimOptions options = FastSim();
  options.faults.p_slow = 1;
  options.faults.slow_seconds = 0.05;
  StartSim(options);
  Client api(http_, Options());
  constexpr int kSubmits = 500;
  std::vector<SubmitResult> results(kSubmits);
  for (int i = 0; i < kSubmits; ++i) {
    SubmitRequest request;
    request.model = kModel;
    request.prompt = "prompt #" + std::to_string(i);
    api.Submit(request, [&results, i](SubmitResult&& r) {
      results[static_cast<std::size_t>(i)] = std::move(r);
    });
  }
  EXPECT_EQ(http_.InFlight(), static_cast<std::size_t>(kSubmits));
  RunUntilIdle(http_);
  std::set<std::string> ids;
  for (const SubmitResult& r : results) {
    EXPECT_EQ(r.outcome, Outcome::kSuccess) << r.error;
    ids.insert(r.remote_id);
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kSubmits));
  const sim::Counters counters = sim_->GetCounters();
  EXPECT_EQ(counters.submits_accepted, static_cast<std::uint64_t>(kSubmits));
  EXPECT_GT(counters.peak_concurrent_requests, 1u);
}

// Every failure path once, for a submit and for a status GET where both
// apply; each must say something, and none may say the token.
TEST_F(ApiAgainstSimTest, NoMessageOnAnyFailurePathContainsTheToken) {
  StartSim();
  std::vector<std::pair<Outcome, std::string>> failures;
  auto submit = [&](Client& api, http::Client& http, const std::string& model) {
    const SubmitResult r = SubmitOne(api, http, "p", model);
    failures.emplace_back(r.outcome, r.error);
  };
  auto status = [&](Client& api, http::Client& http, const std::vector<std::string>& ids) {
    api.Status(ids, [&](StatusResult&& r) { failures.emplace_back(r.outcome, r.error); });
    RunUntilIdle(http);
  };

  http::ClientOptions impatient;
  impatient.total_timeout_ms = 200;
  http::Client impatient_http(impatient);
  Client faulty_api(impatient_http, Options());
  std::vector<sim::Faults> fault_paths(5);
  fault_paths[0].p_429 = 1;
  fault_paths[1].p_5xx = 1;
  fault_paths[2].p_reset = 1;
  fault_paths[3].p_truncated = 1;
  fault_paths[4].p_slow = 1;
  fault_paths[4].slow_seconds = 30;
  for (const sim::Faults& faults : fault_paths) {
    sim_->SetFaults(faults);
    submit(faulty_api, impatient_http, kModel);
    status(faulty_api, impatient_http, {"abc", "def"});
  }
  sim_->SetFaults(sim::Faults{});

  Client api(http_, Options());
  status(api, http_, {"bad id!", "../x"});  // never sent
  Client greedy_api(http_, Options(300));
  status(greedy_api, http_, std::vector<std::string>(250, "abc"));  // over the sim's 200

  sim::SimOptions strict = FastSim();
  strict.models = {kModel};
  sim::SimServer strict_sim(strict);
  strict_sim.Start();
  ApiOptions strict_options = Options();
  strict_options.endpoint = strict_sim.Endpoint();
  Client strict_api(http_, strict_options);
  submit(strict_api, http_, "unknown-model:1b");  // success:false

  sim::SimOptions other_token = FastSim();
  other_token.token = "another-token";
  sim::SimServer locked_sim(other_token);
  locked_sim.Start();
  ApiOptions locked_options = Options();
  locked_options.endpoint = locked_sim.Endpoint();
  Client locked_api(http_, locked_options);
  submit(locked_api, http_, kModel);   // 401
  status(locked_api, http_, {"abc"});  // 401
  locked_sim.Stop();
  submit(locked_api, http_, kModel);  // connection refused

  ASSERT_EQ(failures.size(), 5u * 2 + 2 + 1 + 1 + 3);
  for (const auto& [outcome, error] : failures) {
    EXPECT_NE(outcome, Outcome::kSuccess) << error;
    EXPECT_NE(error, "");
    EXPECT_EQ(error.find(kToken), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace gridbatch::api
