#include "jobs_api.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <thread>

#include "connection_sockets.hpp"
#include "gridbatch/error.hpp"
#include "sim_protocol.hpp"

namespace gridbatch::sim {
namespace {

using httplib::Request;
using httplib::Response;

// Debian's httplib compresses replies whose Content-Type is exactly
// "application/json" when the client accepts gzip or brotli, at up to 190 ms
// of brotli per 48 KB status reply: the simulator would become the
// bottleneck of every client that offers compression. The charset parameter
// is valid and keeps replies plain.
constexpr const char* kJsonType = "application/json; charset=utf-8";

StatusCase ParseStatusCase(const std::string& name) {
  if (name == "lower") return StatusCase::kLower;
  if (name == "title") return StatusCase::kTitle;
  throw Error(kExitUsage, "status case must be 'lower' or 'title', not '" + name + "'");
}

// Retry-After takes whole seconds; round up so a client never comes back early.
std::string RetryAfter(double seconds) {
  return std::to_string(static_cast<long long>(std::ceil(std::max(0.0, seconds))));
}

void SendJson(Response& res, int status, std::string body) {
  res.status = status;
  // Moved, not set_content()'s copy: status replies run to 60 KB.
  res.body = std::move(body);
  res.set_header("Content-Type", kJsonType);
}

std::string ServerErrorPage(int status) {
  switch (status) {
    case 502:
      return "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad "
             "Gateway</h1></body></html>\n";
    case 503:
      return "Service Temporarily Unavailable\n";
    default:
      return "<html><body><h1>500 Internal Server Error</h1></body></html>\n";
  }
}

// How many replies are built at once (see RunLimited).
std::size_t BusyLimit() {
  return std::max<std::size_t>(2, std::size_t{2} * std::thread::hardware_concurrency());
}

double WallNow() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

JobsApi::JobsApi(const SimOptions& options)
    : options_(options),
      status_case_(ParseStatusCase(options.status_case)),
      start_steady_(std::chrono::steady_clock::now()),
      start_wall_(WallNow()),
      authorization_("Bearer " + options.token),
      models_(options.models.begin(), options.models.end()),
      jobs_(options.seed, options.queue_seconds, options.run_seconds, options.jitter),
      dice_(options.seed, options.faults),
      bucket_(options.submit_rate, options.submit_burst),
      busy_(static_cast<std::ptrdiff_t>(BusyLimit())) {}

void JobsApi::Submit(const Request& req, Response& res) {
  Serve(req, res, &JobsApi::HandleSubmit, {});
}

void JobsApi::Status(std::string_view id_list, const Request& req, Response& res) {
  Serve(req, res, &JobsApi::HandleStatus, id_list);
}

void JobsApi::CountersReply(Response& res) const {
  SendJson(res, 200, CountersJson(GetCounters()));
}

void JobsApi::ResetCountersReply(Response& res) {
  ResetCounters();
  SendJson(res, 200, CountersJson(GetCounters()));
}

void JobsApi::Stop() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
}

// Everything the jobs API shares: counting, auth, then the faults that stand
// in front of the real work. A reset hangs up after the work is done, so a
// submit whose reply is lost has still created its job, the case a client
// must not assume away.
void JobsApi::Serve(const Request& req, Response& res, Handler handler, std::string_view arg) {
  SimCounters::InFlight in_flight(counters_);
  ++counters_.requests;
  if (req.get_header_value("Authorization") != authorization_) {
    ++counters_.unauthorized;
    res.set_header("WWW-Authenticate", "Bearer");
    SendJson(res, 401, ErrorReply("Unauthorized: a valid Bearer token is required"));
    return;
  }
  const FaultRoll roll = dice_.Roll();
  const Faults faults = dice_.faults();
  if (roll.slow) SleepUnlessStopping(faults.slow_seconds);
  if (roll.reset) {
    RunLimited(handler, req, res, roll, arg);
    ++counters_.resets;
    ShutdownConnection(req.local_port, req.remote_addr, req.remote_port);
    return;
  }
  if (roll.too_many) {
    Send429(res, faults.retry_after_seconds);
    return;
  }
  if (roll.server_error != 0) {
    ++counters_.sent_5xx;
    res.status = roll.server_error;
    res.set_content(ServerErrorPage(roll.server_error),
                    roll.server_error == 503 ? "text/plain" : "text/html");
    return;
  }
  RunLimited(handler, req, res, roll, arg);
  if (roll.truncated && res.status == 200) {
    ++counters_.truncated;
    res.body.resize(res.body.size() / 2);
  }
}

// Builds replies a few at a time: hundreds of connection threads building
// 60 KB replies at once on two cores lose more to context switches, cache
// misses and malloc arena contention than they gain. Waiting here costs no
// CPU, and the connection is still being served.
void JobsApi::RunLimited(Handler handler, const Request& req, Response& res, const FaultRoll& roll,
                         std::string_view arg) {
  busy_.acquire();
  (this->*handler)(req, res, roll, arg);
  busy_.release();
}

void JobsApi::Send429(Response& res, double seconds) {
  ++counters_.sent_429;
  res.set_header("Retry-After", RetryAfter(seconds));
  SendJson(res, 429, ErrorReply("Too many requests"));
}

void JobsApi::HandleSubmit(const Request& req, Response& res, const FaultRoll&, std::string_view) {
  const double wait = bucket_.TryTake(Now());
  if (wait > 0) {
    ++counters_.rate_limited;
    Send429(res, std::max(1.0, wait));
    return;
  }
  auto parsed = ParseSubmit(req.body);
  if (const auto* error = std::get_if<SubmitError>(&parsed)) {
    ++counters_.submits_rejected;
    SendJson(res, 200, ErrorReply(error->message));
    return;
  }
  if (!options_.refuse_submits.empty()) {
    ++counters_.submits_rejected;
    SendJson(res, 200, ErrorReply(options_.refuse_submits));
    return;
  }
  const auto& submit = std::get<SubmitRequest>(parsed);
  if (!models_.empty() && models_.count(submit.model) == 0) {
    ++counters_.submits_rejected;
    SendJson(res, 200, ErrorReply("Unknown model: " + submit.model));
    return;
  }
  const auto added =
      jobs_.Add({submit.app, submit.model, submit.prompt, Now(),
                 OutcomeOf(submit.prompt, options_.fail_marker, options_.abort_marker)});
  ++counters_.submits_accepted;
  if (added.duplicate) ++counters_.duplicate_submits;
  SendJson(res, 200, SubmitReply(added.id));
}

void JobsApi::HandleStatus(const Request&, Response& res, const FaultRoll& roll,
                           std::string_view id_list) {
  const auto ids = SplitIds(id_list);
  if (ids.size() > options_.max_ids_per_get) {
    SendJson(res, 400,
             ErrorReply("Too many ids: " + std::to_string(ids.size()) + " (at most " +
                        std::to_string(options_.max_ids_per_get) + " per request)"));
    return;
  }
  ++counters_.gets;
  counters_.ids_polled += ids.size();
  std::vector<JobView> views;
  std::vector<std::string_view> found;
  views.reserve(ids.size());
  std::unordered_set<std::string_view> seen;
  for (const auto id : ids) {
    if (!seen.insert(id).second) continue;
    if (auto view = jobs_.Find(id)) {
      views.push_back(std::move(*view));
      found.push_back(id);
    }
  }
  if (roll.omit && !found.empty()) {
    const auto drop = static_cast<std::ptrdiff_t>(roll.pick % found.size());
    views.erase(views.begin() + drop);
    found.erase(found.begin() + drop);
    ++counters_.omitted;
  }
  const double now = Now();
  std::vector<std::pair<std::string_view, JobReply>> replies;
  replies.reserve(views.size());
  for (std::size_t i = 0; i < views.size(); ++i) {
    replies.emplace_back(found[i], JobReply{&views[i], now - views[i].submitted,
                                            CreatedTime(start_wall_ + views[i].submitted)});
  }
  SendJson(res, 200, StatusReply(replies, status_case_));
}

void JobsApi::WriteJobs(std::ostream& out) const {
  out << "id,submitted,ended,outcome\n";
  char line[160];
  jobs_.ForEach(
      [&](const std::string& id, double submitted, const JobTiming& timing, Outcome outcome) {
        const double share = outcome == Outcome::kCompleted ? 1.0 : kUnfinishedFraction;
        const double start = start_wall_ + submitted;
        const double end =
            start + std::max(0.0, timing.queue_seconds) + std::max(0.0, timing.run_seconds) * share;
        const char* name = outcome == Outcome::kCompleted ? "completed"
                           : outcome == Outcome::kFailed  ? "failed"
                                                          : "aborted";
        std::snprintf(line, sizeof line, "%s,%.3f,%.3f,%s\n", id.c_str(), start, end, name);
        out << line;
      });
}

void JobsApi::SleepUnlessStopping(double seconds) {
  std::unique_lock lock(stop_mutex_);
  stop_cv_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return stopping_; });
}

double JobsApi::Now() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_steady_).count();
}

}  // namespace gridbatch::sim
