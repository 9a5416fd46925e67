// `gridbatch check`: a preflight against the endpoint and the token, before
// a big sweep. It submits one short prompt per model and polls each job to
// its end, recording what the service said as it said it (status and
// vmStatus spellings in order, runtime, each request's latency), and what
// differs from what `run` expects. Its jobs are not a batch's: nothing is
// read from or written to a job database.
//
// One thread: drives the http::Client it borrows, like the Runner, but shares
// nothing else with it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gridbatch/api/api_client.hpp"
#include "gridbatch/clock.hpp"
#include "gridbatch/http/http_client.hpp"
#include "gridbatch/run/status_map.hpp"

namespace gridbatch::run {

struct PreflightOptions {
  std::vector<std::string> models;  // one job each, in this order
  std::string prompt = "Reply with the single word: ready";
  std::string app = "gridrepublic:text-inference";
  std::optional<double> hours;  // sent when set
  // Every job is polled this often. Default: 2 s.
  Seconds poll_interval = 2;
  // The whole check ends after this long. Default: 10 min.
  Seconds timeout = 600;
  // Submits per model when the answer is retryable (429, 5xx, network).
  int max_submit_attempts = 3;
  StatusMap statuses;
};

// How one model's job ended.
enum class CheckEnd {
  kCompleted,    // a status run counts as completed
  kFailed,       // a status run counts as failed
  kRefused,      // the submit was refused (success:false, a 4xx)
  kUnreachable,  // no reply in the service's JSON: network error, 404, HTML...
  kAuth,         // 401/403
  kTimedOut,     // not final within the timeout
  kInterrupted,  // Ctrl-C
};

std::string_view ToString(CheckEnd end);

struct StatusSeen {
  std::string status;
  std::string vm_status;
  bool operator==(const StatusSeen&) const = default;
};

struct ModelCheck {
  std::string model;
  std::string remote_id;  // "" until a submit is accepted
  CheckEnd end = CheckEnd::kTimedOut;
  std::string detail;  // what the service answered and what to check; "" when completed
  std::vector<StatusSeen> statuses;     // each change, in the order they came
  std::optional<std::int64_t> runtime;  // the last one reported
  std::vector<double> latencies;        // seconds, one per request about this job
  std::vector<std::string> warnings;    // differences from what run expects, each once
  Seconds elapsed = 0;                  // from the first submit to the end
};

struct PreflightReport {
  std::vector<ModelCheck> models;  // in the order of the options' models
  bool AllCompleted() const;
};

class Preflight {
 public:
  // One line per request and per warning, as they happen.
  using Print = std::function<void(const std::string&)>;

  // Borrows all; `api` must ride on `http`.
  Preflight(http::Client& http, api::Client& api, const Clock& clock, PreflightOptions options,
            Print print);
  ~Preflight();

  // Runs until every model's job has ended, the timeout, or `stop` becomes
  // non-zero.
  PreflightReport Run(const std::atomic<int>& stop);

 private:
  struct Job;
  void Submit(std::size_t index);
  void OnSubmitted(std::size_t index, const api::SubmitResult& result);
  void Poll();
  void OnPolled(const api::StatusResult& result);
  void OnView(Job& job, const api::JobView& view);
  void Warn(Job& job, const std::string& warning);
  void End(Job& job, CheckEnd end, std::string detail);
  std::string SubmitFailure(const api::SubmitResult& result, CheckEnd& end) const;
  bool Done() const;

  http::Client& http_;
  api::Client& api_;
  const Clock& clock_;
  PreflightOptions options_;
  Print print_;
  std::vector<Job> jobs_;
  Seconds next_poll_ = 0;
  bool poll_in_flight_ = false;
};

}  // namespace gridbatch::run
