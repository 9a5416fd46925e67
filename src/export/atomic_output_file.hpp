// The file an export is written to. The rows go to a temporary file in the
// target's directory (".NAME.tmp-PID"), which is renamed over the target only
// when everything was written: readers of the target see the old file or the
// complete new one, and a failed export leaves an existing target untouched.
#pragma once

#include <filesystem>
#include <fstream>
#include <ostream>

namespace gridbatch::exporter {

class AtomicOutputFile {
 public:
  // Creates the temporary file. Throws gridbatch::Error (kExitCantCreate)
  // naming the target when it cannot be created.
  explicit AtomicOutputFile(std::filesystem::path target);
  // Removes the temporary file unless Commit() succeeded.
  ~AtomicOutputFile();
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  std::ostream& stream() { return stream_; }
  const std::filesystem::path& target() const { return target_; }
  const std::filesystem::path& temp_path() const { return temp_path_; }

  // Closes the temporary file, syncs it to disk (so a crash cannot leave an
  // empty target behind) and renames it over the target. Throws
  // gridbatch::Error (kExitIoErr) on failure; the target is then unchanged.
  void Commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_path_;
  std::ofstream stream_;
  bool committed_ = false;
};

}  // namespace gridbatch::exporter
