// The fault matrix: one sweep (two models, a few prompts that the simulator
// fails or aborts on purpose) run by the real run::Runner over loopback
// against the in-process simulator, once per fault the simulator can inject
// and once with all of them together. Each case must end with every job
// final, every completed output equal to sim::FinalLog(model, prompt), every
// failure carrying its reason, and duplicates only where a reply was lost
// after the service created the job. Each case prints one summary line
// ("fault matrix | ...") that docs/RELIABILITY.md quotes.
#include <chrono>
#include <cstdint>
#include <iomanip>
#include <sstream>

#include "every_fault.hpp"
#include "run_test_support.hpp"

namespace gridbatch::run {
namespace {

const std::vector<std::string> kModels = {"gemma:2b", "llama3:8b"};

struct FaultCase {
  std::string name;
  sim::Faults faults;
  int prompts = 75;  // ordinary prompts, each run on both models
  // The client's whole-request limit: below the simulator's slow_seconds
  // in the cases with slow replies, so that those replies time out.
  long request_timeout_ms = 3000;
  // Whether a lost reply (reset, truncated, timed out) may hide a created job.
  bool lost_replies = false;
};

// What one case did, from the simulator's counters and the client's log.
struct Figures {
  std::size_t jobs = 0;
  sim::Counters counters;
  int submit_timeouts = 0;  // submits the client gave up waiting for
  int timeouts = 0;         // submits and status GETs alike
  int max_attempts = 0;
  double seconds = 0;
};

std::vector<std::string> SweepPrompts(int n) {
  std::vector<std::string> prompts;
  for (int i = 0; i < n; ++i) {
    prompts.push_back("Sweep prompt #" + std::to_string(i) + ": what is " + std::to_string(i) +
                      " + 1?");
  }
  // Text that a truncated or mangled reply would be most likely to spoil.
  prompts.push_back("Quote \" backslash \\ newline\n tab\t emoji \xF0\x9F\x98\x80 end");
  for (int i = 0; i < 3; ++i) prompts.push_back("doomed #" + std::to_string(i) + " [[fail]]");
  for (int i = 0; i < 3; ++i) prompts.push_back("stopped #" + std::to_string(i) + " [[abort]]");
  return prompts;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class FaultMatrixTest : public testing::RunFixture {
 protected:
  Figures RunCase(const FaultCase& c) {
    sim::SimOptions sim_options{.queue_seconds = 0.03, .run_seconds = 0.15, .seed = 11};
    sim_options.faults = c.faults;
    StartSim(sim_options);
    const std::vector<std::string> prompts = SweepPrompts(c.prompts);
    Load("matrix", prompts, kModels);

    const auto started = std::chrono::steady_clock::now();
    const RunResult result = RunWithTimeout(c.request_timeout_ms);
    Figures f;
    f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    EXPECT_FALSE(result.interrupted);
    EXPECT_FALSE(result.auth_failed);
    f.jobs = prompts.size() * kModels.size();
    CheckRows(f);
    f.counters = sim_->GetCounters();
    CountTimeouts(f);
    CheckDuplicates(c, f);
    Print(c, f);
    return f;
  }

 private:
  RunResult RunWithTimeout(long request_timeout_ms) {
    RunOptions options = FastOptions();
    options.max_attempts = 40;  // random faults must not exhaust a job's attempts
    options.verbose = true;     // the log says which requests timed out
    options.poll_batch = 8;     // many small status GETs: more of them meet faults
    auto store = store::JobStore::Open(db_path_);
    http::Client http({.connect_timeout_ms = 2000, .total_timeout_ms = request_timeout_ms});
    api::Client api(http, {.endpoint = sim_->Endpoint(),
                           .token = "test-token-7f3a",
                           .max_ids_per_get = static_cast<std::size_t>(options.poll_batch)});
    Runner runner(*store, http, api, SystemClock::Instance(), reporter_, options);
    static const std::atomic<int> kNever{0};
    return runner.Run(kNever);
  }

  void CheckRows(Figures& f) {
    const auto rows = Rows();
    ASSERT_EQ(rows.size(), f.jobs);
    for (const auto& row : rows) {
      f.max_attempts = std::max(f.max_attempts, row.attempts);
      if (Contains(row.prompt, "[[fail]]")) {
        EXPECT_EQ(row.state, "failed") << row.prompt;
        EXPECT_EQ(row.error, "the service reported status 'failed'");
      } else if (Contains(row.prompt, "[[abort]]")) {
        EXPECT_EQ(row.state, "failed") << row.prompt;
        EXPECT_EQ(row.error, "the service reported status 'aborted'");
      } else {
        ASSERT_EQ(row.state, "completed") << row.prompt << ": " << row.error;
        ASSERT_EQ(row.output, sim::FinalLog(row.model, row.prompt));
      }
    }
  }

  void CountTimeouts(Figures& f) const {
    for (const std::string& log : reporter_.logs) {
      if (!Contains(log, "retryable: timeout")) continue;
      ++f.timeouts;
      if (log.starts_with("job ") && Contains(log, ": submit retryable: timeout")) {
        ++f.submit_timeouts;
      }
    }
  }

  // A duplicate needs a submit the service accepted whose reply the client
  // never read: a reset or truncated reply, or one it stopped waiting for.
  static void CheckDuplicates(const FaultCase& c, const Figures& f) {
    const sim::Counters& k = f.counters;
    if (!c.lost_replies) {
      EXPECT_EQ(k.duplicate_submits, 0u);
      return;
    }
    EXPECT_LE(k.duplicate_submits,
              k.resets + k.truncated + static_cast<std::uint64_t>(f.submit_timeouts));
  }

  static void Print(const FaultCase& c, const Figures& f) {
    const sim::Counters& k = f.counters;
    std::ostringstream line;
    line << "fault matrix | " << c.name << " | " << f.jobs << " jobs | " << k.requests
         << " requests | 429: " << k.sent_429 << ", 5xx: " << k.sent_5xx << ", resets: " << k.resets
         << ", truncated: " << k.truncated << ", omitted: " << k.omitted
         << ", client timeouts (slow): " << f.timeouts << " | " << k.submits_accepted
         << " submits accepted, " << k.duplicate_submits
         << " duplicates | most attempts by one job: " << f.max_attempts << " | " << std::fixed
         << std::setprecision(1) << f.seconds << " s\n";
    std::cerr << line.str();
  }
};

TEST_F(FaultMatrixTest, EveryJobEndsRightWhenThe429sCarryARetryAfter) {
  sim::Faults faults{.p_429 = 0.1, .retry_after_seconds = 1};
  // Small: each Retry-After pauses the whole dispatcher for a second.
  const Figures f = RunCase({.name = "429 + Retry-After 1 s", .faults = faults, .prompts = 15});
  EXPECT_GT(f.counters.sent_429, 0u);
}

TEST_F(FaultMatrixTest, EveryJobEndsRightWhenTheServiceAnswers5xxWithHtml) {
  const Figures f = RunCase({.name = "5xx (HTML/text bodies)", .faults = {.p_5xx = 0.2}});
  EXPECT_GT(f.counters.sent_5xx, 0u);
}

TEST_F(FaultMatrixTest, EveryJobEndsRightWhenConnectionsAreResetWithoutAReply) {
  const Figures f =
      RunCase({.name = "connection resets", .faults = {.p_reset = 0.1}, .lost_replies = true});
  EXPECT_GT(f.counters.resets, 0u);
}

TEST_F(FaultMatrixTest, EveryJobEndsRightWhenRepliesAreSlowerThanTheClientWaits) {
  const Figures f = RunCase({.name = "slow replies (1 s) vs 0.4 s client timeout",
                             .faults = {.p_slow = 0.1, .slow_seconds = 1.0},
                             .request_timeout_ms = 400,
                             .lost_replies = true});
  EXPECT_GT(f.timeouts, 0);
}

TEST_F(FaultMatrixTest, EveryJobEndsRightWhenReplyBodiesAreTruncatedJson) {
  const Figures f = RunCase(
      {.name = "truncated JSON bodies", .faults = {.p_truncated = 0.1}, .lost_replies = true});
  EXPECT_GT(f.counters.truncated, 0u);
}

TEST_F(FaultMatrixTest, EveryJobEndsRightWhenStatusRepliesOmitIds) {
  const Figures f = RunCase({.name = "ids omitted from status replies", .faults = {.p_omit = 0.5}});
  EXPECT_GT(f.counters.omitted, 0u);
}

TEST_F(FaultMatrixTest, EveryJobEndsRightWithEveryFaultAtOnce) {
  const Figures f = RunCase({.name = "all of the above at once",
                             .faults = reliability::EveryFault(),
                             .request_timeout_ms = 400,
                             .lost_replies = true});
  const sim::Counters& k = f.counters;
  EXPECT_GT(k.sent_429, 0u);
  EXPECT_GT(k.sent_5xx, 0u);
  EXPECT_GT(k.resets, 0u);
  EXPECT_GT(k.truncated, 0u);
  EXPECT_GT(k.omitted, 0u);
  EXPECT_GT(f.timeouts, 0);
}

}  // namespace
}  // namespace gridbatch::run
