#include "loopback_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

namespace gridbatch::http::testing {
namespace {

constexpr int kPollMs = 20;

int ListenOnLoopback(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 512) != 0) {
    ::close(fd);
    throw std::runtime_error("bind/listen on 127.0.0.1 failed");
  }
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  return fd;
}

bool WaitReadable(int fd, const std::atomic<bool>& stopping) {
  while (!stopping.load()) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, kPollMs);
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
  return false;
}

void SendAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

void ParseHead(const std::string& head, SeenRequest& request) {
  std::size_t line_end = head.find("\r\n");
  const std::string first = head.substr(0, line_end);
  const std::size_t space1 = first.find(' ');
  const std::size_t space2 = first.find(' ', space1 + 1);
  request.method = first.substr(0, space1);
  request.target = first.substr(space1 + 1, space2 - space1 - 1);
  while (line_end != std::string::npos && line_end + 2 < head.size()) {
    const std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line = head.substr(start, line_end - start);
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    request.headers[Lower(line.substr(0, colon))] = value;
  }
}

}  // namespace

LoopbackServer::LoopbackServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ListenOnLoopback(port_);
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

LoopbackServer::~LoopbackServer() {
  stopping_ = true;
  accept_thread_.join();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (std::thread& thread : connection_threads_) thread.join();
  ::close(listen_fd_);
}

std::string LoopbackServer::Url(const std::string& target) const {
  return "http://127.0.0.1:" + std::to_string(port_) + target;
}

std::vector<SeenRequest> LoopbackServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

int LoopbackServer::ClosedPort() {
  int port = 0;
  ::close(ListenOnLoopback(port));
  return port;
}

void LoopbackServer::AcceptLoop() {
  while (WaitReadable(listen_fd_, stopping_)) {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    const int connection = ++connections_accepted_;
    std::lock_guard<std::mutex> lock(mutex_);
    open_fds_.push_back(fd);
    connection_threads_.emplace_back([this, fd, connection] { Serve(fd, connection); });
  }
}

void LoopbackServer::Serve(int fd, int connection) {
  std::string buffer;
  SeenRequest request;
  int nth = 0;
  while (ReadRequest(fd, buffer, request)) {
    request.connection = connection;
    request.nth_on_connection = ++nth;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(request);
    }
    const Reply reply = handler_(request);
    Pause(reply.delay);
    if (stopping_.load()) break;
    Answer(fd, reply);
    if (reply.kind != Reply::Kind::kRespond) return;  // Answer closed it
    request = SeenRequest{};
  }
  // Closed under the lock so the destructor never shuts down a reused fd.
  std::lock_guard<std::mutex> lock(mutex_);
  ::close(fd);
  open_fds_.erase(std::find(open_fds_.begin(), open_fds_.end(), fd));
}

bool LoopbackServer::ReadRequest(int fd, std::string& buffer, SeenRequest& request) {
  std::size_t head_end;
  std::size_t body_length = 0;
  bool have_head = false;
  char chunk[65536];
  for (;;) {
    if (!have_head && (head_end = buffer.find("\r\n\r\n")) != std::string::npos) {
      have_head = true;
      ParseHead(buffer.substr(0, head_end), request);
      auto it = request.headers.find("content-length");
      if (it != request.headers.end()) body_length = std::stoul(it->second);
      buffer.erase(0, head_end + 4);
    }
    if (have_head && buffer.size() >= body_length) {
      request.body = buffer.substr(0, body_length);
      buffer.erase(0, body_length);
      return true;
    }
    if (!WaitReadable(fd, stopping_)) return false;
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

void LoopbackServer::Answer(int fd, const Reply& reply) {
  auto close_now = [&](bool reset) {
    if (reset) {
      const linger hard{1, 0};  // close() then sends RST, not FIN
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    ::close(fd);
    open_fds_.erase(std::find(open_fds_.begin(), open_fds_.end(), fd));
  };
  if (reply.kind == Reply::Kind::kReset) return close_now(true);
  if (reply.kind == Reply::Kind::kCloseWithoutReply) return close_now(false);
  const std::size_t promised = reply.body.size() + (reply.kind == Reply::Kind::kTruncate ? 100 : 0);
  std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " Test\r\n";
  out += "Content-Length: " + std::to_string(promised) + "\r\n";
  for (const std::string& header : reply.headers) out += header + "\r\n";
  out += "\r\n" + reply.body;
  SendAll(fd, out);
  if (reply.kind == Reply::Kind::kTruncate) close_now(false);
}

void LoopbackServer::Pause(std::chrono::milliseconds delay) {
  const auto until = std::chrono::steady_clock::now() + delay;
  while (!stopping_.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
  }
}

}  // namespace gridbatch::http::testing
