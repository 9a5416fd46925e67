#include "sim_server.hpp"

#include <httplib.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "connection_sockets.hpp"
#include "elastic_task_queue.hpp"
#include "gridbatch/error.hpp"
#include "jobs_api.hpp"
#include "keep_alive_wait.hpp"

namespace gridbatch::sim {
namespace {

using httplib::Request;
using httplib::Response;

constexpr std::size_t kMaxBodyBytes = 8u << 20;

std::string RegexEscape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
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
  JobsApi& api() { return api_; }

 private:
  void Configure();
  void Route();

  const SimOptions options_;
  JobsApi api_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> listen_done_{false};
};

SimServer::Impl::Impl(SimOptions options) : options_(std::move(options)), api_(options_) {
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
  server_.Post(RegexEscape(options_.base_path) + "/jobs",
               [this](const Request& req, Response& res) { api_.Submit(req, res); });
  // Status GETs are matched by prefix before httplib's routing: its
  // std::regex over a path of 200 ids costs more than building the reply.
  const std::string status_prefix = options_.base_path + "/jobs/";
  server_.set_pre_routing_handler([this, status_prefix](const Request& req, Response& res) {
    if (req.method != "GET" || req.path.size() <= status_prefix.size() ||
        req.path.compare(0, status_prefix.size(), status_prefix) != 0 ||
        req.path.find('/', status_prefix.size()) != std::string::npos) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    api_.Status(std::string_view(req.path).substr(status_prefix.size()), req, res);
    return httplib::Server::HandlerResponse::Handled;
  });
  server_.Get("/sim/counters", [this](const Request&, Response& res) { api_.CountersReply(res); });
  server_.Post("/sim/reset-counters",
               [this](const Request&, Response& res) { api_.ResetCountersReply(res); });
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
  api_.Stop();
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
int SimServer::Start() {
  return impl_->Start();
}
void SimServer::Stop() {
  impl_->Stop();
}
int SimServer::port() const {
  return impl_->port();
}
std::string SimServer::Endpoint() const {
  return impl_->Endpoint();
}
Counters SimServer::GetCounters() const {
  return impl_->api().GetCounters();
}
void SimServer::ResetCounters() {
  impl_->api().ResetCounters();
}
void SimServer::SetFaults(const Faults& faults) {
  impl_->api().SetFaults(faults);
}
void SimServer::WriteJobs(std::ostream& out) const {
  impl_->api().WriteJobs(out);
}

}  // namespace gridbatch::sim
