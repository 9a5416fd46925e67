// SIGKILL at random moments: the `gridbatch run` process is killed several
// times during a sweep and started again each time. Nothing may be lost,
// every output must be its own job's, the database must stay intact, and
// duplicates are bounded by the submits in flight at the kills (the rows each
// kill left `submitting`).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "run_test_support.hpp"

#ifndef GRIDBATCH_BINARY
#error "GRIDBATCH_BINARY must name the gridbatch executable"
#endif

namespace gridbatch::run {
namespace {

class KillResumeTest : public testing::RunFixture {
 protected:
  pid_t StartRun() {
    const pid_t pid = fork();
    if (pid == 0) {
      setenv("GRIDREPUBLIC_TOKEN", "test-token-7f3a", 1);
      const std::string endpoint = sim_->Endpoint();
      execl(GRIDBATCH_BINARY, GRIDBATCH_BINARY, "run", "--db", db_path_.c_str(), "--endpoint",
            endpoint.c_str(), "--rate", "1000/s", "--max-inflight", "64", "--poll-interval", "0.1",
            "--progress", "none", static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  }

  int CountState(const std::string& state) {
    SQLite::Database db(db_path_);
    SQLite::Statement q(db, "SELECT count(*) FROM job_state WHERE state = ?");
    q.bind(1, state);
    q.executeStep();
    return q.getColumn(0).getInt();
  }
};

TEST_F(KillResumeTest, RepeatedSigkillsLoseNothingAndDuplicateOnlyWhatWasInFlight) {
  // Paced at 1000/s, the 3000 submits take about 3 s and every job runs about
  // 1.5 s, so the kills land while submitting and while polling.
  StartSim({.queue_seconds = 0.05, .run_seconds = 1.5, .seed = 3});
  std::vector<std::string> prompts;
  for (int i = 0; i < 1500; ++i) prompts.push_back("kill test prompt #" + std::to_string(i));
  Load("killed", prompts, {"gemma:2b", "llama3:8b"});

  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(100, 700);
  int uncertain_at_kills = 0;
  int kills = 0;
  for (; kills < 6; ++kills) {
    const pid_t pid = StartRun();
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) break;  // finished before the kill
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "seed " << seed;
    uncertain_at_kills += CountState("submitting");
  }
  const pid_t last = StartRun();
  int status = 0;
  waitpid(last, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "seed " << seed;
  ASSERT_EQ(WEXITSTATUS(status), 0) << "seed " << seed;

  const auto rows = Rows();
  ASSERT_EQ(rows.size(), 3000u);
  for (const auto& row : rows) {
    ASSERT_EQ(row.state, "completed") << "seed " << seed << ": " << row.error;
    ASSERT_EQ(row.output, sim::FinalLog(row.model, row.prompt)) << "seed " << seed;
  }
  SQLite::Database db(db_path_);
  EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
  const sim::Counters c = sim_->GetCounters();
  EXPECT_LE(c.duplicate_submits, static_cast<std::uint64_t>(uncertain_at_kills))
      << "seed " << seed << ", " << kills << " kills";
  EXPECT_GE(kills, 4) << "seed " << seed << ": the run finished too fast to be killed";
  std::cerr << "kill/resume: " << kills << " kills, " << uncertain_at_kills
            << " rows left submitting, " << c.duplicate_submits << " duplicate submits, "
            << c.submits_accepted << " submits accepted (seed " << seed << ")\n";
}

}  // namespace
}  // namespace gridbatch::run
