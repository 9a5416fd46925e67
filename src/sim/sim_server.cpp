#include "sim_server.hpp"

#include <httplib.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <semaphore>
#include <thread>
#include <unordered_set>

#include "connection_sockets.hpp"
#include "elastic_task_queue.hpp"
#include "fault_dice.hpp"
#include "gridbatch/error.hpp"
#include "job_table.hpp"
#include "keep_alive_wait.hpp"
#include "sim_counters.hpp"
#include "sim_protocol.hpp"
#include "submit_bucket.hpp"

namespace gridbatch::sim {
namespace {

using httplib::Request;
using httplib::Response;

constexpr std::size_t kMaxBodyBytes = 8u << 20;

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

std::string RegexEscape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
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
    case 502: return "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>\n";
    case 503: return "Service Temporarily Unavailable\n";
    default: return "<html><body><h1>500 Internal Server Error</h1></body></html>\n";
  }
}

// How many replies are built at once (see RunLimited).
std::size_t BusyLimit() {
  return std::max<std::size_t>(2, 2 * std::thread::hardware_concurrency());
}

double WallNow() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

class SimServer::Impl {
 public:
  explicit Impl(SimOptions options);
  ~Impl() { Stop(); }

  int Start();
  void Stop();
  int port() const { return port_; }
  std::string Endpoint() const;
  Counters GetCounters() const { return counters_.Snapshot(jobs_.size()); }
  void ResetCounters() { counters_.Reset(); }
  void SetFaults(const Faults& faults) { dice_.SetFaults(faults); }

 private:
  void Configure();
  void Route();
  template <typename Body>
  void Serve(const Request& req, Response& res, Body body);
  void HandleSubmit(const Request& req, Response& res);
  void HandleStatus(std::string_view id_list, Response& res, const FaultRoll& roll);
  template <typename Body>
  void RunLimited(Body& body, const Request& req, Response& res, const FaultRoll& roll);
  void Send429(Response& res, double seconds);
  void SleepUnlessStopping(double seconds);
  double Now() const;

  const SimOptions options_;
  const StatusCase status_case_;
  const std::chrono::steady_clock::time_point start_steady_ = std::chrono::steady_clock::now();
  const double start_wall_ = WallNow();
  const std::string authorization_;
  const std::unordered_set<std::string> models_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  int listen_fd_ = -1;
  JobTable jobs_;
  FaultDice dice_;
  SubmitBucket bucket_;
  SimCounters counters_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::atomic<bool> listen_done_{false};
  std::counting_semaphore<> busy_{static_cast<std::ptrdiff_t>(BusyLimit())};
};

SimServer::Impl::Impl(SimOptions options)
    : options_(std::move(options)),
      status_case_(ParseStatusCase(options_.status_case)),
      authorization_("Bearer " + options_.token),
      models_(options_.models.begin(), options_.models.end()),
      jobs_(options_.seed, options_.queue_seconds, options_.run_seconds, options_.jitter),
      dice_(options_.seed, options_.faults),
      bucket_(options_.submit_rate, options_.submit_burst) {
  Configure();
  Route();
}

void SimServer::Impl::Configure() {
  const std::size_t threads = options_.threads > 0 ? options_.threads : kDefaultThreads;
  server_.new_task_queue = [threads] { return new ElasticTaskQueue(threads); };
  server_.set_keep_alive_max_count(std::max<std::size_t>(1, options_.keep_alive_max_requests));
  server_.set_keep_alive_timeout(std::max(1, options_.keep_alive_seconds));
  server_.set_tcp_nodelay(true);
  server_.set_payload_max_length(kMaxBodyBytes);
  // Not httplib's default options: they add SO_REUSEPORT, which would let two
  // simulators share a fixed port without an error.
  server_.set_socket_options([this](int fd) {
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd_ = fd;
  });
}

void SimServer::Impl::Route() {
  const std::string jobs = RegexEscape(options_.base_path) + "/jobs";
  server_.Post(jobs, [this](const Request& req, Response& res) {
    Serve(req, res, [this](const Request& r, Response& s, const FaultRoll&) { HandleSubmit(r, s); });
  });
  // Status GETs are matched by prefix before httplib's routing: its
  // std::regex over a path of 200 ids costs more than building the reply.
  const std::string status_prefix = options_.base_path + "/jobs/";
  server_.set_pre_routing_handler([this, status_prefix](const Request& req, Response& res) {
    if (req.method != "GET" || req.path.size() <= status_prefix.size() ||
        req.path.compare(0, status_prefix.size(), status_prefix) != 0 ||
        req.path.find('/', status_prefix.size()) != std::string::npos) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    Serve(req, res, [this, &status_prefix](const Request& r, Response& s, const FaultRoll& roll) {
      HandleStatus(std::string_view(r.path).substr(status_prefix.size()), s, roll);
    });
    return httplib::Server::HandlerResponse::Handled;
  });
  server_.Get("/sim/counters", [this](const Request&, Response& res) {
    SendJson(res, 200, CountersJson(GetCounters()));
  });
  server_.Post("/sim/reset-counters", [this](const Request&, Response& res) {
    ResetCounters();
    SendJson(res, 200, CountersJson(GetCounters()));
  });
}

// Everything the jobs API shares: counting, auth, then the faults that stand
// in front of the real work. A reset hangs up after the work is done, so a
// submit whose reply is lost has still created its job, the case a client
// must not assume away.
template <typename Body>
void SimServer::Impl::Serve(const Request& req, Response& res, Body body) {
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
    RunLimited(body, req, res, roll);
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
    res.set_content(ServerErrorPage(roll.server_error), roll.server_error == 503 ? "text/plain" : "text/html");
    return;
  }
  RunLimited(body, req, res, roll);
  if (roll.truncated && res.status == 200) {
    ++counters_.truncated;
    res.body.resize(res.body.size() / 2);
  }
}

// Builds replies a few at a time: hundreds of connection threads building
// 60 KB replies at once on two cores lose more to context switches, cache
// misses and malloc arena contention than they gain. Waiting here costs no
// CPU, and the connection is still being served.
template <typename Body>
void SimServer::Impl::RunLimited(Body& body, const Request& req, Response& res,
                                 const FaultRoll& roll) {
  busy_.acquire();
  body(req, res, roll);
  busy_.release();
}

void SimServer::Impl::Send429(Response& res, double seconds) {
  ++counters_.sent_429;
  res.set_header("Retry-After", RetryAfter(seconds));
  SendJson(res, 429, ErrorReply("Too many requests"));
}

void SimServer::Impl::HandleSubmit(const Request& req, Response& res) {
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
  const auto& submit = std::get<SubmitRequest>(parsed);
  if (!models_.empty() && models_.count(submit.model) == 0) {
    ++counters_.submits_rejected;
    SendJson(res, 200, ErrorReply("Unknown model: " + submit.model));
    return;
  }
  const auto added = jobs_.Add({submit.app, submit.model, submit.prompt, Now(),
                                OutcomeOf(submit.prompt, options_.fail_marker, options_.abort_marker)});
  ++counters_.submits_accepted;
  if (added.duplicate) ++counters_.duplicate_submits;
  SendJson(res, 200, SubmitReply(added.id));
}

void SimServer::Impl::HandleStatus(std::string_view id_list, Response& res, const FaultRoll& roll) {
  const auto ids = SplitIds(id_list);
  if (ids.size() > options_.max_ids_per_get) {
    SendJson(res, 400, ErrorReply("Too many ids: " + std::to_string(ids.size()) + " (at most " +
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

void SimServer::Impl::SleepUnlessStopping(double seconds) {
  std::unique_lock lock(stop_mutex_);
  stop_cv_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return stopping_; });
}

double SimServer::Impl::Now() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_steady_).count();
}

int SimServer::Impl::Start() {
  if (thread_.joinable()) return port_;
  // A client that hangs up mid-reply must not kill the process with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  UseBlockingKeepAliveWait(options_.httplib_keep_alive_polling);
  if (options_.port == 0) {
    port_ = server_.bind_to_any_port(options_.host);
  } else if (server_.bind_to_port(options_.host, options_.port)) {
    port_ = options_.port;
  } else {
    port_ = -1;
  }
  if (port_ <= 0) {
    throw Error(kExitUnavailable, "gridbatch-sim: cannot listen on " + options_.host + ":" +
                                      std::to_string(options_.port));
  }
  WidenBacklog(listen_fd_);
  thread_ = std::thread([this] {
    server_.listen_after_bind();
    listen_done_ = true;
  });
  // stop() is a no-op until the accept loop runs: wait for it (or for its end).
  while (!server_.is_running() && !listen_done_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return port_;
}

void SimServer::Impl::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  server_.stop();
  // Idle keep-alive connections would hold their workers for the whole
  // keep-alive timeout: hang up on them.
  ShutdownConnectionsOnPort(port_);
  thread_.join();
}

std::string SimServer::Impl::Endpoint() const {
  return "http://" + options_.host + ":" + std::to_string(port_) + options_.base_path;
}

SimServer::SimServer(SimOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
SimServer::~SimServer() = default;
int SimServer::Start() { return impl_->Start(); }
void SimServer::Stop() { impl_->Stop(); }
int SimServer::port() const { return impl_->port(); }
std::string SimServer::Endpoint() const { return impl_->Endpoint(); }
Counters SimServer::GetCounters() const { return impl_->GetCounters(); }
void SimServer::ResetCounters() { impl_->ResetCounters(); }
void SimServer::SetFaults(const Faults& faults) { impl_->SetFaults(faults); }

}  // namespace gridbatch::sim
