// A record of what the service was sent and what it answered: one JSON line
// per finished HTTP transfer (`--trace FILE` on run and check), fed by the
// http::Client's observer hook, so the run loop knows nothing of it.
//
// Each line: time (when the transfer finished, ISO-8601 UTC), method, url,
// status (0: no reply), retry_after (seconds, or null), latency_ms, error
// (the transport error, or ""), request_body and reply_body (each cut at
// body_max bytes; request_bytes and reply_bytes give the whole sizes, and
// request_cut / reply_cut say when a body was cut). No request header is
// written, and the token is replaced by "[redacted]" wherever a URL, a body
// or an error holds it.
//
// Bounded: a line that would take the file past max_bytes is not written;
// instead a last line {"trace":"stopped",...} says why, the warning callback
// is told once, and nothing more is written. A write error (a full disk)
// stops it the same way.
#pragma once

#include <cstdint>
#include <fstream>
#include <functional>
#include <string>

#include "gridbatch/clock.hpp"
#include "gridbatch/http/http_client.hpp"

namespace gridbatch::api {

struct TraceOptions {
  // Bytes of each body kept. Default: 4 KiB.
  std::size_t body_max = 4096;
  // Size of the whole file, the final line included. Default: 100 MiB.
  std::uint64_t max_bytes = std::uint64_t{100} << 20;
};

class TraceWriter {
 public:
  using Warn = std::function<void(const std::string&)>;

  // Creates or truncates `path`; throws gridbatch::Error (kExitCantCreate)
  // when it cannot. `token` is what to redact; `clock` and `warn` are
  // borrowed / kept for the writer's life.
  TraceWriter(const std::string& path, TraceOptions options, std::string token, const Clock& clock,
              Warn warn);

  void Record(const http::Exchange& exchange);

  // An observer for http::Client::SetObserver that records into this
  // writer, which must outlive the Client's use of it.
  http::Client::Observer Observer();

  std::uint64_t lines() const { return lines_; }
  bool stopped() const { return stopped_; }

 private:
  void Stop(const std::string& reason);
  void Cut(std::string& body, bool& cut) const;

  std::string path_;
  TraceOptions options_;
  std::string token_;
  const Clock& clock_;
  Warn warn_;
  std::ofstream out_;
  std::uint64_t bytes_ = 0;
  std::uint64_t lines_ = 0;
  bool stopped_ = false;
};

}  // namespace gridbatch::api
