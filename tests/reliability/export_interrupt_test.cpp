// An export to a file writes ".NAME.tmp-PID" beside it and renames it over
// the target at the end. Interrupted, it must leave no temporary file: SIGINT
// and SIGTERM remove it (exit 130, 143); SIGKILL cannot be caught, so the
// next export to that target removes the files of processes that are gone.
// The export is frozen (SIGSTOP) once its temporary file has data, so each
// signal lands mid-write, whatever the machine's speed.
#include <SQLiteCpp/SQLiteCpp.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstring>

#include "binary_fixture.hpp"
#include "gridbatch/error.hpp"

namespace gridbatch::reliability {
namespace {

namespace fs = std::filesystem;

constexpr int kJobs = 2000;
constexpr std::size_t kOutputBytes = 20000;  // 40 MB to export

class ExportInterruptTest : public BinaryFixture {
 protected:
  void SetUp() override {
    BinaryFixture::SetUp();
    std::vector<std::string> prompts;
    for (int i = 0; i < kJobs; ++i) prompts.push_back("export prompt " + std::to_string(i));
    Load("big", prompts, {"gemma:2b"});
    SQLite::Database db(db_path_, SQLite::OPEN_READWRITE);
    SQLite::Statement fill(db, "UPDATE jobs SET output = ?");
    fill.bind(1, std::string(kOutputBytes, 'o'));
    fill.exec();
    target_ = PathOf("out.csv");
  }

  fs::path TempOf(int pid) const { return dir_ / (".out.csv.tmp-" + std::to_string(pid)); }

  // An export to target_, stopped while its temporary file holds data (its
  // rename still to come); nullopt if it finished first every time.
  std::optional<StartedChild> StoppedMidWrite() {
    for (int tries = 0; tries < 3; ++tries) {
      ChildOptions options;
      options.args = {"export", "--db", db_path_, "--format", "csv", "-o", target_};
      const StartedChild child = StartChild(GRIDBATCH_BINARY, options, dir_);
      const auto has_data = [&] {
        std::error_code error;
        const std::uintmax_t bytes = fs::file_size(TempOf(child.pid), error);
        return !error && bytes > 0;
      };
      for (int i = 0; i < 20000 && !has_data(); ++i) {
        if (ExitedWithin(child, 0.001)) break;
      }
      kill(child.pid, SIGSTOP);
      int status = 0;
      const bool stopped =
          waitpid(child.pid, &status, WUNTRACED) == child.pid && WIFSTOPPED(status);
      if (stopped && fs::exists(TempOf(child.pid)) && !fs::exists(target_)) return child;
      if (stopped) kill(child.pid, SIGCONT);
      WaitChild(child);
      fs::remove(target_);
    }
    return std::nullopt;
  }

  ChildResult Export() {
    return Gridbatch({"export", "--db", db_path_, "--format", "csv", "-o", target_});
  }

  std::string target_;
};

TEST_F(ExportInterruptTest, SigintAndSigtermRemoveTheTemporaryFile) {
  for (const auto& [signal_number, exit_code] : {std::pair{SIGINT, 130}, std::pair{SIGTERM, 143}}) {
    const std::optional<StartedChild> child = StoppedMidWrite();
    ASSERT_TRUE(child) << "every export finished before it could be stopped";
    kill(child->pid, signal_number);
    kill(child->pid, SIGCONT);
    const ChildResult result = WaitChild(*child);
    EXPECT_EQ(result.exit_code, exit_code) << result.err;
    EXPECT_FALSE(fs::exists(TempOf(child->pid))) << strsignal(signal_number);
    EXPECT_FALSE(fs::exists(target_));
  }
}

TEST_F(ExportInterruptTest, TheNextExportRemovesWhatAKilledOneLeft) {
  const std::optional<StartedChild> child = StoppedMidWrite();
  ASSERT_TRUE(child) << "every export finished before it could be stopped";
  kill(child->pid, SIGKILL);
  EXPECT_EQ(WaitChild(*child).exit_code, 128 + SIGKILL);
  const fs::path left = TempOf(child->pid);
  ASSERT_TRUE(fs::exists(left));
  const std::uintmax_t left_bytes = fs::file_size(left);
  EXPECT_GT(left_bytes, 0u);

  // Beside it: a file of a live process (this one), a name that is no pid,
  // and another target's file; none of them is the next export's to remove.
  const fs::path live = TempOf(getpid());
  const fs::path not_a_pid = dir_ / ".out.csv.tmp-12ab";
  const fs::path other_target = dir_ / (".other.csv.tmp-" + std::to_string(child->pid));
  for (const fs::path& path : {live, not_a_pid, other_target}) WriteFile(path, "keep");

  const ChildResult next = Export();
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_FALSE(fs::exists(left));
  for (const fs::path& path : {live, not_a_pid, other_target})
    EXPECT_TRUE(fs::exists(path)) << path;
  EXPECT_GT(fs::file_size(target_), static_cast<std::uintmax_t>(kJobs) * kOutputBytes);
  std::cerr << "export kill -9: left " << left_bytes << " bytes in " << left.filename()
            << "; the next export removed it\n";
}

}  // namespace
}  // namespace gridbatch::reliability
