// `gridbatch run` as users start it: exit codes, messages, signals, the lock.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "run_test_support.hpp"

namespace gridbatch::run {
namespace {

using testing::JobRow;
using testing::Prompts;

class RunCommandTest : public testing::RunFixture {
 protected:
  // Starts `gridbatch run --db DB --endpoint SIM <extra...>`; stderr to a file.
  pid_t Start(const std::vector<std::string>& extra, const std::string& token = "test-token-7f3a") {
    const std::string err_path = (dir_ / ("stderr" + std::to_string(runs_++) + ".txt")).string();
    err_paths_.push_back(err_path);
    std::vector<std::string> args = {GRIDBATCH_BINARY,
                                     "run",
                                     "--db",
                                     db_path_,
                                     "--endpoint",
                                     endpoint_.empty() ? sim_->Endpoint() : endpoint_,
                                     "--progress",
                                     "none",
                                     "--poll-interval",
                                     "0.1"};
    args.insert(args.end(), extra.begin(), extra.end());
    const pid_t pid = fork();
    if (pid == 0) {
      if (token.empty()) {
        unsetenv("GRIDREPUBLIC_TOKEN");
      } else {
        setenv("GRIDREPUBLIC_TOKEN", token.c_str(), 1);
      }
      const int fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, STDERR_FILENO);
      const int null_fd = open("/dev/null", O_WRONLY);
      dup2(null_fd, STDOUT_FILENO);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(GRIDBATCH_BINARY, argv.data());
      _exit(127);
    }
    return pid;
  }

  static int Wait(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  int RunToEnd(const std::vector<std::string>& extra,
               const std::string& token = "test-token-7f3a") {
    return Wait(Start(extra, token));
  }

  std::string LastStderr() {
    std::ifstream in(err_paths_.back());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // Runs `gridbatch ARGS...` to its end; its stdout.
  std::string Output(const std::vector<std::string>& args) {
    std::string command = GRIDBATCH_BINARY;
    for (const std::string& arg : args) command += " '" + arg + "'";
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return out;
    char buffer[4096];
    for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    pclose(pipe);
    return out;
  }

  // The breaker's promise after it tripped or held: every job of `model`
  // ("" for all) is pending with no attempt spent, and at most `touched`
  // of them carry the refusal as their last error.
  void ExpectPendingUndone(std::size_t touched, const std::string& model = "") {
    std::size_t with_error = 0;
    for (const JobRow& row : Rows()) {
      if (!model.empty() && row.model != model) continue;
      EXPECT_EQ(row.state, "pending") << row.prompt << " " << row.model;
      EXPECT_EQ(row.attempts, 0) << row.prompt << " " << row.model;
      if (!row.error.empty()) ++with_error;
    }
    EXPECT_GE(with_error, 1u);
    EXPECT_LE(with_error, touched);
  }

  int runs_ = 0;
  std::vector<std::string> err_paths_;
  std::string endpoint_;  // instead of the simulator's, when set
};

TEST_F(RunCommandTest, ExitsZeroWhenAllAreFinalEvenIfSomeFailedAndOneWithStrict) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05});
  Load("mixed", {"fine", "broken [[fail]]"}, {"m"});
  EXPECT_EQ(RunToEnd({}), 0) << LastStderr();
  EXPECT_EQ(StateCounts()["failed"], 1);
  EXPECT_EQ(RunToEnd({"--strict"}), 1) << LastStderr();
}

TEST_F(RunCommandTest, ARefusedTokenExits77WithoutRevealingTheToken) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05});
  Load("auth", {"a", "b"}, {"m"});
  EXPECT_EQ(RunToEnd({}, "secret-token-value-0042"), 77);
  const std::string err = LastStderr();
  EXPECT_NE(err.find("the service refused the API token"), std::string::npos) << err;
  EXPECT_EQ(err.find("secret-token-value-0042"), std::string::npos) << err;
  EXPECT_EQ(StateCounts()["pending"], 2);
}

TEST_F(RunCommandTest, NoTokenIsAUsageErrorThatSaysWhereTheTokenComesFrom) {
  StartSim({});
  Load("none", {"a"}, {"m"});
  EXPECT_EQ(RunToEnd({}, ""), 64);
  EXPECT_EQ(LastStderr(),
            "gridbatch: no API token: set GRIDREPUBLIC_TOKEN or pass --token-file FILE\n");
}

TEST_F(RunCommandTest, BadOptionValuesAreRefusedBeforeAnythingRuns) {
  StartSim({});
  Load("opts", {"a"}, {"m"});
  EXPECT_EQ(RunToEnd({"--rate", "fast"}), 64);
  EXPECT_EQ(
      LastStderr(),
      "gridbatch: --rate: 'fast' is not a rate (examples: 40/s, 300/min, 0 for unlimited, auto, "
      "auto:100/s)\n");
  EXPECT_EQ(RunToEnd({"--missing-grace", "soon"}), 64);
  EXPECT_EQ(
      LastStderr(),
      "gridbatch: --missing-grace: 'soon' is not a duration (examples: 0.2, 500ms, 5s, 2m)\n");
  EXPECT_EQ(RunToEnd({"--poll-max", "0"}), 64);
  EXPECT_EQ(LastStderr(), "gridbatch: --poll-max must be longer than 0\n");
  EXPECT_EQ(RunToEnd({"--limit", "0"}), 64);
  EXPECT_EQ(LastStderr(), "gridbatch: --limit: 0 is not a number of jobs (at least 1)\n");
  EXPECT_EQ(StateCounts()["pending"], 1);
}

TEST_F(RunCommandTest, ASecondRunOnTheSameDatabaseIsRefusedNamingTheFirst) {
  StartSim({.queue_seconds = 5, .run_seconds = 5});
  Load("long", {"a"}, {"m"});
  const pid_t first = Start({});
  // The lock file names its owner once the first run holds it.
  ASSERT_TRUE(WaitUntil([&] {
    std::ifstream lock(db_path_ + ".lock");
    std::stringstream text;
    text << lock.rdbuf();
    return text.str().find("pid " + std::to_string(first) + " ") != std::string::npos;
  }));
  EXPECT_EQ(RunToEnd({}), 75);
  const std::string err = LastStderr();
  EXPECT_NE(err.find("is already being run by pid " + std::to_string(first)), std::string::npos)
      << err;
  kill(first, SIGTERM);
  EXPECT_EQ(Wait(first), 130);
}

TEST_F(RunCommandTest, CtrlCStopsPromptlyAndTheNextRunFinishesTheJob) {
  StartSim({.queue_seconds = 0.05, .run_seconds = 0.3});
  std::vector<std::string> prompts;
  for (int i = 0; i < 400; ++i) prompts.push_back("interrupt me " + std::to_string(i));
  Load("ctrlc", prompts, {"m"});
  const pid_t pid = Start({"--rate", "200/s"});
  ASSERT_TRUE(WaitUntil([&] { return sim_->GetCounters().submits_accepted >= 100; }));
  kill(pid, SIGINT);
  const auto stopped_at = std::chrono::steady_clock::now();
  EXPECT_EQ(Wait(pid), 130);
  EXPECT_LT(std::chrono::steady_clock::now() - stopped_at, std::chrono::seconds(6));
  EXPECT_EQ(StateCounts()["submitting"], 0);
  EXPECT_GT(StateCounts()["pending"], 0);
  EXPECT_EQ(RunToEnd({"--rate", "0"}), 0) << LastStderr();
  EXPECT_EQ(StateCounts()["completed"], 400);
  EXPECT_EQ(sim_->GetCounters().duplicate_submits, 0u);
}

std::vector<std::string> TraceLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// No resets here: when a kept-alive connection is closed before any reply,
// libcurl sends the request again on a new connection within the same
// transfer, which the trace shows as one line (README, --trace).
TEST_F(RunCommandTest, TheTraceHoldsEveryRequestTheServiceCountedAndNeverTheToken) {
  StartSim({.queue_seconds = 0.02,
            .run_seconds = 0.05,
            .faults = {.p_429 = 0.1, .p_5xx = 0.05, .retry_after_seconds = 0}});
  std::vector<std::string> prompts;
  for (int i = 0; i < 30; ++i) prompts.push_back("traced " + std::to_string(i));
  Load("traced", prompts, {"m"});
  const std::string trace = (dir_ / "trace.jsonl").string();
  EXPECT_EQ(RunToEnd({"--trace", trace, "--backoff-base", "0.02", "--backoff-cap", "0.1",
                      "--max-attempts", "20"}),
            0)
      << LastStderr();
  EXPECT_EQ(StateCounts()["completed"], 30);
  const std::vector<std::string> lines = TraceLines(trace);
  const sim::Counters counters = sim_->GetCounters();
  EXPECT_EQ(lines.size(), counters.requests);
  int posts = 0, gets = 0, with_429 = 0;
  for (const std::string& line : lines) {
    EXPECT_EQ(line.find("test-token-7f3a"), std::string::npos) << line;
    EXPECT_EQ(line.find("Bearer"), std::string::npos) << line;
    if (line.find("\"method\":\"POST\"") != std::string::npos) ++posts;
    if (line.find("\"method\":\"GET\"") != std::string::npos) ++gets;
    if (line.find("\"status\":429") != std::string::npos) ++with_429;
  }
  EXPECT_EQ(posts + gets, static_cast<int>(lines.size()));
  EXPECT_EQ(static_cast<std::uint64_t>(with_429), counters.sent_429);
  EXPECT_GE(posts, 30);
}

TEST_F(RunCommandTest, ATraceStopsAtItsCapWithALastLineAndAWarning) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05});
  std::vector<std::string> prompts;
  for (int i = 0; i < 20; ++i) prompts.push_back("capped " + std::to_string(i));
  Load("capped", prompts, {"m"});
  const std::string trace = (dir_ / "trace.jsonl").string();
  EXPECT_EQ(RunToEnd({"--trace", trace, "--trace-max-bytes", "4KB", "--trace-body-max", "64"}), 0)
      << LastStderr();
  EXPECT_EQ(StateCounts()["completed"], 20);
  const std::vector<std::string> lines = TraceLines(trace);
  ASSERT_FALSE(lines.empty());
  EXPECT_LE(std::filesystem::file_size(trace), 4000u);
  EXPECT_NE(lines.back().find("\"trace\":\"stopped\""), std::string::npos) << lines.back();
  EXPECT_NE(LastStderr().find("warning: --trace " + trace +
                              ": the trace reached its size cap of 4000 bytes"),
            std::string::npos)
      << LastStderr();
}

// --- the circuit breaker (issue 12): each wrong setting stops the run after
// at most --breaker jobs (default 5), exit 69, every job pending with no
// attempt spent, and the corrected run completes every job.

TEST_F(RunCommandTest, AWrongEndpointPathStopsAfterFiveJobsAndNamesThePath) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05});
  Load("path", Prompts(40), {"m"});
  endpoint_ = sim_->Endpoint();
  endpoint_.replace(endpoint_.rfind("/v2"), 3, "/v3");
  EXPECT_EQ(RunToEnd({}), 69) << LastStderr();
  const std::string err = LastStderr();
  EXPECT_NE(err.find("circuit breaker"), std::string::npos) << err;
  EXPECT_NE(err.find("HTTP 404"), std::string::npos) << err;
  EXPECT_NE(err.find("the endpoint's path (--endpoint " + endpoint_), std::string::npos) << err;
  EXPECT_LE(sim_->GetCounters().requests, 5u);
  ExpectPendingUndone(5);
  endpoint_.clear();
  EXPECT_EQ(RunToEnd({}), 0) << LastStderr();
  EXPECT_EQ(StateCounts()["completed"], 40);
}

TEST_F(RunCommandTest, AClosedPortStopsAfterFiveJobsAndNamesTheHostAndPort) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05});
  Load("closed", Prompts(40), {"m"});
  {
    // A port nothing listens on: bound, then closed again.
    sim::SimServer closed({});
    endpoint_ = closed.Endpoint();
  }
  EXPECT_EQ(RunToEnd({}), 69) << LastStderr();
  const std::string err = LastStderr();
  EXPECT_NE(err.find("connection refused"), std::string::npos) << err;
  EXPECT_NE(err.find("host and port"), std::string::npos) << err;
  ExpectPendingUndone(5);
  endpoint_.clear();
  EXPECT_EQ(RunToEnd({}), 0) << LastStderr();
  EXPECT_EQ(StateCounts()["completed"], 40);
}

TEST_F(RunCommandTest, TheSameServiceErrorForEveryJobStopsAfterFiveAndIsQuoted) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05, .refuse_submits = "Queue is closed"});
  Load("closed", Prompts(40), {"a", "b"});
  EXPECT_EQ(RunToEnd({}), 69) << LastStderr();
  const std::string err = LastStderr();
  EXPECT_NE(err.find("The service answered: service said: Queue is closed"), std::string::npos)
      << err;
  EXPECT_LE(sim_->GetCounters().submits_rejected, 5u);
  ExpectPendingUndone(5);
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05});
  EXPECT_EQ(RunToEnd({}), 0) << LastStderr();
  EXPECT_EQ(StateCounts()["completed"], 80);
}

TEST_F(RunCommandTest, AnUnknownModelIsHeldWithItsReasonWhileTheOtherModelCompletes) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05, .models = {"gemma:2b"}});
  Load("models", Prompts(30), {"gemma:2b", "phi3:mini"});
  EXPECT_EQ(RunToEnd({}), 69) << LastStderr();
  const std::string err = LastStderr();
  EXPECT_NE(err.find("held model 'phi3:mini'"), std::string::npos) << err;
  EXPECT_NE(err.find("Unknown model: phi3:mini"), std::string::npos) << err;
  EXPECT_NE(err.find("30 job(s) of held models are pending"), std::string::npos) << err;
  EXPECT_LE(sim_->GetCounters().submits_rejected, 5u);
  ExpectPendingUndone(5, "phi3:mini");
  for (const JobRow& row : Rows()) {
    if (row.model == "gemma:2b") {
      EXPECT_EQ(row.state, "completed") << row.prompt;
    }
  }
  // status shows the hold and its reason, as text and as JSON.
  const std::string status = Output({"status", "--db", db_path_});
  EXPECT_NE(status.find("held: phi3:mini's 30 pending job(s) wait since"), std::string::npos)
      << status;
  EXPECT_NE(status.find("Unknown model: phi3:mini"), std::string::npos) << status;
  const std::string json = Output({"status", "--db", db_path_, "--json"});
  EXPECT_NE(json.find("\"reason\": \"service said: Unknown model: phi3:mini\""), std::string::npos)
      << json;
  // The service learns the model: the next run completes it, and the hold is gone.
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05, .models = {"gemma:2b", "phi3:mini"}});
  EXPECT_EQ(RunToEnd({}), 0) << LastStderr();
  EXPECT_EQ(StateCounts()["completed"], 60);
  EXPECT_EQ(Output({"status", "--db", db_path_}).find("held"), std::string::npos);
}

TEST_F(RunCommandTest, TheBreakerCountIsAnOptionAndZeroTurnsItOff) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05, .refuse_submits = "Queue is closed"});
  Load("count", Prompts(12), {"m"});
  EXPECT_EQ(RunToEnd({"--breaker", "2"}), 69) << LastStderr();
  EXPECT_LE(sim_->GetCounters().submits_rejected, 2u);
  ExpectPendingUndone(2);
  EXPECT_EQ(RunToEnd({"--breaker", "0"}), 0) << LastStderr();
  EXPECT_EQ(StateCounts()["failed"], 12);
  EXPECT_EQ(RunToEnd({"--breaker", "-1"}), 64);
}

TEST_F(RunCommandTest, PollFixedFalseOverridesTheManifestsFixedPolling) {
  StartSim({.queue_seconds = 0.1, .run_seconds = 2.0});
  // Two batches of 100 jobs whose manifests both say `run: poll: fixed`
  // (every 0.1 s, from the test's --poll-interval): jobs of about 2 s are
  // asked about some 20 times each that way.
  const auto manifest = [&](const std::string& name) {
    const std::string path = (dir_ / (name + ".yaml")).string();
    std::ofstream out(path);
    out << "name: " << name << "\nmodel: m\nprompts:\n";
    for (int i = 0; i < 100; ++i) out << "  - prompt " << i << "\n";
    out << "run:\n  poll: fixed\n";
    return path;
  };
  EXPECT_EQ(RunToEnd({manifest("fixed"), "--rate", "0"}), 0) << LastStderr();
  const std::uint64_t fixed_ids = sim_->GetCounters().ids_polled;
  // --poll-fixed=false: adaptive, whatever the manifest says.
  EXPECT_EQ(RunToEnd({manifest("adaptive"), "--rate", "0", "--poll-fixed=false"}), 0)
      << LastStderr();
  const std::uint64_t adaptive_ids = sim_->GetCounters().ids_polled - fixed_ids;
  EXPECT_EQ(StateCounts()["completed"], 200);
  EXPECT_GE(fixed_ids, 100u * 15);
  EXPECT_LT(adaptive_ids * 2, fixed_ids) << adaptive_ids << " against " << fixed_ids;
  std::cerr << "ids polled: fixed " << fixed_ids << ", adaptive " << adaptive_ids << "\n";
}

}  // namespace
}  // namespace gridbatch::run
