// The states of a job's life (see ARCHITECTURE.md):
//   pending -> submitting -> submitted -> running -> completed | failed
//   pending -> cancelled; failed | cancelled -> pending (retry)
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

namespace gridbatch {

enum class JobState {
  kPending,
  kSubmitting,
  kSubmitted,
  kRunning,
  kCompleted,
  kFailed,
  kCancelled
};

inline constexpr JobState kAllJobStates[] = {
    JobState::kPending,   JobState::kSubmitting, JobState::kSubmitted, JobState::kRunning,
    JobState::kCompleted, JobState::kFailed,     JobState::kCancelled};

constexpr std::string_view ToString(JobState state) {
  switch (state) {
    case JobState::kPending:
      return "pending";
    case JobState::kSubmitting:
      return "submitting";
    case JobState::kSubmitted:
      return "submitted";
    case JobState::kRunning:
      return "running";
    case JobState::kCompleted:
      return "completed";
    case JobState::kFailed:
      return "failed";
    case JobState::kCancelled:
      return "cancelled";
  }
  return "pending";
}

constexpr std::optional<JobState> ParseJobState(std::string_view text) {
  for (JobState s : kAllJobStates) {
    if (ToString(s) == text) return s;
  }
  return std::nullopt;
}

constexpr bool IsFinal(JobState state) {
  return state == JobState::kCompleted || state == JobState::kFailed ||
         state == JobState::kCancelled;
}

inline constexpr std::size_t kJobStateCount = std::size(kAllJobStates);

// Job counts per state, indexed by JobState: the one counts type of status,
// the run queue and the run loop.
struct StateCounts {
  std::int64_t by_state[kJobStateCount] = {};

  std::int64_t& operator[](JobState state) { return by_state[static_cast<std::size_t>(state)]; }
  std::int64_t operator[](JobState state) const {
    return by_state[static_cast<std::size_t>(state)];
  }
  std::int64_t Total() const {
    std::int64_t total = 0;
    for (const std::int64_t count : by_state) total += count;
    return total;
  }
  std::int64_t NotFinal() const {
    std::int64_t total = 0;
    for (const JobState state : kAllJobStates) {
      if (!IsFinal(state)) total += (*this)[state];
    }
    return total;
  }
};

}  // namespace gridbatch
