#include "job_lifecycle.hpp"

#include <algorithm>
#include <cmath>

namespace gridbatch::sim {
namespace {

Phase EndPhase(Outcome outcome) {
  switch (outcome) {
    case Outcome::kFailed:
      return Phase::kFailed;
    case Outcome::kAborted:
      return Phase::kAborted;
    case Outcome::kCompleted:
      break;
  }
  return Phase::kCompleted;
}

std::int64_t WholeSeconds(double seconds) {
  return static_cast<std::int64_t>(std::floor(std::max(0.0, seconds)));
}

}  // namespace

JobProgress ProgressAt(const JobTiming& timing, Outcome outcome, double elapsed) {
  const double queue = std::max(0.0, timing.queue_seconds);
  const double run = std::max(0.0, timing.run_seconds);
  const double share = outcome == Outcome::kCompleted ? 1.0 : kUnfinishedFraction;
  const double run_end = queue + run * share;
  if (elapsed < queue / 2) return {Phase::kProvisioning, 0, 0};
  if (elapsed < queue) return {Phase::kDownloading, 0, 0};
  if (elapsed < run_end) {
    const double running = elapsed - queue;
    return {Phase::kRunning, run > 0 ? running / run : 0, WholeSeconds(running)};
  }
  return {EndPhase(outcome), share, WholeSeconds(run * share)};
}

Outcome OutcomeOf(std::string_view prompt, std::string_view fail_marker,
                  std::string_view abort_marker) {
  if (!fail_marker.empty() && prompt.find(fail_marker) != std::string_view::npos) {
    return Outcome::kFailed;
  }
  if (!abort_marker.empty() && prompt.find(abort_marker) != std::string_view::npos) {
    return Outcome::kAborted;
  }
  return Outcome::kCompleted;
}

double Jittered(double base, double jitter, std::uint64_t seed, std::uint64_t job_index,
                std::uint64_t which) {
  const std::uint64_t bits = Mix64(Mix64(seed) ^ Mix64(job_index * 2 + which));
  // 53 random bits -> [0, 1) -> [-1, 1).
  const double u = static_cast<double>(bits >> 11) * 0x1.0p-53 * 2.0 - 1.0;
  return std::max(0.0, base * (1.0 + jitter * u));
}

std::string_view StatusName(Phase phase, StatusCase status_case) {
  const bool title = status_case == StatusCase::kTitle;
  switch (phase) {
    case Phase::kProvisioning:
      return title ? "Provisioning" : "provisioning";
    case Phase::kDownloading:
      return title ? "Downloading" : "downloading";
    case Phase::kRunning:
      return title ? "Running" : "running";
    case Phase::kCompleted:
      return title ? "Completed" : "completed";
    case Phase::kFailed:
      return title ? "Failed" : "failed";
    case Phase::kAborted:
      return title ? "Aborted" : "aborted";
  }
  return "unknown";
}

std::string_view VmStatusName(Phase phase) {
  switch (phase) {
    case Phase::kProvisioning:
      return "provisioning";
    case Phase::kDownloading:
      return "downloading";
    case Phase::kRunning:
      return "running";
    default:
      return "stopped";
  }
}

std::string_view LogPrefix(std::string_view log, double fraction) {
  const double clamped = std::clamp(fraction, 0.0, 1.0);
  auto n = static_cast<std::size_t>(std::floor(static_cast<double>(log.size()) * clamped));
  // Never split a multi-byte character: back up over continuation bytes.
  while (n > 0 && n < log.size() && (static_cast<unsigned char>(log[n]) & 0xC0) == 0x80) --n;
  return log.substr(0, n);
}

std::uint64_t StableHash(std::string_view text, std::uint64_t basis) {
  std::uint64_t hash = basis;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

std::uint64_t Mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace gridbatch::sim
