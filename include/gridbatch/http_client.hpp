// Many HTTP requests in flight on one thread, over libcurl's multi interface
// with reused easy handles and keep-alive connections. Knows nothing of the
// service's JSON.
//
// Not thread-safe: one thread starts requests and calls Perform(), which runs
// completion callbacks on that same thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gridbatch::http {

struct Request {
  enum class Method { kGet, kPost };
  Method method = Method::kGet;
  std::string url;
  std::string body;  // POST only, sent as application/json
  // Extra headers, "Name: value". May hold Authorization: never logged.
  std::vector<std::string> headers;
};

struct Response {
  // 0 when the transfer completed; otherwise a CURLcode, and error says what
  // (connection refused, reset, timeout...), never including headers.
  int transport_error = 0;
  std::string error;
  long status = 0;  // HTTP status, 0 when no response was received
  std::string body;
  std::optional<double> retry_after_seconds;  // from Retry-After (seconds or date)
  double elapsed_seconds = 0;
};

struct ClientOptions {
  // Connection set-up limit. Default: 10 s.
  long connect_timeout_ms = 10'000;
  // Whole-request limit. Default: 60 s.
  long total_timeout_ms = 60'000;
  // Abort when slower than low_speed_bytes per second for low_speed_seconds.
  // Default: 1 byte/s for 30 s.
  long low_speed_bytes = 1;
  long low_speed_seconds = 30;
  // CA bundle for TLS verification; empty: the system's. Verification is
  // always on.
  std::string ca_file;
  // Connections kept per host. Default: 256.
  long max_host_connections = 256;
};

class Client {
 public:
  using Callback = std::function<void(Response&&)>;

  explicit Client(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Queues a request; `done` runs from a later Perform() with the outcome.
  void Start(Request request, Callback done);

  // Drives transfers: waits up to `max_wait` for activity, then runs the
  // callbacks of finished requests. Returns the number still in flight.
  std::size_t Perform(std::chrono::milliseconds max_wait);

  std::size_t InFlight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridbatch::http
