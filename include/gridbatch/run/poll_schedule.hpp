// When to poll each in-flight job: the adaptive schedule (the default) and
// the fixed one (`--poll-fixed`). Pure, like the rest of the job policy: it
// learns from the replies the loop shows it and answers with times; `now`
// is passed in, so tests drive it with FakeClock.
//
// The adaptive schedule, per model (docs/POLLING.md has the reasoning):
// - What the run has seen of a model's jobs is kept as a Kaplan-Meier
//   estimate of its finish times over a fixed log-spaced histogram
//   (FinishTimes): jobs seen done, and jobs seen still running at some age.
// - A job is first polled when kFirstShare of its model's jobs are likely
//   done; then again when about kHazardShare of the model's jobs still
//   running at its last poll have finished since: often around the typical
//   finish and seldom in the tails. Waits are at least a small share of the
//   model's typical length (and at least poll_interval / 10), at most
//   poll_max.
// - Before the estimate reaches that far (nothing seen yet, or a cohort of
//   jobs all of one age), a few scouts per model are polled from
//   poll_interval on; the other jobs wait, and are woken (Outcomes::Wake)
//   once kFirstShare of the scouts are seen done. From then on, at the
//   edge of what is known, every job is polled about every kNearShare of
//   the model's typical length (the scouts twice as often before the wake).
//
// Memory: a few KB per model (at most kMaxModels), nothing per job.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gridbatch/clock.hpp"
#include "gridbatch/run/run_options.hpp"
#include "gridbatch/store/run_queue.hpp"

namespace gridbatch::run {

// One model's finish times as this run has seen them: counts over ages
// (seconds since submit) in log-spaced bins, 8 per doubling from 1/16 s to
// about 12 days; ages outside fall in the end bins.
class FinishTimes {
 public:
  static constexpr int kBins = 192;

  // A job seen still running at `age`. `earlier`: the age at which this run
  // last saw it running, whose entry this one replaces.
  void Running(Seconds age, std::optional<Seconds> earlier);
  // A job seen final, having ended at about `age`; `earlier` as above.
  void Finished(Seconds age, std::optional<Seconds> earlier);
  // A completed job's reported runtime.
  void Runtime(Seconds runtime);

  // The Kaplan-Meier share of the model's jobs done by `age` (jobs seen
  // running count as at risk up to the age they were seen at).
  double ShareDoneBy(Seconds age) const;
  // The age by which `share` of the model's jobs are done; none while the
  // estimate does not reach that far.
  std::optional<Seconds> AgeAtShare(double share) const;
  // The greatest age any observation has reached.
  Seconds Horizon() const;
  // The model's typical length: the median reported runtime, or the median
  // finish age when runtimes are missing or implausible; none before any
  // job finished.
  std::optional<Seconds> TypicalLength() const;
  // The median finish age less the median runtime: the time before a job
  // runs (0 without runtimes).
  Seconds TypicalQueue() const;
  std::int64_t finished() const { return finished_count_; }

  static int BinOf(Seconds age);
  static Seconds BinStart(int bin);

 private:
  // Where `bin` ends: its upper edge, or the greatest age seen for the top bin.
  Seconds BinEnd(int bin) const;
  // Walks the Kaplan-Meier estimate bin by bin; stops where `stop(bin,
  // done_before, done_after)` says so and returns that bin, or -1.
  template <typename Stop>
  int Walk(Stop stop, double* done_before, double* done_after) const;

  std::array<std::int32_t, kBins> finished_{};
  std::array<std::int32_t, kBins> running_{};
  std::array<std::int32_t, kBins> runtimes_{};
  std::int64_t finished_count_ = 0;
  std::int64_t runtime_count_ = 0;
  int top_bin_ = -1;     // the highest bin with an entry, ever
  Seconds max_age_ = 0;  // the greatest age seen
};

class PollSchedule {
 public:
  // A job polled when this share of the model's jobs still running at its
  // last poll are likely done since.
  static constexpr double kHazardShare = 0.2;
  // A job's first poll, and the wake: when this share of its model's jobs
  // are likely done. Later than kHazardShare: the jobs that end before it
  // wait longest, but every job is asked about fewer times
  // (docs/POLLING.md).
  static constexpr double kFirstShare = 0.35;
  // The scouts wake the others only once this many of them are seen
  // finished.
  static constexpr std::int64_t kWakeFinishes = 8;
  // Around the typical finish, waits are at least this share of the length.
  static constexpr double kNearShare = 0.1;
  // A job older than this share of its model's jobs: waits grow to poll_max.
  static constexpr double kLateShare = 0.9;
  // The shortest wait: poll_interval divided by this.
  static constexpr double kFloorDivisor = 10;
  // Before a model's first finish, a job that is no scout is first asked
  // about after poll_max times this, or poll_interval times the other,
  // whichever is sooner, unless woken before.
  static constexpr double kColdWaitFactor = 10;
  static constexpr double kColdWaitIntervals = 120;
  // Scouts: the first kFirstScouts submits of each model in a run, and one
  // job in kScoutEvery (by a hash of its id).
  static constexpr int kFirstScouts = 16;
  static constexpr int kScoutEvery = 64;
  static constexpr std::size_t kMaxModels = 1000;

  PollSchedule(const RunOptions& options, Seconds run_start);
  // The run starts now: what earlier runs saw of a job is not in its counts.
  void Start(Seconds now) { run_start_ = now; }

  // A submit of `model` (the job's `attempts`-th) was accepted: when to
  // poll the job first.
  Seconds AfterSubmit(std::int64_t job_id, const std::string& model, int attempts, Seconds now);

  // A poll saw `target` final (`final`) or still running; `runtime` is the
  // reply's runtime for a completed job. Learns from it; returns when to
  // poll the job next (for a running one).
  std::optional<Seconds> AfterView(const store::PollTarget& target, bool final,
                                   std::optional<std::int64_t> runtime, Seconds now);

  // A GET goes out: when to ask again if no answer decides the job.
  static Seconds RetryAt(const RunOptions& o, Seconds now) { return now + o.poll_interval; }
  // Jobs due this much after `now` ride along in a GET that has room.
  static Seconds RideAlong(const RunOptions& o);
  // The shortest wait between polls of a job: poll_interval / kFloorDivisor.
  static Seconds Floor(const RunOptions& o);

  // Models whose waiting jobs are to be polled now (cleared by the call).
  std::vector<store::Outcomes::Wake> TakeWakes();

  // What the run has seen of `model`, if anything (tests).
  const FinishTimes* Times(const std::string& model) const;
  std::size_t models() const { return models_.size(); }

  // One job in kScoutEvery, by a hash of its id.
  static bool IsScout(std::int64_t job_id);

 private:
  struct Model {
    FinishTimes times;
    std::int64_t submits = 0;
    // The job ids of the model's first kFirstScouts submits (scouts for
    // good, like the hashed ones).
    std::vector<std::int64_t> first_scouts;
    // Scouts this run has polled, and those of them seen final.
    std::int64_t scouts_seen = 0;
    std::int64_t scouts_done = 0;
    bool woken = false;
    Seconds woken_at = 0;
  };

  Model& ModelOf(const std::string& model);
  // A hashed scout, or one of the model's first submits.
  static bool IsScout(const Model& m, std::int64_t job_id);
  Seconds Floor() const;
  Seconds PollMax() const;
  Seconds ColdWait() const;
  // The shortest wait near the finish for a job `age` old.
  Seconds NearWait(const Model& m, Seconds age) const;
  // The next poll of a job last polled at `last_age`, now `age` old.
  Seconds Next(const Model& m, Seconds age, Seconds last_age, bool scout, Seconds now) const;
  void MaybeWake(const std::string& name, Model& m, Seconds now);

  const RunOptions& o_;
  Seconds run_start_;
  std::unordered_map<std::string, Model> models_;
  Model overflow_;  // models past kMaxModels share this
  std::vector<store::Outcomes::Wake> wakes_;
};

}  // namespace gridbatch::run
