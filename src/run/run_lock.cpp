#include "gridbatch/run/run_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "gridbatch/clock.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/util/time_format.hpp"

namespace gridbatch::run {
namespace {

// The byte of the database file that the run lock takes: SQLite locks bytes
// from 2^30 to 2^30 + 512 only, and a lock may lie past the end of a file.
constexpr off_t kDatabaseLockByte = off_t{1} << 40;

std::string ReadAll(int fd) {
  std::string text;
  char buf[512];
  if (lseek(fd, 0, SEEK_SET) < 0) return text;
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

std::string ReadNote(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string text = ReadAll(fd);
  close(fd);
  return text;
}

void WriteNote(int fd, const std::string& owner) {
  const std::string line = owner + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, line.data(), line.size(), 0) < 0) {
    // The lock holds without the note; only the message to a second run suffers.
  }
}

std::string Owner() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return "pid " + std::to_string(getpid()) + " on host " + host + ", started " +
         FormatIsoUtc(SystemClock::Instance().Now());
}

// `db_path` with every symlink resolved, so all names reach one lock file.
// A symlink to a file not created yet resolves too (weakly_canonical alone
// keeps a dangling link's own name): links are followed by hand first.
std::string Resolved(const std::string& db_path) {
  std::filesystem::path path = db_path;
  std::error_code error;
  for (int hops = 0; hops < 40 && std::filesystem::is_symlink(path, error); ++hops) {
    const std::filesystem::path target = std::filesystem::read_symlink(path, error);
    if (error) break;
    path = target.is_absolute() ? target : path.parent_path() / target;
  }
  const std::filesystem::path resolved = std::filesystem::weakly_canonical(path, error);
  return error || resolved.empty() ? db_path : resolved.string();
}

[[noreturn]] void ThrowBusy(const std::string& db_path, const std::string& owner,
                            const std::string& how) {
  throw Error(kExitTempFail, "database " + db_path + " is already being run by " +
                                 (owner.empty() ? "another process" : owner) + how +
                                 "; only one `run` may drive a database at a time");
}

bool SameFile(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

}  // namespace

RunLock::RunLock(const std::string& db_path) : db_path_(db_path) {
  if (db_path == ":memory:") return;
  path_ = Resolved(db_path) + ".lock";
  owner_ = Owner();
  // The holder removes the file when it is done; one who opened the old file
  // just before may then lock it, so a lock counts only on the file that
  // still has the name.
  for (;;) {
    fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw Error(kExitIoErr, "cannot open lock file " + path_ + ": " + std::strerror(errno));
    }
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      const std::string owner = ReadAll(fd_);
      close(fd_);
      fd_ = -1;
      if (err == EWOULDBLOCK) ThrowBusy(db_path, owner, "");
      throw Error(kExitIoErr, "cannot lock " + path_ + ": " + std::strerror(err));
    }
    struct stat held {};
    struct stat named {};
    if (fstat(fd_, &held) == 0 && stat(path_.c_str(), &named) == 0 && SameFile(held, named)) break;
    close(fd_);
    fd_ = -1;
  }
  WriteNote(fd_, owner_);
  try {
    LockDatabaseFile();
  } catch (...) {
    unlink(path_.c_str());
    close(fd_);
    fd_ = -1;
    throw;
  }
}

void RunLock::LockDatabaseFile() {
  if (fd_ < 0 || db_fd_ >= 0) return;
  // Read and write: a write lock needs it. A file this process cannot write
  // is not one a run can drive; opening the store says why.
  const int fd = open(db_path_.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return;
  struct stat file {};
  if (fstat(fd, &file) != 0 || !S_ISREG(file.st_mode)) {
    close(fd);
    return;
  }
  struct flock byte {};
  byte.l_type = F_WRLCK;
  byte.l_whence = SEEK_SET;
  byte.l_start = kDatabaseLockByte;
  byte.l_len = 1;
  const std::string note =
      (std::filesystem::temp_directory_path() / ("gridbatch-run-" + std::to_string(file.st_dev) +
                                                 "-" + std::to_string(file.st_ino) + ".owner"))
          .string();
  if (fcntl(fd, F_OFD_SETLK, &byte) != 0) {
    const int err = errno;
    close(fd);
    if (err == EAGAIN || err == EACCES) {
      ThrowBusy(db_path_, ReadNote(note), " (under another name: a link to the same file)");
    }
    throw Error(kExitIoErr, "cannot lock database " + db_path_ + ": " + std::strerror(err));
  }
  db_fd_ = fd;
  const int note_fd = open(note.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (note_fd >= 0) {
    WriteNote(note_fd, owner_);
    close(note_fd);
    note_path_ = note;
  }
}

RunLock::~RunLock() {
  if (db_fd_ >= 0) {
    if (!note_path_.empty()) unlink(note_path_.c_str());
    close(db_fd_);  // drops the file's lock
  }
  if (fd_ < 0) return;
  // Removed while still locked: a run that opened it meanwhile sees, once it
  // has the lock, that the name is gone, and starts again (constructor).
  unlink(path_.c_str());
  flock(fd_, LOCK_UN);
  close(fd_);
}

}  // namespace gridbatch::run
