// Errors that a broken environment causes (unreadable database, full disk,
// bad command line) are thrown as gridbatch::Error and caught once in main,
// which prints the message and exits with its code. Errors that a user's
// data causes are values, returned by the module that found them.
#pragma once

#include <stdexcept>
#include <string>

namespace gridbatch {

// Exit codes, after sysexits.h where one fits.
enum ExitCode : int {
  kExitOk = 0,
  kExitJobsFailed = 1,     // run --strict: some jobs ended failed
  kExitUsage = 64,         // bad command line
  kExitDataErr = 65,       // invalid manifest or prompts file
  kExitNoInput = 66,       // input file missing or unreadable
  kExitUnavailable = 69,   // service unreachable for too long
  kExitSoftware = 70,      // internal error
  kExitCantCreate = 73,    // output file cannot be created
  kExitIoErr = 74,         // database or file I/O failed (full disk, corrupt file)
  kExitTempFail = 75,      // database locked by another run
  kExitNoPerm = 77,        // the service refused the token (401/403)
  kExitInterrupted = 130,  // stopped by Ctrl-C / SIGTERM before all jobs were final
};

class Error : public std::runtime_error {
 public:
  Error(int exit_code, const std::string& message)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace gridbatch
