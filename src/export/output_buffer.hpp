// A byte buffer in front of a std::ostream: the writers append small pieces
// (a quote, a field, a separator) and the stream sees large writes only,
// which is what keeps an export of millions of rows fast.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

namespace gridbatch::exporter {

class OutputBuffer {
 public:
  // Writes to `out`, which must outlive the buffer. `destination` names the
  // output in error messages ("stdout", "results.csv").
  OutputBuffer(std::ostream& out, std::string destination);

  void Append(std::string_view text) { buffer_.append(text); }
  void Append(char c) { buffer_.push_back(c); }
  // Writes the buffer to the stream once it holds enough; call between records.
  void FlushIfFull() {
    if (buffer_.size() >= kFlushBytes) {
      Flush();
    }
  }
  // Writes the buffer and flushes the stream. Throws gridbatch::Error
  // (kExitIoErr) if the stream fails.
  void Finish();

 private:
  static constexpr std::size_t kFlushBytes = std::size_t{256} * 1024;
  void Flush();

  std::ostream& out_;
  std::string destination_;
  std::string buffer_;
};

}  // namespace gridbatch::exporter
