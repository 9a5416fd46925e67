#include "gridbatch/run/poll_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace gridbatch::run {
namespace {

constexpr double kBinsPerDoubling = 8;
constexpr double kFirstBinAge = 1.0 / 16;
// A scout's wait before its model's first finish: this share of its age
// (the first finishes are seen within a quarter of their age).
constexpr double kColdGrowth = 0.25;
// A job that is no scout and waits past what is known: its wait doubles.
constexpr double kWaitGrowth = 2;
// Reported runtimes longer than this share of the finish ages are not
// seconds: the finish ages give the length instead.
constexpr double kImplausibleRuntime = 1.5;
// A wake reaches jobs not polled since their submit: last polled at most
// this long after it (the submit and its first "last poll" share a
// millisecond clock).
constexpr Seconds kWakeTolerance = 0.05;
// At the edge of what is known (a cohort of jobs of one age), a job that is
// no scout waits this many near waits.
constexpr double kFrontierWaits = 1.1;
// ... and a scout there this share of one: what it sees decides the wakes.
constexpr double kScoutWait = 0.5;

std::uint64_t Mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

void Drop(std::array<std::int32_t, FinishTimes::kBins>& bins, std::optional<Seconds> age) {
  if (!age) return;
  std::int32_t& n = bins[static_cast<std::size_t>(FinishTimes::BinOf(*age))];
  if (n > 0) --n;
}

// The age at which a plain histogram's cumulative count reaches `share`.
std::optional<Seconds> PlainQuantile(const std::array<std::int32_t, FinishTimes::kBins>& bins,
                                     std::int64_t count, double share) {
  if (count <= 0) return std::nullopt;
  const double wanted = share * static_cast<double>(count);
  double seen = 0;
  for (int b = 0; b < FinishTimes::kBins; ++b) {
    const double n = bins[static_cast<std::size_t>(b)];
    if (n > 0 && seen + n >= wanted) {
      const double start = FinishTimes::BinStart(b);
      return start + (FinishTimes::BinStart(b + 1) - start) * (wanted - seen) / n;
    }
    seen += n;
  }
  return FinishTimes::BinStart(FinishTimes::kBins);
}

}  // namespace

// --- FinishTimes ---

int FinishTimes::BinOf(Seconds age) {
  if (!(age > kFirstBinAge)) return 0;
  const double bin = std::floor(kBinsPerDoubling * std::log2(age / kFirstBinAge));
  return static_cast<int>(std::clamp(bin, 0.0, double{kBins - 1}));
}

Seconds FinishTimes::BinStart(int bin) {
  return kFirstBinAge * std::exp2(static_cast<double>(bin) / kBinsPerDoubling);
}

void FinishTimes::Running(Seconds age, std::optional<Seconds> earlier) {
  Drop(running_, earlier);
  const int bin = BinOf(age);
  ++running_[static_cast<std::size_t>(bin)];
  top_bin_ = std::max(top_bin_, bin);
  max_age_ = std::max(max_age_, age);
}

void FinishTimes::Finished(Seconds age, std::optional<Seconds> earlier) {
  Drop(running_, earlier);
  const int bin = BinOf(age);
  ++finished_[static_cast<std::size_t>(bin)];
  ++finished_count_;
  top_bin_ = std::max(top_bin_, bin);
  max_age_ = std::max(max_age_, age);
}

void FinishTimes::Runtime(Seconds runtime) {
  ++runtimes_[static_cast<std::size_t>(BinOf(runtime))];
  ++runtime_count_;
}

template <typename Stop>
int FinishTimes::Walk(Stop stop, double* done_before, double* done_after) const {
  double at_risk = 0;
  for (int b = 0; b <= top_bin_; ++b) {
    at_risk += finished_[static_cast<std::size_t>(b)] + running_[static_cast<std::size_t>(b)];
  }
  double survived = 1;
  for (int b = 0; b <= top_bin_; ++b) {
    const auto i = static_cast<std::size_t>(b);
    const double before = 1 - survived;
    if (at_risk > 0) survived *= 1 - finished_[i] / at_risk;
    *done_before = before;
    *done_after = 1 - survived;
    if (stop(b, before, 1 - survived)) return b;
    at_risk -= finished_[i] + running_[i];
  }
  return -1;
}

double FinishTimes::ShareDoneBy(Seconds age) const {
  if (finished_count_ == 0) return 0;
  const int bin = BinOf(age);
  double before = 0, after = 0;
  if (Walk([bin](int b, double, double) { return b == bin; }, &before, &after) < 0) return after;
  const double start = BinStart(bin);
  const double within = std::clamp((age - start) / (BinEnd(bin) - start), 0.0, 1.0);
  return before + (after - before) * within;
}

std::optional<Seconds> FinishTimes::AgeAtShare(double share) const {
  if (finished_count_ == 0) return std::nullopt;
  double before = 0, after = 0;
  const int bin =
      Walk([share](int, double, double done) { return done >= share; }, &before, &after);
  if (bin < 0) return std::nullopt;
  const double start = BinStart(bin);
  const double within = after > before ? (share - before) / (after - before) : 0;
  return start + (BinEnd(bin) - start) * std::clamp(within, 0.0, 1.0);
}

Seconds FinishTimes::BinEnd(int bin) const {
  // Every entry of the top bin is at most the greatest age seen.
  const Seconds end = BinStart(bin + 1);
  return bin == top_bin_ ? std::clamp(max_age_, BinStart(bin) + 1e-9, end) : end;
}

Seconds FinishTimes::Horizon() const {
  return max_age_;
}

Seconds FinishTimes::TypicalQueue() const {
  const auto finish = PlainQuantile(finished_, finished_count_, 0.5);
  const auto runtime = PlainQuantile(runtimes_, runtime_count_, 0.5);
  if (!finish || !runtime || *runtime > kImplausibleRuntime * *finish) return 0;
  return std::max(0.0, *finish - *runtime);
}

std::optional<Seconds> FinishTimes::TypicalLength() const {
  const auto finish = PlainQuantile(finished_, finished_count_, 0.5);
  const auto runtime = PlainQuantile(runtimes_, runtime_count_, 0.5);
  if (runtime && finish && *runtime <= kImplausibleRuntime * *finish) return runtime;
  return finish;
}

// --- PollSchedule ---

PollSchedule::PollSchedule(const RunOptions& options, Seconds run_start)
    : o_(options), run_start_(run_start) {}

bool PollSchedule::IsScout(std::int64_t job_id) {
  return Mix(static_cast<std::uint64_t>(job_id)) % kScoutEvery == 0;
}

bool PollSchedule::IsScout(const Model& m, std::int64_t job_id) {
  return IsScout(job_id) ||
         std::find(m.first_scouts.begin(), m.first_scouts.end(), job_id) != m.first_scouts.end();
}

Seconds PollSchedule::Floor(const RunOptions& o) {
  return o.poll_interval / kFloorDivisor;
}

Seconds PollSchedule::Floor() const {
  return Floor(o_);
}

Seconds PollSchedule::PollMax() const {
  return std::max(o_.poll_max, o_.poll_interval);
}

Seconds PollSchedule::RideAlong(const RunOptions& o) {
  // Half the shortest wait: a job riding along is not polled much early.
  return 0.5 * (o.poll_mode == RunOptions::PollMode::kFixed ? o.poll_interval : Floor(o));
}

PollSchedule::Model& PollSchedule::ModelOf(const std::string& model) {
  if (auto it = models_.find(model); it != models_.end()) return it->second;
  if (models_.size() >= kMaxModels) return overflow_;
  return models_[model];
}

const FinishTimes* PollSchedule::Times(const std::string& model) const {
  auto it = models_.find(model);
  return it == models_.end() ? nullptr : &it->second.times;
}

Seconds PollSchedule::NearWait(const Model& m, Seconds age) const {
  const auto length = m.times.TypicalLength();
  if (!length) return o_.poll_interval;
  const Seconds queue = m.times.TypicalQueue();
  // The median runtime of the jobs finished so far is that of the short
  // ones. Once the estimate reaches half the model's jobs, its median
  // finish less the queue time is the model's length; before, a job still
  // running is at least as long as it has run so far.
  const auto median = m.times.AgeAtShare(0.5);
  const Seconds base = median ? *median - queue : age - queue;
  return std::clamp(kNearShare * std::max(*length, base), Floor(), PollMax());
}

Seconds PollSchedule::ColdWait() const {
  return std::min(kColdWaitFactor * PollMax(), kColdWaitIntervals * o_.poll_interval);
}

Seconds PollSchedule::AfterSubmit(std::int64_t job_id, const std::string& model, int attempts,
                                  Seconds now) {
  if (o_.poll_mode == RunOptions::PollMode::kFixed) return now + o_.poll_interval;
  Model& m = ModelOf(model);
  ++m.submits;
  if (m.submits <= kFirstScouts && &m != &overflow_) m.first_scouts.push_back(job_id);
  // Not asked about before a share of its model's jobs would be done.
  if (const auto first = m.times.AgeAtShare(kFirstShare)) return now + std::max(*first, Floor());
  // A job submitted again, or after the wake, is a scout too: the wake may
  // not come back for it.
  if (m.submits <= kFirstScouts || IsScout(job_id) || attempts > 1 || m.woken) {
    return now + o_.poll_interval;
  }
  // The scouts find out; a wake brings this one forward.
  return now + ColdWait();
}

std::optional<Seconds> PollSchedule::AfterView(const store::PollTarget& target, bool final,
                                               std::optional<std::int64_t> runtime, Seconds now) {
  if (o_.poll_mode == RunOptions::PollMode::kFixed) {
    return final ? std::nullopt : std::optional<Seconds>(now + o_.poll_interval);
  }
  Model& m = ModelOf(target.model);
  const Seconds age = std::max(0.0, now - target.submitted_at);
  const bool scout = IsScout(m, target.id);
  // What the scouts show decides the wake: each counted once in this run.
  if (scout && !(target.last_running_at && *target.last_running_at >= run_start_)) {
    ++m.scouts_seen;
  }
  if (scout && final) ++m.scouts_done;
  std::optional<Seconds> seen_running;
  if (target.last_running_at) seen_running = *target.last_running_at - target.submitted_at;
  // An earlier entry of this run's, to replace.
  const std::optional<Seconds> earlier =
      target.last_running_at && *target.last_running_at >= run_start_ ? seen_running : std::nullopt;
  if (final) {
    // It ended after it was last seen running, and after running `runtime`.
    std::optional<Seconds> after = seen_running;
    if (runtime && *runtime > 0) {
      after = std::max(after.value_or(0), static_cast<Seconds>(*runtime));
      m.times.Runtime(static_cast<Seconds>(*runtime));
    }
    const Seconds ended = after && *after < age ? (*after + age) / 2 : age;
    m.times.Finished(ended, earlier);
    if (&m != &overflow_) MaybeWake(target.model, m, now);
    return std::nullopt;
  }
  m.times.Running(age, earlier);
  if (&m != &overflow_) MaybeWake(target.model, m, now);
  const Seconds last_age = std::clamp(target.last_polled_at - target.submitted_at, 0.0, age);
  // A job last polled by an earlier run waited for that run, not for scouts.
  const bool waited_here = target.last_polled_at >= run_start_;
  return Next(m, age, waited_here ? last_age : age, scout, now);
}

Seconds PollSchedule::Next(const Model& m, Seconds age, Seconds last_age, bool scout,
                           Seconds now) const {
  const Seconds near = NearWait(m, age);
  const Seconds waited = age - last_age;
  const double done = m.times.ShareDoneBy(age);
  // Later than most of its model's jobs: the waits grow, up to poll_max.
  if (m.times.finished() > 0 && done >= kLateShare) {
    return now + std::clamp(kWaitGrowth * waited, near, PollMax());
  }
  // Polled again once a share of the jobs still running at this age are done.
  if (const auto at = m.times.AgeAtShare(done + kHazardShare * (1 - done)); at && *at > age) {
    return now + std::clamp(*at - age, near, PollMax());
  }
  // Past what the run has seen: until the wake, scouts go on finding out;
  // after it, the woken jobs tell as much.
  if (scout && !m.woken) {
    if (m.times.finished() > 0) return now + std::max(Floor(), kScoutWait * near);
    return now + std::clamp(kColdGrowth * age, Floor(), PollMax());
  }
  // The others wait for them (a wake), or for the growing waits; once jobs
  // of the model are finishing, for a few near waits at most.
  if (m.times.finished() == 0) {
    if (waited > PollMax()) return now + ColdWait();
    return now + std::clamp(kWaitGrowth * waited, near, PollMax());
  }
  return now + std::clamp(kWaitGrowth * waited, near, std::min(kFrontierWaits * near, PollMax()));
}

void PollSchedule::MaybeWake(const std::string& name, Model& m, Seconds now) {
  // Not on the first few finishes: a scout or two ending early would wake
  // every job of the model long before a share of them are done.
  if (m.scouts_done < kWakeFinishes) return;
  // The share of the scouts seen done, not the Kaplan-Meier estimate at
  // the horizon: there few scouts are at risk, and it runs ahead.
  if (static_cast<double>(m.scouts_done) < kFirstShare * static_cast<double>(m.scouts_seen)) {
    return;
  }
  // Once; after that the woken jobs keep their own waits (kFrontierWaits),
  // and a wake at most every poll_max catches jobs that missed the last one
  // (their submit was answered after it).
  if (m.woken && now - m.woken_at < PollMax()) return;
  m.woken = true;
  m.woken_at = now;
  // A job submitted since is polled when kFirstShare of the model's jobs
  // would be done, as far as the estimate tells.
  const Seconds first = m.times.AgeAtShare(kFirstShare).value_or(m.times.Horizon());
  // Only jobs not polled since their submit: the others keep the waits
  // their own polls set (in a stream of submits, a wake reaching further
  // would poll every running job again).
  wakes_.push_back({.model = name,
                    .last_poll_age = kWakeTolerance,
                    .first_poll_age = first,
                    .later_than = now + Floor()});
}

std::vector<store::Outcomes::Wake> PollSchedule::TakeWakes() {
  std::vector<store::Outcomes::Wake> wakes;
  wakes.swap(wakes_);
  return wakes;
}

}  // namespace gridbatch::run
