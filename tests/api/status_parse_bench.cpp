// gridbatch_status_parse_bench: the status path's two readers, nlohmann (the
// reference) and simdjson On-Demand (ParseStatusReply), on realistic 100-id
// replies with logs of 200 B, 2 KB and 20 KB, in interleaved rounds (the
// order alternates each round). Prints a markdown table of thread CPU
// microseconds per job view, median and best of the rounds; CPU time, not
// wall time, so other work on the machine disturbs it less. Driven by
// bench/run.sh status_parse.
//
// Usage: gridbatch_status_parse_bench [ROUNDS [SECONDS_PER_MEASUREMENT]]
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "gridbatch/api/api_client.hpp"
#include "status_parsers.hpp"
#include "status_reply_samples.hpp"

namespace {

using gridbatch::api::StatusResult;
using Parser = StatusResult (*)(const gridbatch::http::Response&, const std::vector<std::string>&);

constexpr std::size_t kIds = 100;

double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// CPU microseconds per job view over `repeats` parses of the reply.
double Measure(Parser parse, const gridbatch::http::Response& reply,
               const std::vector<std::string>& ids, int repeats) {
  std::size_t views = 0;
  const double begin = ThreadCpuSeconds();
  for (int i = 0; i < repeats; ++i) views += parse(reply, ids).jobs.size();
  const double cpu = ThreadCpuSeconds() - begin;
  if (views != kIds * static_cast<std::size_t>(repeats)) {
    std::fprintf(stderr, "a parser lost job views\n");
    std::exit(1);
  }
  return cpu * 1e6 / static_cast<double>(views);
}

bool Same(const StatusResult& a, const StatusResult& b) {
  if (a.outcome != b.outcome || a.missing != b.missing || a.jobs.size() != b.jobs.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.jobs.size(); ++i) {
    const auto& x = a.jobs[i];
    const auto& y = b.jobs[i];
    if (x.id != y.id || x.status != y.status || x.vm_status != y.vm_status || x.log != y.log ||
        x.runtime != y.runtime || x.created != y.created) {
      return false;
    }
  }
  return true;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 7;
  const double seconds = argc > 2 ? std::atof(argv[2]) : 0.25;
  const Parser nlohmann = gridbatch::api::ParseStatusReplyNlohmann;
  const Parser simdjson = gridbatch::api::ParseStatusReply;
  std::printf(
      "| log bytes | reply KB | nlohmann us/view (median, best) | "
      "simdjson us/view (median, best) | nlohmann / simdjson (medians) |\n");
  std::printf("|---:|---:|---:|---:|---:|\n");
  for (const std::size_t log_bytes : {200u, 2000u, 20000u}) {
    const auto sample = gridbatch::api::samples::MakeStatusReply(kIds, log_bytes, 15);
    gridbatch::http::Response reply;
    reply.status = 200;
    reply.body = sample.body;
    if (!Same(nlohmann(reply, sample.requested), simdjson(reply, sample.requested)) ||
        !gridbatch::api::ReadStatusReplySimdjson(reply, sample.requested)) {
      std::fprintf(stderr, "the readers disagree, or the fast path declined\n");
      return 1;
    }
    // Repeats sized from one parse so each measurement takes about `seconds`.
    const double once =
        Measure(nlohmann, reply, sample.requested, 3) * static_cast<double>(kIds) * 1e-6 / 3;
    const int repeats = std::max(3, static_cast<int>(seconds / std::max(once, 1e-7)));
    std::vector<double> a;
    std::vector<double> b;
    for (int round = 0; round < rounds; ++round) {
      if (round % 2 == 0) {
        a.push_back(Measure(nlohmann, reply, sample.requested, repeats));
        b.push_back(Measure(simdjson, reply, sample.requested, repeats));
      } else {
        b.push_back(Measure(simdjson, reply, sample.requested, repeats));
        a.push_back(Measure(nlohmann, reply, sample.requested, repeats));
      }
    }
    std::printf("| %zu | %.0f | %.2f, %.2f | %.2f, %.2f | %.1fx |\n", log_bytes,
                static_cast<double>(reply.body.size()) / 1024, Median(a),
                *std::min_element(a.begin(), a.end()), Median(b),
                *std::min_element(b.begin(), b.end()), Median(a) / Median(b));
    std::fflush(stdout);
  }
  return 0;
}
