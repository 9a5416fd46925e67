#include "atomic_output_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include "gridbatch/error.hpp"

namespace gridbatch::exporter {
namespace {

std::string TempPrefixFor(const std::filesystem::path& target) {
  return "." + target.filename().string() + ".tmp-";
}

std::filesystem::path TempPathFor(const std::filesystem::path& target) {
  return target.parent_path() / (TempPrefixFor(target) + std::to_string(::getpid()));
}

// Temporary files of earlier exports to `target` whose process is gone
// (killed with SIGKILL, or the machine stopped): removed. A pid that is
// alive, even if reused by another program, keeps its file.
void RemoveStaleTempFiles(const std::filesystem::path& target) {
  const std::string prefix = TempPrefixFor(target);
  const std::filesystem::path dir =
      target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  std::error_code error;
  for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(prefix) || name.size() == prefix.size()) continue;
    const char* digits = name.data() + prefix.size();
    const char* last = name.data() + name.size();
    pid_t pid = 0;
    const auto [ptr, ec] = std::from_chars(digits, last, pid);
    if (ec != std::errc() || ptr != last || pid <= 0 || pid == ::getpid()) continue;
    if (::kill(pid, 0) != 0 && errno == ESRCH) {
      std::error_code ignored;
      std::filesystem::remove(it->path(), ignored);
    }
  }
}

// The temporary file a signal handler removes before the process exits, as a
// plain array: a handler may only call async-signal-safe functions.
std::array<char, PATH_MAX> g_signal_temp_path{};
volatile sig_atomic_t g_signal_temp_set = 0;
constexpr std::array<int, 3> kCleanupSignals = {SIGINT, SIGTERM, SIGHUP};

extern "C" void RemoveTempAndExit(int signal_number) {
  if (g_signal_temp_set != 0) ::unlink(g_signal_temp_path.data());
  ::_exit(128 + signal_number);  // 130 for SIGINT, 143 for SIGTERM, as a shell reports them
}

std::string Reason(int error_number) {
  return error_number != 0 ? std::strerror(error_number) : "unknown error";
}

void SyncToDisk(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int error_number = errno;
    if (fd >= 0) {
      ::close(fd);
    }
    throw Error(kExitIoErr, "cannot sync " + path.string() + ": " + Reason(error_number));
  }
  ::close(fd);
}

}  // namespace

AtomicOutputFile::AtomicOutputFile(std::filesystem::path target)
    : target_(std::move(target)), temp_path_(TempPathFor(target_)) {
  if (target_.filename().empty()) {
    throw Error(kExitCantCreate, "cannot create " + target_.string() + ": not a file name");
  }
  if (std::filesystem::is_directory(target_)) {
    throw Error(kExitCantCreate, "cannot create " + target_.string() + ": is a directory");
  }
  RemoveStaleTempFiles(target_);
  InstallSignalCleanup();
  errno = 0;
  stream_.open(temp_path_, std::ios::binary | std::ios::trunc);
  if (!stream_.is_open()) {
    const int error_number = errno;
    RestoreSignals();
    throw Error(kExitCantCreate, "cannot create " + target_.string() + ": " + Reason(error_number));
  }
}

AtomicOutputFile::~AtomicOutputFile() {
  if (committed_) {
    return;
  }
  stream_.close();
  std::error_code ignored;
  std::filesystem::remove(temp_path_, ignored);
  RestoreSignals();
}

void AtomicOutputFile::InstallSignalCleanup() {
  const std::string path = std::filesystem::absolute(temp_path_).string();
  // One file at a time owns the handler; a path too long to hold keeps none.
  if (g_signal_temp_set != 0 || path.size() >= g_signal_temp_path.size()) return;
  std::memcpy(g_signal_temp_path.data(), path.c_str(), path.size() + 1);
  g_signal_temp_set = 1;
  owns_signals_ = true;
  struct sigaction action {};
  action.sa_handler = RemoveTempAndExit;
  sigemptyset(&action.sa_mask);
  for (std::size_t i = 0; i < kCleanupSignals.size(); ++i) {
    ::sigaction(kCleanupSignals[i], &action, &previous_actions_[i]);
  }
}

void AtomicOutputFile::RestoreSignals() {
  if (!owns_signals_) return;
  for (std::size_t i = 0; i < kCleanupSignals.size(); ++i) {
    ::sigaction(kCleanupSignals[i], &previous_actions_[i], nullptr);
  }
  g_signal_temp_set = 0;
  owns_signals_ = false;
}

void AtomicOutputFile::Commit() {
  errno = 0;
  stream_.close();
  if (stream_.fail()) {
    throw Error(kExitIoErr, "cannot write " + target_.string() + ": " + Reason(errno));
  }
  SyncToDisk(temp_path_);
  std::error_code error;
  std::filesystem::rename(temp_path_, target_, error);
  if (error) {
    throw Error(kExitIoErr, "cannot replace " + target_.string() + ": " + error.message());
  }
  committed_ = true;
  RestoreSignals();
}

}  // namespace gridbatch::exporter
