// Many HTTP requests in flight on one thread, over libcurl's multi interface
// with reused easy handles and keep-alive connections. Knows nothing of the
// service's JSON.
//
// Not thread-safe: one thread starts requests and calls Perform(), which runs
// completion callbacks on that same thread. Callbacks may call Start() or
// Defer(); they must not call Perform() or destroy the Client.
//
// Nothing here logs: header values (the Authorization token) are handed to
// libcurl and never copied into a Response, an error string, a log line or
// what an Observer is shown.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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
  // How many times the request went out on a connection: 0 when none could
  // be made (refused, DNS, connect timeout), else 1, or more for a GET that
  // libcurl sent again on a fresh connection after a reused one died
  // without a reply. A POST goes out at most once: when its reused
  // connection dies without a reply, it is not re-sent (libcurl would, on
  // its own), and the Response is a transport error "connection closed
  // without a reply..." with sends 1. A caller counting what may have
  // reached the server (submit attempts) counts `sends`.
  int sends = 0;
  // The reply was abandoned past ClientOptions::max_body_bytes.
  bool too_large = false;
  // No server could be reached, for a reason a retry does not change by
  // itself: connection refused, host not found, a TLS failure, a bad URL.
  bool unreachable = false;
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
  // Connections kept per host. Requests beyond it wait in libcurl's queue
  // for a free connection; that wait counts against total_timeout_ms.
  // Default: 256.
  long max_host_connections = 256;
  // Compressions to offer in Accept-Encoding ("gzip", "gzip, br"); libcurl
  // decodes the reply. Default: empty, offer none: on loopback and fast
  // links compressing costs the server more than it saves (the bundled
  // simulator's brotli took 190 ms for one 100-id status reply).
  std::string accept_encoding;
  // A reply body past this size is abandoned with a transport error, so a
  // broken or hostile server cannot exhaust memory. Default: 64 MiB.
  std::size_t max_body_bytes = 64u << 20;
};

// One finished transfer as an Observer sees it. The views and the reference
// are valid during the call only. No request header is shown (the
// Authorization token is among them).
struct Exchange {
  Request::Method method = Request::Method::kGet;
  std::string_view url;
  std::string_view request_body;
  const Response& response;  // status, Retry-After, elapsed time, body, error
};

class Client {
 public:
  using Callback = std::function<void(Response&&)>;
  using Observer = std::function<void(const Exchange&)>;

  explicit Client(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Queues a request; `done` runs from a later Perform() with the outcome,
  // never from inside Start(). Every started request gets exactly one
  // callback, unless the Client is destroyed first (then none).
  void Start(Request request, Callback done);

  // Runs `done(response)` from the next Perform(), as if a request had
  // finished: lets a caller report an outcome decided without the network
  // (an invalid id, say) through the same path as real replies.
  void Defer(Response response, Callback done);

  // Drives transfers: waits up to `max_wait` for activity (with nothing in
  // flight it just waits, so a loop may use it as its sleep; with finished
  // work pending it does not wait), then runs the callbacks of finished
  // requests. Returns the number still in flight after those callbacks,
  // counting any requests they started.
  std::size_t Perform(std::chrono::milliseconds max_wait);

  // Requests started or deferred whose callback has not run yet.
  std::size_t InFlight() const;

  // Calls `observer` once for every request started from now on, when it
  // finishes (or fails to start), just before its callback; outcomes given
  // to Defer() are not requests and are not shown. An empty observer (the
  // default) removes it, and then nothing is copied or formatted: the cost
  // is one test per transfer. The observer must not call into this Client.
  void SetObserver(Observer observer);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridbatch::http
