#include "gridbatch/run_lock.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "gridbatch/error.hpp"

namespace gridbatch::run {
namespace {

std::string TempDb(const char* name) {
  auto dir =
      std::filesystem::temp_directory_path() / ("gridbatch_lock_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

TEST(RunLockTest, ASecondRunIsRefusedWithAMessageNamingTheFirst) {
  const std::string db = TempDb("a.db");
  RunLock first(db);
  // flock locks belong to the open file description: a child process that
  // opens the file itself competes like a second `run` would.
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
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
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
