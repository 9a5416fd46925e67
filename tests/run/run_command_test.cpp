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

class RunCommandTest : public testing::RunFixture {
 protected:
  // Starts `gridbatch run --db DB --endpoint SIM <extra...>`; stderr to a file.
  pid_t Start(const std::vector<std::string>& extra, const std::string& token = "test-token-7f3a") {
    const std::string err_path = (dir_ / ("stderr" + std::to_string(runs_++) + ".txt")).string();
    err_paths_.push_back(err_path);
    std::vector<std::string> args = {
        GRIDBATCH_BINARY, "run",        "--db", db_path_,          "--endpoint",
        sim_->Endpoint(), "--progress", "none", "--poll-interval", "0.1"};
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

  int runs_ = 0;
  std::vector<std::string> err_paths_;
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
  EXPECT_EQ(LastStderr(),
            "gridbatch: --rate: 'fast' is not a rate (examples: 40/s, 300/min, 0 for unlimited)\n");
  EXPECT_EQ(RunToEnd({"--missing-grace", "soon"}), 64);
  EXPECT_EQ(
      LastStderr(),
      "gridbatch: --missing-grace: 'soon' is not a duration (examples: 0.2, 500ms, 5s, 2m)\n");
  EXPECT_EQ(StateCounts()["pending"], 1);
}

TEST_F(RunCommandTest, ASecondRunOnTheSameDatabaseIsRefusedNamingTheFirst) {
  StartSim({.queue_seconds = 5, .run_seconds = 5});
  Load("long", {"a"}, {"m"});
  const pid_t first = Start({});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
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
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
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

}  // namespace
}  // namespace gridbatch::run
