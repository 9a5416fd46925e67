#include "atomic_output_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include "gridbatch/error.hpp"

namespace gridbatch::exporter {
namespace {

std::filesystem::path TempPathFor(const std::filesystem::path& target) {
  const std::string name = "." + target.filename().string() + ".tmp-" + std::to_string(::getpid());
  return target.parent_path() / name;
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
  errno = 0;
  stream_.open(temp_path_, std::ios::binary | std::ios::trunc);
  if (!stream_.is_open()) {
    throw Error(kExitCantCreate, "cannot create " + target_.string() + ": " + Reason(errno));
  }
}

AtomicOutputFile::~AtomicOutputFile() {
  if (committed_) {
    return;
  }
  stream_.close();
  std::error_code ignored;
  std::filesystem::remove(temp_path_, ignored);
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
}

}  // namespace gridbatch::exporter
