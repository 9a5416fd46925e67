#include "gridbatch/run_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gridbatch/clock.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/time_format.hpp"

namespace gridbatch::run {
namespace {

std::string ReadAll(int fd) {
  std::string text;
  char buf[512];
  if (lseek(fd, 0, SEEK_SET) < 0) return text;
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

std::string Owner() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return "pid " + std::to_string(getpid()) + " on host " + host + ", started " +
         FormatIsoUtc(SystemClock::Instance().Now());
}

}  // namespace

RunLock::RunLock(const std::string& db_path) {
  if (db_path == ":memory:") return;
  path_ = db_path + ".lock";
  fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw Error(kExitIoErr, "cannot open lock file " + path_ + ": " + std::strerror(errno));
  }
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::string owner = ReadAll(fd_);
    close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK) {
      throw Error(kExitTempFail, "database " + db_path + " is already being run by " +
                                     (owner.empty() ? "another process" : owner) +
                                     "; only one `run` may drive a database at a time");
    }
    throw Error(kExitIoErr, "cannot lock " + path_ + ": " + std::strerror(err));
  }
  const std::string owner = Owner() + "\n";
  if (ftruncate(fd_, 0) != 0 || pwrite(fd_, owner.data(), owner.size(), 0) < 0) {
    // The lock holds without the note; only the message to a second run suffers.
  }
}

RunLock::~RunLock() {
  if (fd_ < 0) return;
  // Leave the file: unlinking it would race with a second run opening it.
  if (ftruncate(fd_, 0) != 0) {
  }
  flock(fd_, LOCK_UN);
  close(fd_);
}

}  // namespace gridbatch::run
