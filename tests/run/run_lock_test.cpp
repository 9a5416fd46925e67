#include "gridbatch/run/run_lock.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gridbatch/error.hpp"

namespace gridbatch::run {
namespace {

std::string TempDb(const char* name) {
  auto dir =
      std::filesystem::temp_directory_path() / ("gridbatch_lock_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

// Takes the lock for `db` in a child process (flock and OFD locks belong to
// the open file description: a child that opens the files itself competes
// like a second `run` would); its exit status: 0 refused with a message
// naming this process, 1 not refused, 2 refused otherwise.
int SecondLockInAChild(const std::string& db) {
  const pid_t child = fork();
  if (child == 0) {
    try {
      RunLock second(db);
      _exit(1);
    } catch (const Error& e) {
      const std::string message = e.what();
      const bool names_first = message.find("is already being run by pid " +
                                            std::to_string(getppid())) != std::string::npos &&
                               message.find("on host ") != std::string::npos &&
                               message.find(", started ") != std::string::npos;
      _exit(e.exit_code() == kExitTempFail && names_first ? 0 : 2);
    }
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
}

void MakeDatabaseFile(const std::string& path) {
  std::ofstream(path) << "";
}

TEST(RunLockTest, ASecondRunIsRefusedWithAMessageNamingTheFirst) {
  const std::string db = TempDb("a.db");
  RunLock first(db);
  EXPECT_EQ(SecondLockInAChild(db), 0);
}

TEST(RunLockTest, ASymlinkToTheDatabaseIsTheSameDatabase) {
  const std::string db = TempDb("sym-target.db");
  const std::string link = TempDb("sym-link.db");
  std::filesystem::remove(link);
  std::filesystem::create_symlink(db, link);
  RunLock first(db);  // the file does not exist yet: the lock file alone guards it
  EXPECT_EQ(SecondLockInAChild(link), 0);
}

TEST(RunLockTest, AHardLinkToTheDatabaseIsTheSameDatabase) {
  const std::string db = TempDb("hard-target.db");
  const std::string link = TempDb("hard-link.db");
  MakeDatabaseFile(db);
  std::filesystem::remove(link);
  std::filesystem::create_hard_link(db, link);
  RunLock first(db);
  EXPECT_EQ(SecondLockInAChild(link), 0);
  EXPECT_EQ(SecondLockInAChild(db), 0);
}

TEST(RunLockTest, ADatabaseCreatedAfterTheLockIsLockedOnceAskedTo) {
  const std::string db = TempDb("later.db");
  const std::string link = TempDb("later-link.db");
  std::filesystem::remove(db);
  std::filesystem::remove(link);
  RunLock first(db);
  MakeDatabaseFile(db);
  std::filesystem::create_hard_link(db, link);
  EXPECT_EQ(SecondLockInAChild(link), 1);  // the file is not locked yet
  first.LockDatabaseFile();
  EXPECT_EQ(SecondLockInAChild(link), 0);
}

TEST(RunLockTest, ReleasingRemovesTheLockFile) {
  const std::string db = TempDb("gone.db");
  std::string lock_file;
  {
    RunLock first(db);
    lock_file = first.path();
    EXPECT_TRUE(std::filesystem::exists(lock_file));
  }
  EXPECT_FALSE(std::filesystem::exists(lock_file));
}

TEST(RunLockTest, ALockLeftByADeadProcessIsTakenOver) {
  const std::string db = TempDb("b.db");
  const pid_t child = fork();
  if (child == 0) {
    RunLock held(db);
    _exit(0);  // dies holding the lock: no destructor runs
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_NO_THROW(RunLock again(db));
}

TEST(RunLockTest, TheLockIsFreeAgainOnceReleased) {
  const std::string db = TempDb("c.db");
  { RunLock first(db); }
  EXPECT_NO_THROW(RunLock second(db));
}

}  // namespace
}  // namespace gridbatch::run
