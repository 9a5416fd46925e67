#include "job_table.hpp"

#include <cstdio>
#include <mutex>

namespace gridbatch::sim {
namespace {

std::optional<std::uint64_t> ParseHex64(std::string_view text) {
  std::uint64_t value = 0;
  for (const char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return std::nullopt;  // ids are issued in lowercase only
    }
    value = value << 4 | static_cast<std::uint64_t>(digit);
  }
  return value;
}

}  // namespace

std::string JobIdText(std::uint64_t hi, std::uint64_t lo) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(hi),
                static_cast<unsigned long long>(lo));
  return std::string(buf, 32);
}

JobTable::JobTable(std::uint64_t seed, double queue_seconds, double run_seconds, double jitter)
    : seed_(seed), queue_seconds_(queue_seconds), run_seconds_(run_seconds), jitter_(jitter) {}

JobTable::Key JobTable::KeyFor(std::uint64_t index) const {
  // Mix64 is a bijection, so distinct indexes give distinct `hi` halves: ids
  // never collide, yet look as random as the service's.
  const std::uint64_t hi = Mix64(index ^ Mix64(seed_));
  return {hi, Mix64(hi ^ seed_)};
}

std::optional<JobTable::Key> JobTable::ParseId(std::string_view id) {
  if (id.size() != 32) return std::nullopt;
  auto hi = ParseHex64(id.substr(0, 16));
  auto lo = ParseHex64(id.substr(16));
  if (!hi || !lo) return std::nullopt;
  return Key{*hi, *lo};
}

std::uint32_t JobTable::Intern(std::string_view name) {
  auto it = name_index_.find(std::string(name));
  if (it != name_index_.end()) return it->second;
  const auto index = static_cast<std::uint32_t>(names_.size());
  names_.emplace_back(name);
  name_index_.emplace(names_.back(), index);
  return index;
}

JobTable::Added JobTable::Add(const NewJob& job) {
  std::string pair(job.model);
  pair += '\0';
  pair += job.prompt;
  const std::uint64_t pair_hash = StableHash(pair);

  std::unique_lock lock(mutex_);
  const std::uint64_t index = records_.size();
  const Key key = KeyFor(index);
  records_.push_back(Record{std::string(job.prompt), job.submitted,
                            static_cast<float>(Jittered(queue_seconds_, jitter_, seed_, index, 0)),
                            static_cast<float>(Jittered(run_seconds_, jitter_, seed_, index, 1)),
                            Intern(job.model), Intern(job.app), job.outcome});
  index_.emplace(key, static_cast<std::uint32_t>(index));
  const bool duplicate = !seen_.insert(pair_hash).second;
  return {JobIdText(key.hi, key.lo), duplicate};
}

std::optional<JobView> JobTable::Find(std::string_view id) const {
  const auto key = ParseId(id);
  if (!key) return std::nullopt;
  std::shared_lock lock(mutex_);
  const auto it = index_.find(*key);
  if (it == index_.end()) return std::nullopt;
  const Record& r = records_[it->second];
  return JobView{names_[r.app],
                 names_[r.model],
                 r.prompt,
                 r.submitted,
                 JobTiming{r.queue_seconds, r.run_seconds},
                 r.outcome};
}

std::size_t JobTable::size() const {
  std::shared_lock lock(mutex_);
  return records_.size();
}

}  // namespace gridbatch::sim
