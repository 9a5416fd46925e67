#include "output_buffer.hpp"

#include <cerrno>
#include <cstring>
#include <utility>

#include "gridbatch/error.hpp"

namespace gridbatch::exporter {
namespace {

[[noreturn]] void ThrowWriteError(const std::string& destination, int error_number) {
  std::string message = "cannot write " + destination;
  // Streams do not report why they failed; errno usually still holds the
  // reason from the write(2) that failed (ENOSPC, EPIPE, EIO).
  message += error_number != 0 ? std::string(": ") + std::strerror(error_number) : ": write failed";
  throw Error(kExitIoErr, message);
}

}  // namespace

OutputBuffer::OutputBuffer(std::ostream& out, std::string destination)
    : out_(out), destination_(std::move(destination)) {
  buffer_.reserve(kFlushBytes * 2);
}

void OutputBuffer::Flush() {
  if (buffer_.empty()) {
    return;
  }
  errno = 0;
  out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  if (!out_) {
    ThrowWriteError(destination_, errno);
  }
  buffer_.clear();
}

void OutputBuffer::Finish() {
  Flush();
  errno = 0;
  out_.flush();
  if (!out_) {
    ThrowWriteError(destination_, errno);
  }
}

}  // namespace gridbatch::exporter
