// Runs the built gridbatch binary as a child process the way a user's shell
// would, but fenced: its address space is capped (so a memory explosion is
// a failed test, not a swapped machine), it can be run as an unprivileged
// user (root ignores file permissions), and its stdout and stderr are kept
// in files that a test can read back or scan.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "test_files.hpp"

namespace gridbatch::reliability {

struct ChildOptions {
  std::vector<std::string> args;  // after the program name
  // Set in the child's environment; GRIDREPUBLIC_TOKEN and GRIDBATCH_ENDPOINT
  // are removed first unless given here.
  std::vector<std::pair<std::string, std::string>> env;
  // RLIMIT_AS of the child in bytes; 0: no limit. Default: 1 GiB. Ignored in
  // sanitizer builds, whose shadow memory needs terabytes of address space.
  std::uint64_t address_space_limit = std::uint64_t{1} << 30;
  // RLIMIT_CPU in seconds (the child dies of SIGXCPU past it); 0: no limit.
  // A bound on work done, far above what the command needs, not a timing.
  unsigned cpu_seconds_limit = 0;
  // When this process is root: run the child as nobody (uid/gid 65534), so
  // that file permissions apply to it.
  bool unprivileged = false;
};

struct ChildResult {
  int exit_code = -1;  // the exit status, or 128 + the signal that killed it
  std::string out;
  std::string err;
  std::filesystem::path out_path, err_path;
};

// Runs `program` with `options`; stdout and stderr go to fresh files in
// `io_dir` (never overwritten: each run gets its own pair). Waits for it.
ChildResult RunChild(const std::string& program, const ChildOptions& options,
                     const std::filesystem::path& io_dir);

// A child started by StartChild and not waited for yet.
struct StartedChild {
  int pid = -1;
  std::filesystem::path out_path, err_path;
};

// RunChild in two halves, for a test that acts while the child runs (kills
// it, deletes its files): StartChild returns at once; WaitChild waits for it
// to exit and reads what it wrote. ExitedWithin polls for at most `seconds`
// and says whether it has exited (then WaitChild returns at once).
StartedChild StartChild(const std::string& program, const ChildOptions& options,
                        const std::filesystem::path& io_dir);
ChildResult WaitChild(const StartedChild& child);
bool ExitedWithin(const StartedChild& child, double seconds);

// Whether RunChild can drop privileges (it is root) - without it, chmod is
// enough to make a file read-only.
bool IsRoot();

using gridbatch::testing::ReadFile;
using gridbatch::testing::WriteFile;

}  // namespace gridbatch::reliability
