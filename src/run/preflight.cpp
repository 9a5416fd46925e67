#include "gridbatch/run/preflight.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <memory>
#include <sstream>

namespace gridbatch::run {
namespace {

constexpr Seconds kMaxWait = 0.1;

std::string Milliseconds(double seconds) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << seconds * 1000 << " ms";
  return out.str();
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

std::string_view ToString(CheckEnd end) {
  switch (end) {
    case CheckEnd::kCompleted:
      return "completed";
    case CheckEnd::kFailed:
      return "failed";
    case CheckEnd::kRefused:
      return "refused";
    case CheckEnd::kUnreachable:
      return "unreachable";
    case CheckEnd::kAuth:
      return "token refused";
    case CheckEnd::kTimedOut:
      return "timed out";
    case CheckEnd::kInterrupted:
      return "interrupted";
  }
  return "unknown";
}

bool PreflightReport::AllCompleted() const {
  return !models.empty() && std::all_of(models.begin(), models.end(), [](const ModelCheck& m) {
    return m.end == CheckEnd::kCompleted;
  });
}

struct Preflight::Job {
  ModelCheck check;
  bool ended = false;
  bool submitting = false;
  int attempts = 0;
  Seconds started = 0;
  Seconds retry_at = 0;  // next submit attempt, while not yet accepted
};

Preflight::Preflight(http::Client& http, api::Client& api, const Clock& clock,
                     PreflightOptions options, Print print)
    : http_(http),
      api_(api),
      clock_(clock),
      options_(std::move(options)),
      print_(std::move(print)) {}

Preflight::~Preflight() = default;

PreflightReport Preflight::Run(const std::atomic<int>& stop) {
  const Seconds start = clock_.Now();
  jobs_.clear();
  for (const std::string& model : options_.models) {
    Job job;
    job.check.model = model;
    job.started = start;
    jobs_.push_back(std::move(job));
  }
  for (std::size_t i = 0; i < jobs_.size(); ++i) Submit(i);
  next_poll_ = start + options_.poll_interval;
  while (!Done()) {
    const Seconds now = clock_.Now();
    if (stop.load() > 0 || now - start >= options_.timeout) break;
    for (std::size_t i = 0; i < jobs_.size(); ++i) {
      Job& job = jobs_[i];
      if (!job.ended && !job.submitting && job.check.remote_id.empty() && now >= job.retry_at) {
        Submit(i);
      }
    }
    if (now >= next_poll_ && !poll_in_flight_) Poll();
    const Seconds wait = std::clamp(next_poll_ - clock_.Now(), 0.001, kMaxWait);
    http_.Perform(std::chrono::milliseconds(static_cast<long>(wait * 1000)));
  }
  const bool interrupted = stop.load() > 0;
  for (Job& job : jobs_) {
    if (job.ended) continue;
    End(job, interrupted ? CheckEnd::kInterrupted : CheckEnd::kTimedOut,
        interrupted ? "stopped before the job ended"
                    : "not final after " + std::to_string(std::lround(options_.timeout)) +
                          " s (--timeout); last status '" +
                          (job.check.statuses.empty() ? std::string("none")
                                                      : job.check.statuses.back().status) +
                          "'");
  }
  PreflightReport report;
  for (Job& job : jobs_) report.models.push_back(std::move(job.check));
  return report;
}

bool Preflight::Done() const {
  return std::all_of(jobs_.begin(), jobs_.end(), [](const Job& job) { return job.ended; });
}

void Preflight::Submit(std::size_t index) {
  Job& job = jobs_[index];
  job.submitting = true;
  ++job.attempts;
  api::SubmitRequest request;
  request.app = options_.app;
  request.model = job.check.model;
  request.prompt = options_.prompt;
  request.hours = options_.hours;
  api_.Submit(request, [this, index](api::SubmitResult&& result) { OnSubmitted(index, result); });
}

void Preflight::OnSubmitted(std::size_t index, const api::SubmitResult& result) {
  Job& job = jobs_[index];
  job.submitting = false;
  job.check.latencies.push_back(result.elapsed_seconds);
  std::string line = job.check.model + ": POST /jobs -> ";
  line += result.http_status != 0 ? "HTTP " + std::to_string(result.http_status) : "no reply";
  line += ", " + Milliseconds(result.elapsed_seconds);
  if (result.outcome == api::Outcome::kSuccess) {
    print_(line + ", id " + result.remote_id);
    job.check.remote_id = result.remote_id;
    next_poll_ = std::min(next_poll_, clock_.Now());  // its first status, at once
    for (const std::string& oddity : result.oddities) Warn(job, oddity);
    return;
  }
  print_(line + ": " + result.error);
  if (result.outcome == api::Outcome::kRetryable && job.attempts < options_.max_submit_attempts) {
    job.retry_at = clock_.Now() + result.retry_after_seconds.value_or(1.0);
    return;
  }
  CheckEnd end = CheckEnd::kRefused;
  std::string detail = SubmitFailure(result, end);
  End(job, end, std::move(detail));
}

// What the service answered, and what to check.
std::string Preflight::SubmitFailure(const api::SubmitResult& result, CheckEnd& end) const {
  const std::string url = api_.options().endpoint + "/jobs";
  const long status = result.http_status;
  const std::string path_hint = "check the endpoint's path (--endpoint, now " +
                                api_.options().endpoint +
                                "): it is the service's base URL, such as " +
                                api::ApiOptions{}.endpoint + ", to which gridbatch adds /jobs";
  switch (result.outcome) {
    case api::Outcome::kAuth:
      end = CheckEnd::kAuth;
      return "the service refused the token (" + result.error +
             "): check GRIDREPUBLIC_TOKEN or --token-file";
    case api::Outcome::kPermanent:
      if (status == 404 || status == 405 || (status >= 300 && status < 400)) {
        end = CheckEnd::kUnreachable;
        return "POST " + url + " answered " + result.error + ": " + path_hint;
      }
      end = CheckEnd::kRefused;
      if (status >= 200 && status < 300) {
        return "the service refused the submit (" + result.error +
               "): check the model's name and the app";
      }
      return "the service refused the submit (" + result.error + ")";
    case api::Outcome::kRetryable:
      if (status == 0) {
        end = CheckEnd::kUnreachable;
        return "cannot reach " + url + ": " + result.error + ": check --endpoint and the network";
      }
      if (status >= 200 && status < 300) {
        end = CheckEnd::kUnreachable;
        return "POST " + url + " answered " + result.error + ": not the service's JSON; " +
               path_hint;
      }
      end = CheckEnd::kRefused;
      return "gave up after " + std::to_string(options_.max_submit_attempts) +
             " attempt(s): " + result.error;
    case api::Outcome::kSuccess:
      break;
  }
  end = CheckEnd::kCompleted;
  return "";
}

void Preflight::Poll() {
  next_poll_ = clock_.Now() + options_.poll_interval;
  std::vector<std::string> ids;
  for (const Job& job : jobs_) {
    if (!job.ended && !job.check.remote_id.empty()) ids.push_back(job.check.remote_id);
  }
  if (ids.empty()) return;
  poll_in_flight_ = true;
  auto remaining = std::make_shared<std::size_t>(ids.size());
  api_.Status(ids, [this, remaining](api::StatusResult&& result) {
    OnPolled(result);
    *remaining -= std::min(*remaining, result.requested.size());
    if (*remaining == 0) poll_in_flight_ = false;
  });
}

void Preflight::OnPolled(const api::StatusResult& result) {
  std::string head = "GET /jobs/{id} -> ";
  head += result.http_status != 0 ? "HTTP " + std::to_string(result.http_status) : "no reply";
  head += ", " + Milliseconds(result.elapsed_seconds);
  for (const std::string& id : result.requested) {
    auto it = std::find_if(jobs_.begin(), jobs_.end(),
                           [&id](const Job& job) { return job.check.remote_id == id; });
    if (it == jobs_.end() || it->ended) continue;
    Job& job = *it;
    job.check.latencies.push_back(result.elapsed_seconds);
    std::string line = job.check.model + ": " + head;
    switch (result.outcome) {
      case api::Outcome::kSuccess: {
        for (const std::string& oddity : result.oddities) Warn(job, oddity);
        auto view = std::find_if(result.jobs.begin(), result.jobs.end(),
                                 [&id](const api::JobView& v) { return v.id == id; });
        if (view == result.jobs.end()) {
          print_(line + ": the job is missing from the reply");
          Warn(job, "id " + id + " was missing from a status reply");
        } else {
          print_(line + ": status '" + view->status + "', vmStatus '" + view->vm_status +
                 "', runtime " + (view->runtime ? std::to_string(*view->runtime) : "none"));
          OnView(job, *view);
        }
        break;
      }
      case api::Outcome::kRetryable:
        print_(line + ": " + result.error + " (polling again)");
        break;
      case api::Outcome::kPermanent:
        print_(line + ": " + result.error);
        End(job, CheckEnd::kRefused, "the status GET was refused (" + result.error + ")");
        break;
      case api::Outcome::kAuth:
        print_(line + ": " + result.error);
        End(job, CheckEnd::kAuth,
            "the service refused the token (" + result.error +
                "): check GRIDREPUBLIC_TOKEN or --token-file");
        break;
    }
  }
}

void Preflight::OnView(Job& job, const api::JobView& view) {
  const StatusSeen seen{view.status, view.vm_status};
  if (job.check.statuses.empty() || !(job.check.statuses.back() == seen)) {
    job.check.statuses.push_back(seen);
  }
  if (view.runtime) job.check.runtime = view.runtime;
  for (const std::string& field : view.missing_fields) {
    Warn(job, "the status reply lacks the documented field '" + field + "'");
  }
  switch (options_.statuses.Map(view.status)) {
    case StatusMap::Meaning::kCompleted:
      End(job, CheckEnd::kCompleted, "");
      return;
    case StatusMap::Meaning::kFailed:
      End(job, CheckEnd::kFailed, "the service reported status '" + view.status + "'");
      return;
    case StatusMap::Meaning::kUnknown:
      Warn(job, "status '" + view.status +
                    "' is in none of the configured lists (--completed-statuses, "
                    "--failed-statuses, --running-statuses): run would treat it as running "
                    "until the job's deadline");
      return;
    case StatusMap::Meaning::kRunning:
      return;
  }
}

void Preflight::Warn(Job& job, const std::string& warning) {
  if (Contains(job.check.warnings, warning)) return;
  job.check.warnings.push_back(warning);
  print_(job.check.model + ": warning: " + warning);
}

void Preflight::End(Job& job, CheckEnd end, std::string detail) {
  job.ended = true;
  job.check.end = end;
  job.check.detail = std::move(detail);
  job.check.elapsed = clock_.Now() - job.started;
}

}  // namespace gridbatch::run
