// gridbatch-sim: a faithful simulator of the GridRepublic remote jobs API
// (POST {base}/jobs, GET {base}/jobs/{id,id,...}), served over HTTP on
// loopback. Tests of other modules start one in-process on a free port; the
// gridbatch-sim executable wraps the same server for the demo and benchmarks.
//
// Jobs live through provisioning -> downloading -> running -> completed |
// failed | aborted by time since their submit; their status is computed on
// each read, so a job costs little more than its prompt. Faults (429, 5xx,
// resets, slow and truncated replies, omitted ids) are injected per request
// with a seeded RNG. The simulator shares no code with the client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gridbatch::sim {

// Each a probability 0..1 per request, or a parameter of one.
struct Faults {
  double p_429 = 0;        // 429 with Retry-After: retry_after_seconds
  double p_5xx = 0;        // 500/502/503 with a non-JSON (HTML/text) body
  double p_reset = 0;      // close the connection without a reply
  double p_slow = 0;       // sleep slow_seconds before replying
  double p_truncated = 0;  // a 200 reply whose JSON body is cut in half
  double p_omit = 0;       // leave a known id out of a status reply
  // Sent as whole seconds, rounded up (the header takes an integer).
  double retry_after_seconds = 1;
  double slow_seconds = 2;
};

struct SimOptions {
  std::string host = "127.0.0.1";
  int port = 0;                     // 0: pick a free port
  std::string token = "sim-token";  // Bearer token required (401 otherwise)
  std::string base_path = "/remotejobs/v2";
  double queue_seconds = 0.2;       // provisioning+downloading time
  double run_seconds = 1.0;         // running time
  double jitter = 0.25;             // +- fraction applied to both, per job
  std::vector<std::string> models;  // empty: any model; else others get success:false
  // Non-empty: every submit is answered success:false with this error (a
  // service refusing all work, as the circuit breaker's tests need).
  std::string refuse_submits;
  std::string fail_marker = "[[fail]]";    // a prompt containing it ends `failed`
  std::string abort_marker = "[[abort]]";  // ... ends `aborted`
  std::string status_case = "lower";       // "lower" (completed) or "title" (Completed)
  Faults faults;
  double submit_rate = 0;                           // server-side token bucket on POSTs; 0: none
  double submit_burst = 0;                          // bucket size; 0: max(1, submit_rate)
  std::size_t max_ids_per_get = 200;                // more ids in one GET: 400
  std::size_t threads = 0;                          // worker threads; 0: kDefaultThreads
  std::uint64_t seed = 1;                           // faults and jitter are reproducible
  int keep_alive_seconds = 5;                       // an idle connection is closed after this
  std::size_t keep_alive_max_requests = 1'000'000;  // a connection is closed after this many
  // Benchmarks only: wait for the next request on a connection the way
  // httplib does (polling every 10 ms) instead of blocking. Process-wide.
  bool httplib_keep_alive_polling = false;
};

// Sized for a client holding several hundred keep-alive connections: each
// connection occupies one worker thread for its whole life.
inline constexpr std::size_t kDefaultThreads = 1024;

// What the server has seen since start (or the last ResetCounters).
struct Counters {
  std::uint64_t submits_accepted = 0;   // POSTs that created a job
  std::uint64_t duplicate_submits = 0;  // ... whose (model, prompt) was accepted before
  std::uint64_t submits_rejected = 0;   // POSTs answered success:false
  std::uint64_t gets = 0;               // status GETs answered with jobs
  std::uint64_t ids_polled = 0;         // ids asked for in those GETs
  std::uint64_t sent_429 = 0;           // injected and rate-limited alike
  std::uint64_t sent_5xx = 0;
  std::uint64_t resets = 0;
  std::uint64_t truncated = 0;
  std::uint64_t omitted = 0;  // ids left out on purpose (not unknown ones)
  std::uint64_t peak_concurrent_requests = 0;
  std::uint64_t requests = 0;      // every request to the jobs API
  std::uint64_t unauthorized = 0;  // 401s
  std::uint64_t rate_limited = 0;  // 429s from the submit token bucket
  std::uint64_t jobs = 0;          // jobs held (not reset by ResetCounters)
};

class SimServer {
 public:
  explicit SimServer(SimOptions options);
  ~SimServer();  // stops
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  // Binds, serves on background threads, returns the port. Throws
  // gridbatch::Error when the address cannot be bound. Ignores SIGPIPE for
  // the whole process: a client that hangs up must not kill the server.
  int Start();
  // Closes the listening socket and every open connection, then joins the
  // workers. Idempotent.
  void Stop();
  int port() const;
  std::string Endpoint() const;  // "http://127.0.0.1:PORT/remotejobs/v2"
  Counters GetCounters() const;
  void ResetCounters();
  void SetFaults(const Faults& faults);  // change faults while running
  // Every job accepted so far as CSV (id, submitted, ended, outcome; times
  // in Unix seconds of the wall clock).
  void WriteJobs(std::ostream& out) const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// The log a job ends with: a deterministic function of (model, prompt) that
// contains the prompt verbatim, so a test can prove each output is its own.
std::string FinalLog(std::string_view model, std::string_view prompt);

}  // namespace gridbatch::sim
