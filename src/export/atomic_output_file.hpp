// The file an export is written to. The rows go to a temporary file in the
// target's directory (".NAME.tmp-PID"), which is renamed over the target only
// when everything was written: readers of the target see the old file or the
// complete new one, and a failed export leaves an existing target untouched.
//
// No temporary file outlives its export: while one is open, SIGINT, SIGTERM
// and SIGHUP remove it and exit with 128 + the signal (130, 143, 129); and
// since SIGKILL cannot be caught, each new export to a target first removes
// the ".NAME.tmp-PID" files next to it whose PID no longer runs.
#pragma once

#include <signal.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <ostream>

namespace gridbatch::exporter {

class AtomicOutputFile {
 public:
  // Removes stale temporary files of the target, installs the signal
  // handlers (until Commit() or destruction; the first AtomicOutputFile of
  // several alive at once owns them) and creates the temporary file. Throws
  // gridbatch::Error (kExitCantCreate) naming the target when it cannot be
  // created.
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
  void InstallSignalCleanup();
  void RestoreSignals();

  std::ofstream stream_;
  bool committed_ = false;
  bool owns_signals_ = false;
  std::array<struct sigaction, 3> previous_actions_{};
};

}  // namespace gridbatch::exporter
