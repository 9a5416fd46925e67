// Not a test: times BatchLoader on a synthetic batch, once per way of finding
// the jobs a re-load no longer lists (LoadOptions::SeenTracking), to choose
// the default. Run by bench/run.sh load; prints markdown table rows.
//   gridbatch_store_bench DIR [JOBS]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gridbatch/store/batch_loader.hpp"

namespace {

using gridbatch::JobSpec;
using gridbatch::store::BatchLoader;
using gridbatch::store::JobStore;
using gridbatch::store::LoadCounts;
using gridbatch::store::LoadOptions;

struct Took {
  double wall = 0;     // seconds
  double cpu = 0;      // user + system seconds
  double written = 0;  // MB this process caused to be written (/proc/self/io)
};

// Bytes written to storage so far, as /proc/self/io counts them; 0 if unknown.
double WrittenMegabytes() {
  std::ifstream io("/proc/self/io");
  std::string key;
  double value = 0;
  while (io >> key >> value) {
    if (key == "write_bytes:") return value / 1e6;
  }
  return 0;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Loads `jobs` jobs (ids from `first`) and returns the time it took.
Took TimedLoad(JobStore& store, LoadOptions options, long first, long jobs, LoadCounts& counts) {
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = CpuSeconds();
  const double written_start = WrittenMegabytes();
  gridbatch::BatchSpec batch;
  batch.name = "bench";
  BatchLoader loader(store, batch, gridbatch::SystemClock::Instance(), options);
  JobSpec job;
  job.model = "gemma:2b";
  job.vars = {{"n", ""}};
  for (long i = first; i < first + jobs; ++i) {
    job.prompt_id = "p" + std::to_string(i);
    job.prompt = "Question " + std::to_string(i) + ": what is the square root of " +
                 std::to_string(i * 7919) + ", to three decimals?";
    job.vars[0].value = std::to_string(i);
    loader.Add(job);
  }
  counts = loader.Commit();
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
          CpuSeconds() - cpu_start, WrittenMegabytes() - written_start};
}

void Run(const std::filesystem::path& dir, const char* name, LoadOptions::SeenTracking tracking,
         long jobs) {
  const auto path = (dir / (std::string(name) + ".db")).string();
  std::filesystem::remove(path);
  auto store = JobStore::Open(path);
  LoadOptions options;
  options.seen_tracking = tracking;
  LoadCounts counts;
  const Took fresh = TimedLoad(*store, options, 0, jobs, counts);
  const Took again = TimedLoad(*store, options, 0, jobs, counts);
  // An edited manifest: the first 10% dropped, 10% new at the end.
  const Took edited = TimedLoad(*store, options, jobs / 10, jobs, counts);
  std::printf(
      "| %s | %.1f / %.1f / %.0f | %.1f / %.1f / %.0f | %.1f / %.1f / %.0f | %llu new, "
      "%llu gone |\n",
      name, fresh.wall, fresh.cpu, fresh.written, again.wall, again.cpu, again.written, edited.wall,
      edited.cpu, edited.written, static_cast<unsigned long long>(counts.added),
      static_cast<unsigned long long>(counts.no_longer_listed));
  store.reset();
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [JOBS]\n", argv[0]);
    return 64;
  }
  const long jobs = argc > 2 ? std::atol(argv[2]) : 1'000'000;
  std::printf(
      "| seen tracking (%ld jobs) | first load: wall s / cpu s / written MB | re-load "
      "(all present) | edited re-load | edited: counts |\n",
      jobs);
  std::printf("|---|---:|---:|---:|---|\n");
  Run(argv[1], "temp table", LoadOptions::SeenTracking::kTempTable, jobs);
  Run(argv[1], "load serial", LoadOptions::SeenTracking::kLoadSerial, jobs);
  return 0;
}
