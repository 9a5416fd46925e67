// gridbatch_api_bench: keeps N submits or status GETs in flight through
// api::Client (one thread, libcurl multi) for a fixed time against a running
// endpoint, and prints one line of figures. Driven by bench/run.sh api,
// which runs wrk against the same simulator in the same run for comparison.
//
// Usage: gridbatch_api_bench ENDPOINT submit|status IN_FLIGHT SECONDS [IDS_FILE]
// The token comes from GRIDREPUBLIC_TOKEN. Status GETs carry 100 ids each,
// taken in turn from IDS_FILE (one id a line).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "gridbatch/api/api_client.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using gridbatch::api::Outcome;

struct Tally {
  std::vector<double> latencies_ms;
  long errors = 0;
};

class Driver {
 public:
  Driver(gridbatch::api::Client& api, bool submit, std::vector<std::vector<std::string>> batches)
      : api_(api), submit_(submit), batches_(std::move(batches)) {}

  void StartOne(Clock::time_point deadline) {
    if (Clock::now() >= deadline) return;
    const Clock::time_point started = Clock::now();
    auto finish = [this, started, deadline](Outcome outcome) {
      tally_.latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - started).count());
      if (outcome != Outcome::kSuccess) ++tally_.errors;
      StartOne(deadline);
    };
    if (submit_) {
      gridbatch::api::SubmitRequest request;
      request.model = "gemma:2b";
      request.prompt = "bench prompt " + std::to_string(next_++);
      api_.Submit(request, [finish](gridbatch::api::SubmitResult&& r) { finish(r.outcome); });
    } else {
      const auto& ids = batches_[next_++ % batches_.size()];
      api_.Status(ids, [finish](gridbatch::api::StatusResult&& r) { finish(r.outcome); });
    }
  }

  const Tally& tally() const { return tally_; }

 private:
  gridbatch::api::Client& api_;
  bool submit_;
  std::vector<std::vector<std::string>> batches_;
  std::size_t next_ = 0;
  Tally tally_;
};

std::vector<std::vector<std::string>> ReadBatches(const char* path) {
  std::vector<std::vector<std::string>> batches(1);
  std::ifstream in(path);
  for (std::string id; std::getline(in, id);) {
    if (batches.back().size() == 100) batches.emplace_back();
    batches.back().push_back(id);
  }
  if (batches.back().size() < 100 && batches.size() > 1) batches.pop_back();
  return batches;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s ENDPOINT submit|status IN_FLIGHT SECONDS [IDS_FILE]\n",
                 argv[0]);
    return 64;
  }
  const bool submit = std::string(argv[2]) == "submit";
  const int in_flight = std::atoi(argv[3]);
  const double seconds = std::atof(argv[4]);
  if (!submit && argc < 6) {
    std::fprintf(stderr, "status needs IDS_FILE\n");
    return 64;
  }
  const char* token = std::getenv("GRIDREPUBLIC_TOKEN");
  gridbatch::http::Client http;
  gridbatch::api::ApiOptions options;
  options.endpoint = argv[1];
  options.token = token ? token : "";
  gridbatch::api::Client api(http, options);
  Driver driver(api, submit,
                submit ? std::vector<std::vector<std::string>>{} : ReadBatches(argv[5]));

  const Clock::time_point begin = Clock::now();
  const auto deadline =
      begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (int i = 0; i < in_flight; ++i) driver.StartOne(deadline);
  while (http.Perform(std::chrono::milliseconds(100)) > 0) {
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu_seconds =
      static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
      static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;

  std::vector<double> latencies = driver.tally().latencies_ms;
  std::sort(latencies.begin(), latencies.end());
  double sum = 0;
  for (double l : latencies) sum += l;
  const std::size_t n = latencies.size();
  // CPU per request is the client's own cost, which the machine's other
  // load disturbs far less than requests per second.
  std::printf("requests=%zu errors=%ld rps=%.0f avg_ms=%.2f p99_ms=%.2f cpu_us=%.0f\n", n,
              driver.tally().errors, static_cast<double>(n) / elapsed,
              n ? sum / static_cast<double>(n) : 0.0,
              n ? latencies[std::min(n - 1, n * 99 / 100)] : 0.0,
              n ? cpu_seconds * 1e6 / static_cast<double>(n) : 0.0);
  return 0;
}
