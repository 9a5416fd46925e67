// A small HTTP/1.1 server on 127.0.0.1 for the http client's tests: it
// answers each request as the test's handler says, including the ways real
// servers fail (reset, close without reply, truncated body, stall), and
// records what it saw. One thread per connection; everything stops in the
// destructor, even a stalled reply.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gridbatch::http::testing {

struct SeenRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  int connection = 0;         // which accepted connection carried it, from 1
  int nth_on_connection = 0;  // 1 for the first request on its connection, 2 for the next...
};

struct Reply {
  enum class Kind {
    kRespond,            // a full reply
    kReset,              // RST instead of a reply
    kCloseWithoutReply,  // orderly close, no bytes sent
    kTruncate,           // headers promise 100 more bytes than are sent, then close
  };
  Kind kind = Kind::kRespond;
  int status = 200;
  std::string body;
  std::vector<std::string> headers;    // extra "Name: value" lines
  std::chrono::milliseconds delay{0};  // before answering; cut short on shutdown
};

class LoopbackServer {
 public:
  using Handler = std::function<Reply(const SeenRequest&)>;

  explicit LoopbackServer(Handler handler);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  std::string Url(const std::string& target) const;
  int connections_accepted() const { return connections_accepted_.load(); }
  std::vector<SeenRequest> requests() const;

  // A port on 127.0.0.1 that nothing listens on (bound, then closed).
  static int ClosedPort();

 private:
  void AcceptLoop();
  void Serve(int fd, int connection);
  bool ReadRequest(int fd, std::string& buffer, SeenRequest& request);
  void Answer(int fd, const Reply& reply);
  void Pause(std::chrono::milliseconds delay);

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_accepted_{0};
  mutable std::mutex mutex_;
  std::vector<SeenRequest> requests_;
  std::vector<int> open_fds_;
  std::vector<std::thread> connection_threads_;
  std::thread accept_thread_;
};

}  // namespace gridbatch::http::testing
