// A load killed with SIGKILL in the middle of its transaction must leave no
// trace: the child process below loads until the parent kills it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "gridbatch/store/batch_loader.hpp"
#include "store_test_util.hpp"

namespace gridbatch::store {
namespace {

using testing::Batch;
using testing::Job;
using testing::Load;
using testing::QueryInt;
using testing::QueryText;
using testing::TempDir;

constexpr int kJobsBeforeSignal = 30'000;
constexpr int kJobsAtMost = 5'000'000;  // the child stops by itself even if never killed

// Runs in the child: loads until killed. A small page cache makes SQLite
// spill uncommitted pages into the WAL file, as a large real load does.
[[noreturn]] void LoadUntilKilled(const std::string& path, int ready_fd) {
  try {
    auto store = JobStore::Open(path);
    BatchLoader loader(*store, Batch("big"), SystemClock::Instance(), {.cache_kib = 256});
    for (int i = 0; i < kJobsAtMost; ++i) {
      loader.Add(Job("p" + std::to_string(i), "gemma:2b"));
      if (i == kJobsBeforeSignal) {
        const char ready = 'r';
        if (write(ready_fd, &ready, 1) != 1) _exit(2);
      }
    }
  } catch (...) {
    _exit(3);
  }
  _exit(4);  // never committed: the parent should have killed us long before
}

TEST(KilledLoadTest, ALoadKilledMidTransactionLeavesNoneOfItsRows) {
  TempDir dir;
  const auto path = dir.File("killed.db");
  {
    auto store = JobStore::Open(path);
    Load(*store, Batch("earlier"), {Job("a", "m"), Job("b", "m")});
  }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    LoadUntilKilled(path, fds[1]);
  }
  close(fds[1]);
  char ready = 0;
  const auto got = read(fds[0], &ready, 1);
  close(fds[0]);
  kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_EQ(got, 1) << "the child failed before loading " << kJobsBeforeSignal << " jobs";
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  // The killed load did write into the WAL: what follows is recovery, not luck.
  EXPECT_GT(std::filesystem::file_size(path + "-wal"), 100'000u);

  auto store = JobStore::Open(path);  // recovers the WAL
  EXPECT_EQ(QueryText(path, "SELECT group_concat(name) FROM batches"), "earlier");
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM jobs"), 2);
  EXPECT_EQ(QueryText(path, "PRAGMA integrity_check"), "ok");
  // And the next load of the same batch starts afresh.
  EXPECT_EQ(Load(*store, Batch("big"), {Job("p1", "gemma:2b")}).added, 1u);
}

}  // namespace
}  // namespace gridbatch::store
