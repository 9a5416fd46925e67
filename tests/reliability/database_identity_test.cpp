// The database a run drives is one file, whatever name reaches it, and it
// stays that file: a second run through a symlink or a hard link is refused
// while the first holds the lock; a database deleted or replaced under a
// running `run` stops it with an error (exit 74) instead of a run that
// "finishes" into a file nobody can open; and a run that fails leaves no
// lock file behind. Each run here is bounded: one that does not stop by
// itself within a generous time is killed, and the test fails.
#include <signal.h>
#include <sys/stat.h>

#include <random>

#include "binary_fixture.hpp"
#include "gridbatch/error.hpp"

namespace gridbatch::reliability {
namespace {

namespace fs = std::filesystem;

constexpr double kBoundSeconds = 30;
constexpr int kJobs = 10;

class DatabaseIdentityTest : public BinaryFixture {
 protected:
  // Jobs that never finish: the first run keeps the database until stopped.
  void StartEndlessSim() {
    StartSim({.queue_seconds = 600, .run_seconds = 600, .jitter = 0});
    std::vector<std::string> prompts;
    for (int i = 0; i < kJobs; ++i) prompts.push_back("identity prompt " + std::to_string(i));
    Load("identity", prompts, {"gemma:2b"});
  }

  ChildOptions RunOptions(const std::string& db) const {
    ChildOptions options;
    options.args = {"run",    "--db", db,           "--endpoint", sim_->Endpoint(),
                    "--rate", "0",    "--progress", "none",       "--poll-interval",
                    "0.1"};
    options.env = {{"GRIDREPUBLIC_TOKEN", "test-token-7f3a"}};
    return options;
  }

  StartedChild StartRun(const std::string& db) {
    return StartChild(GRIDBATCH_BINARY, RunOptions(db), dir_);
  }

  // Waits for `child`; kills it if it has not exited within the bound.
  static ChildResult Bounded(const StartedChild& child) {
    if (!ExitedWithin(child, kBoundSeconds)) kill(child.pid, SIGKILL);
    return WaitChild(child);
  }

  // Until every job was submitted once: the run is in its loop.
  bool AllSubmitted() {
    for (int i = 0; i < 20000 && sim_->GetCounters().submits_accepted < kJobs; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return sim_->GetCounters().submits_accepted == kJobs;
  }
};

TEST_F(DatabaseIdentityTest, ASymlinkOrAHardLinkToTheDatabaseCannotStartASecondRun) {
  StartEndlessSim();
  const StartedChild first = StartRun(db_path_);
  ASSERT_TRUE(AllSubmitted());
  const std::string owner =
      "is already being run by pid " + std::to_string(first.pid) + " on host ";
  const std::string symlink = PathOf("symlink.db");
  const std::string hard_link = PathOf("hard-link.db");
  fs::create_symlink(db_path_, symlink);
  fs::create_hard_link(db_path_, hard_link);
  for (const std::string& other : {symlink, hard_link}) {
    const ChildResult second = Bounded(StartRun(other));
    EXPECT_EQ(second.exit_code, kExitTempFail) << other << ": " << second.err;
    EXPECT_NE(second.err.find("gridbatch: database " + other + " " + owner), std::string::npos)
        << second.err;
    EXPECT_NE(second.err.find(", started 20"), std::string::npos) << second.err;
    EXPECT_NE(second.err.find("only one `run` may drive a database at a time"), std::string::npos)
        << second.err;
  }
  // Neither sent anything: the first run's in-flight rows were not taken for
  // interrupted ones.
  EXPECT_EQ(sim_->GetCounters().submits_accepted, static_cast<std::uint64_t>(kJobs));
  kill(first.pid, SIGINT);
  EXPECT_EQ(Bounded(first).exit_code, kExitInterrupted);
  EXPECT_FALSE(fs::exists(db_path_ + ".lock"));
  EXPECT_FALSE(fs::exists(symlink + ".lock"));
  EXPECT_FALSE(fs::exists(hard_link + ".lock"));
  struct stat file {};
  ASSERT_EQ(stat(db_path_.c_str(), &file), 0);
  EXPECT_FALSE(
      fs::exists(fs::temp_directory_path() / ("gridbatch-run-" + std::to_string(file.st_dev) + "-" +
                                              std::to_string(file.st_ino) + ".owner")));
}

TEST_F(DatabaseIdentityTest, ADatabaseDeletedMidRunStopsTheRunWithAnError) {
  StartEndlessSim();
  const StartedChild run = StartRun(db_path_);
  ASSERT_TRUE(AllSubmitted());
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db_path_ + suffix);
  const auto deleted_at = std::chrono::steady_clock::now();
  const ChildResult result = Bounded(run);
  std::cerr << "database deleted mid-run: the run stopped "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - deleted_at).count()
            << " s later, exit " << result.exit_code << "\n";
  EXPECT_EQ(result.exit_code, kExitIoErr) << result.err;
  EXPECT_NE(result.err.find("gridbatch: database " + db_path_ +
                            ": the file was deleted while this process had it open; stopping, "
                            "since what it writes from now on would be lost\n"),
            std::string::npos)
      << result.err;
}

TEST_F(DatabaseIdentityTest, ADatabaseReplacedMidRunStopsTheRunWithAnError) {
  StartEndlessSim();
  const StartedChild run = StartRun(db_path_);
  ASSERT_TRUE(AllSubmitted());
  const std::string copy = PathOf("copy.db");
  fs::copy_file(db_path_, copy);
  fs::rename(copy, db_path_);  // what `mv backup.db jobs.db` does
  const auto replaced_at = std::chrono::steady_clock::now();
  const ChildResult result = Bounded(run);
  std::cerr << "database replaced mid-run: the run stopped "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - replaced_at).count()
            << " s later, exit " << result.exit_code << "\n";
  EXPECT_EQ(result.exit_code, kExitIoErr) << result.err;
  EXPECT_NE(result.err.find("gridbatch: database " + db_path_ +
                            ": the file was replaced while this process had it open; stopping"),
            std::string::npos)
      << result.err;
}

TEST_F(DatabaseIdentityTest, ARunThatFailsLeavesNoLockFile) {
  std::mt19937 rng(16);
  std::string bytes(1 << 16, '\0');
  for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
  const std::string random_db = Write("random.db", bytes);
  ChildOptions options;
  options.env = {{"GRIDREPUBLIC_TOKEN", "test-token-7f3a"}};
  options.args = {"run", "--db", random_db, "--endpoint", "http://127.0.0.1:9/v2"};
  const ChildResult not_a_database = Bounded(StartChild(GRIDBATCH_BINARY, options, dir_));
  EXPECT_EQ(not_a_database.exit_code, kExitIoErr) << not_a_database.err;
  EXPECT_FALSE(fs::exists(random_db + ".lock"));
  EXPECT_EQ(ReadFile(random_db), bytes);

  options.args = {"run",    PathOf("missing.yaml"), "--db",
                  db_path_, "--endpoint",           "http://127.0.0.1:9/v2"};
  const ChildResult no_manifest = Bounded(StartChild(GRIDBATCH_BINARY, options, dir_));
  EXPECT_EQ(no_manifest.exit_code, kExitNoInput) << no_manifest.err;
  EXPECT_FALSE(fs::exists(db_path_ + ".lock"));
}

}  // namespace
}  // namespace gridbatch::reliability
