// JobTable: every job the simulator has accepted, kept small (the prompt, two
// interned names, submit time and timing) because tests submit up to about
// 100,000 jobs. Safe to use from many server threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "job_lifecycle.hpp"

namespace gridbatch::sim {

// A copy of one job, taken under the table's lock.
struct JobView {
  std::string app;
  std::string model;
  std::string prompt;
  double submitted = 0;  // seconds on the server's clock
  JobTiming timing;
  Outcome outcome = Outcome::kCompleted;
};

struct NewJob {
  std::string_view app;
  std::string_view model;
  std::string_view prompt;
  double submitted = 0;
  Outcome outcome = Outcome::kCompleted;
};

class JobTable {
 public:
  struct Added {
    std::string id;  // 32 lowercase hex characters
    bool duplicate;  // the same (model, prompt) was added before
  };

  // Timings are drawn from (seed, job number) with `jitter` around the bases.
  JobTable(std::uint64_t seed, double queue_seconds, double run_seconds, double jitter);

  Added Add(const NewJob& job);
  // Unknown or malformed ids come back as nullopt.
  std::optional<JobView> Find(std::string_view id) const;
  std::size_t size() const;
  // Calls `each(id, submitted, timing, outcome)` for every job, in submit
  // order, under the table's lock.
  template <typename Each>
  void ForEach(Each each) const;

 private:
  struct Key {
    std::uint64_t hi, lo;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const { return static_cast<std::size_t>(k.hi ^ k.lo); }
  };
  struct Record {
    std::string prompt;
    double submitted;
    float queue_seconds;
    float run_seconds;
    std::uint32_t model;  // index into names_
    std::uint32_t app;
    Outcome outcome;
  };

  static std::optional<Key> ParseId(std::string_view id);
  Key KeyFor(std::uint64_t index) const;
  std::uint32_t Intern(std::string_view name);  // caller holds the lock

  const std::uint64_t seed_;
  const double queue_seconds_, run_seconds_, jitter_;
  mutable std::shared_mutex mutex_;
  std::vector<Record> records_;
  std::unordered_map<Key, std::uint32_t, KeyHash> index_;
  std::unordered_set<std::uint64_t> seen_;  // hashes of (model, prompt)
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::uint32_t> name_index_;
};

std::string JobIdText(std::uint64_t hi, std::uint64_t lo);

template <typename Each>
void JobTable::ForEach(Each each) const {
  std::shared_lock lock(mutex_);
  for (std::uint64_t index = 0; index < records_.size(); ++index) {
    const Record& r = records_[index];
    const Key key = KeyFor(index);
    each(JobIdText(key.hi, key.lo), r.submitted, JobTiming{r.queue_seconds, r.run_seconds},
         r.outcome);
  }
}

}  // namespace gridbatch::sim
