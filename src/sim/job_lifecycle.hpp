// The life of a simulated job as a pure function of the time since its
// submit: provisioning -> downloading -> running -> completed | failed |
// aborted. Nothing is stored per phase; every status reply recomputes it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gridbatch::sim {

// How a job ends, fixed at submit by markers in its prompt.
enum class Outcome : std::uint8_t { kCompleted, kFailed, kAborted };

enum class Phase : std::uint8_t {
  kProvisioning,
  kDownloading,
  kRunning,
  kCompleted,
  kFailed,
  kAborted,
};

enum class StatusCase : std::uint8_t { kLower, kTitle };

// A job's own durations, after jitter.
struct JobTiming {
  double queue_seconds = 0;  // provisioning, then downloading, half each
  double run_seconds = 0;    // running, for a job that completes
};

// Failed and aborted jobs stop this far into their run, with this much of
// their log.
inline constexpr double kUnfinishedFraction = 0.5;

struct JobProgress {
  Phase phase = Phase::kProvisioning;
  double log_fraction = 0;           // how much of FinalLog the reply shows
  std::int64_t runtime_seconds = 0;  // whole seconds spent running
};

JobProgress ProgressAt(const JobTiming& timing, Outcome outcome, double elapsed_seconds);

// A failing marker wins over an aborting one; an empty marker never matches.
Outcome OutcomeOf(std::string_view prompt, std::string_view fail_marker,
                  std::string_view abort_marker);

// `base` scaled by (1 + jitter * u) for u in [-1, 1], drawn from
// (seed, job_index, which) so a job's timing does not depend on the order in
// which concurrent submits were served.
double Jittered(double base, double jitter, std::uint64_t seed, std::uint64_t job_index,
                std::uint64_t which);

std::string_view StatusName(Phase phase, StatusCase status_case);
// The virtual machine's state alongside: provisioning, downloading, running,
// then stopped.
std::string_view VmStatusName(Phase phase);

// The first `fraction` of `log`, cut back to a UTF-8 character boundary.
std::string_view LogPrefix(std::string_view log, double fraction);

// 64-bit FNV-1a, stable across runs and machines.
std::uint64_t StableHash(std::string_view text, std::uint64_t basis = 14695981039346656037ull);
// SplitMix64's finaliser: a bijection on 64 bits that scrambles well.
std::uint64_t Mix64(std::uint64_t x);

}  // namespace gridbatch::sim
