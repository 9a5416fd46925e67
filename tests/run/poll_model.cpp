// An offline model of the poll schedule: the real run::PollSchedule driven
// by a simple model of the poll loop and of a service, on a simulated clock,
// with no sockets and no sleeps. It answers in a second what
// bench/run.sh poll_schedule measures in 11 minutes, so that the schedule's
// constants can be tried quickly; the benchmark, against the real loop and
// the simulator, has the last word (docs/POLLING.md).
//
// Model: JOBS jobs of one model submitted within SPREAD seconds (a cohort),
// or at MODEL_RATE jobs a second (a stream); each waits
// a queue time drawn from QUEUE x [0.5, 1.5] and runs R x [0.5, 1.5]
// (gridbatch-sim --jitter 0.5, uniform), whole seconds of runtime reported.
// The loop turns every TICK seconds: it takes the jobs due, earliest first,
// up to 8 GETs of 100, and lets jobs due within PollSchedule::RideAlong ride
// along in the last GET's room; each view goes to AfterView; wakes are
// applied as RunQueue applies them.
//
// Usage: gridbatch_poll_model [R ...]   (default: 10 60 300)
// Environment: MODEL_JOBS (2000); MODEL_SEEDS (3): runs per R, averaged,
// with the range over them; MODEL_SEED=S runs seed S only; MODEL_TRACE=1
// prints each loop turn's polls and each wake on stderr.
// Built with the tests: build/tests/run/gridbatch_poll_model.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "gridbatch/run/poll_schedule.hpp"

namespace {

using gridbatch::Seconds;
using gridbatch::run::PollSchedule;
using gridbatch::run::RunOptions;

constexpr Seconds kQueue = 5;
constexpr double kJitter = 0.5;
constexpr Seconds kSpread = 1;
constexpr Seconds kTick = 0.05;
constexpr std::size_t kPerTick = 800;  // 8 GETs of 100

struct Job {
  std::int64_t id = 0;
  Seconds submitted = 0;
  Seconds started = 0;  // the end of its queue time
  Seconds ended = 0;
  Seconds next = 0;
  Seconds last_polled = 0;
  std::optional<Seconds> last_running;
  int polls = 0;
  bool done = false;
  Seconds noticed = 0;
};

struct Result {
  double ids_per_job = 0;
  double median = 0;
  double p95 = 0;
  double scout_share = 0;  // the share of the ids that went to scouts
  double before_end = 0;   // polls per job that found it still running
};

bool IsScout(const Job& j) {
  return PollSchedule::IsScout(j.id) || j.id <= PollSchedule::kFirstScouts;
}

Result RunOnce(Seconds run_time, int jobs, unsigned seed) {
  const bool trace = std::getenv("MODEL_TRACE") != nullptr;
  const char* rate_env = std::getenv("MODEL_RATE");
  const double rate = rate_env ? std::atof(rate_env) : 0;
  RunOptions o;
  PollSchedule schedule(o, 0);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<Job> all(static_cast<std::size_t>(jobs));
  const std::string model = "gemma:2b";
  for (int i = 0; i < jobs; ++i) {
    Job& j = all[static_cast<std::size_t>(i)];
    j.id = i + 1;
    j.submitted = rate > 0 ? i / rate : kSpread * i / jobs;
    j.started = j.submitted + kQueue * (1 + kJitter * u(rng));
    j.ended = j.started + run_time * (1 + kJitter * u(rng));
    j.last_polled = j.submitted;
  }
  std::int64_t ids = 0, scout_ids = 0, running_views = 0;
  int left = jobs;
  std::vector<Job*> order;
  const Seconds last_submit = all.back().submitted;
  std::size_t submitted = 0;  // jobs submitted so far, in order
  for (Seconds now = 0; left > 0 && now < last_submit + 20 * run_time + 600; now += kTick) {
    for (; submitted < all.size() && all[submitted].submitted <= now; ++submitted) {
      Job& j = all[submitted];
      j.next = schedule.AfterSubmit(j.id, model, 1, j.submitted);
    }
    order.clear();
    for (Job& j : all) {
      if (!j.done && j.submitted <= now && j.next > 0 &&
          j.next <= now + PollSchedule::RideAlong(o)) {
        order.push_back(&j);
      }
    }
    std::sort(order.begin(), order.end(),
              [](const Job* a, const Job* b) { return a->next < b->next; });
    std::size_t take = 0;
    while (take < order.size() && take < kPerTick && order[take]->next <= now) ++take;
    // Ride along in the last GET's room.
    const std::size_t room = take % 100 == 0 ? 0 : 100 - take % 100;
    take = std::min({order.size(), take + room, kPerTick});
    for (std::size_t k = 0; k < take; ++k) {
      Job& j = *order[k];
      ++ids;
      ++j.polls;
      if (IsScout(j)) ++scout_ids;
      gridbatch::store::PollTarget target;
      target.id = j.id;
      target.remote_id = std::to_string(j.id);
      target.model = model;
      target.submitted_at = j.submitted;
      target.last_polled_at = j.last_polled;
      target.last_running_at = j.last_running;
      j.last_polled = now;
      if (now >= j.ended) {
        const auto runtime = static_cast<std::int64_t>(j.ended - j.started);
        schedule.AfterView(target, true, runtime, now);
        j.done = true;
        j.noticed = now;
        --left;
      } else {
        ++running_views;
        j.next =
            schedule.AfterView(target, false, std::nullopt, now).value_or(now + o.poll_interval);
        j.last_running = now;
      }
    }
    if (trace && take > 0) {
      std::fprintf(stderr, "t=%.2f polled=%zu left=%d\n", now, take, left);
    }
    for (const auto& wake : schedule.TakeWakes()) {
      if (trace) {
        // What the scouts saw against the truth: the wake's sampling error.
        int scouts = 0, scouts_done = 0, done = 0;
        for (const Job& j : all) {
          if (IsScout(j)) {
            ++scouts;
            scouts_done += j.ended <= now;
          }
          done += j.ended <= now;
        }
        std::fprintf(stderr, "  wake reach=%.2f first=%.2f scouts done %d/%d, all jobs done %d\n",
                     wake.last_poll_age, wake.first_poll_age, scouts_done, scouts, done);
      }
      for (Job& j : all) {
        if (j.done || j.next <= wake.later_than) continue;
        if (j.last_polled - j.submitted > wake.last_poll_age) continue;
        const Seconds at = std::max(now, j.submitted + wake.first_poll_age);
        if (at < j.next) j.next = at;
      }
    }
  }
  std::vector<double> delays;
  for (const Job& j : all) {
    if (j.done) delays.push_back(j.noticed - j.ended);
  }
  std::sort(delays.begin(), delays.end());
  Result r;
  const auto n = static_cast<double>(delays.size());
  r.ids_per_job = static_cast<double>(ids) / n;
  r.median = delays[(delays.size() - 1) / 2];
  r.p95 = delays[static_cast<std::size_t>(std::ceil(0.95 * n)) - 1];
  r.scout_share = static_cast<double>(scout_ids) / static_cast<double>(ids);
  r.before_end = static_cast<double>(running_views) / n;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<double> run_times;
  for (int i = 1; i < argc; ++i) run_times.push_back(std::atof(argv[i]));
  if (run_times.empty()) run_times = {10, 60, 300};
  const char* jobs_env = std::getenv("MODEL_JOBS");
  const char* seeds_env = std::getenv("MODEL_SEEDS");
  const int jobs = jobs_env ? std::atoi(jobs_env) : 2000;
  const int seeds = seeds_env ? std::atoi(seeds_env) : 3;
  if (jobs < 1 || seeds < 1) {
    std::fprintf(stderr,
                 "gridbatch_poll_model: MODEL_JOBS and MODEL_SEEDS must be whole numbers >= 1\n");
    return 64;
  }
  for (const double r : run_times) {
    if (!(r > 0)) {
      std::fprintf(stderr, "gridbatch_poll_model: a run time must be seconds > 0, not '%g'\n", r);
      return 64;
    }
  }
  std::printf(
      "| R s | ids per job | running views per job | scouts' share of ids | median s | p95 s | "
      "goal s |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|\n");
  double sum = 0, worst_sum = 0;
  for (const double r : run_times) {
    Result mean;
    double lo = 1e9, hi = 0, med_hi = 0;
    for (int s = 0; s < seeds; ++s) {
      const char* seed_env = std::getenv("MODEL_SEED");
      const Result one = RunOnce(
          r, jobs,
          seed_env ? static_cast<unsigned>(std::atoi(seed_env)) : static_cast<unsigned>(s + 1));
      mean.ids_per_job += one.ids_per_job / seeds;
      lo = std::min(lo, one.ids_per_job);
      hi = std::max(hi, one.ids_per_job);
      med_hi = std::max(med_hi, one.median);
      mean.median += one.median / seeds;
      mean.p95 += one.p95 / seeds;
      mean.scout_share += one.scout_share / seeds;
      mean.before_end += one.before_end / seeds;
    }
    sum += mean.ids_per_job;
    worst_sum += hi;
    std::printf("| %.0f | %.2f (%.2f-%.2f) | %.2f | %.2f | %.2f (max %.2f) | %.2f | %.1f |\n", r,
                mean.ids_per_job, lo, hi, mean.before_end, mean.scout_share, mean.median, med_hi,
                mean.p95, std::min(0.1 * r, 60.0));
  }
  std::printf("\nids per job averaged over the lengths: %.2f (the worst seeds': %.2f)\n",
              sum / static_cast<double>(run_times.size()),
              worst_sum / static_cast<double>(run_times.size()));
  return 0;
}
