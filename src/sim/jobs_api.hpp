// JobsApi: the simulated service's two endpoints and its counters endpoint,
// as handlers over httplib's request and reply types. It owns the jobs, the
// fault dice, the submit bucket and the counters; SimServer owns the HTTP
// server and its threads, and routes requests here.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <semaphore>
#include <string>
#include <string_view>
#include <unordered_set>

#include "fault_dice.hpp"
#include "job_table.hpp"
#include "sim_counters.hpp"
#include "sim_server.hpp"
#include "submit_bucket.hpp"

namespace gridbatch::sim {

class JobsApi {
 public:
  // Throws gridbatch::Error for an unknown status_case.
  explicit JobsApi(const SimOptions& options);

  // POST {base}/jobs.
  void Submit(const httplib::Request& req, httplib::Response& res);
  // GET {base}/jobs/{id_list}.
  void Status(std::string_view id_list, const httplib::Request& req, httplib::Response& res);
  // GET /sim/counters and POST /sim/reset-counters.
  void CountersReply(httplib::Response& res) const;
  void ResetCountersReply(httplib::Response& res);

  Counters GetCounters() const { return counters_.Snapshot(jobs_.size()); }
  void ResetCounters() { counters_.Reset(); }
  void SetFaults(const Faults& faults) { dice_.SetFaults(faults); }
  // Every job as CSV: id, submitted and ended (Unix seconds of the wall
  // clock), outcome; for benchmarks that measure how late a client notices.
  void WriteJobs(std::ostream& out) const;
  // Cuts short the waits of slow replies, so that the server can stop.
  void Stop();

 private:
  using Handler = void (JobsApi::*)(const httplib::Request&, httplib::Response&, const FaultRoll&,
                                    std::string_view);
  void Serve(const httplib::Request& req, httplib::Response& res, Handler handler,
             std::string_view arg);
  void RunLimited(Handler handler, const httplib::Request& req, httplib::Response& res,
                  const FaultRoll& roll, std::string_view arg);
  void HandleSubmit(const httplib::Request& req, httplib::Response& res, const FaultRoll& roll,
                    std::string_view unused);
  void HandleStatus(const httplib::Request& req, httplib::Response& res, const FaultRoll& roll,
                    std::string_view id_list);
  void Send429(httplib::Response& res, double seconds);
  void SleepUnlessStopping(double seconds);
  double Now() const;

  const SimOptions& options_;
  const StatusCase status_case_;
  const std::chrono::steady_clock::time_point start_steady_;
  const double start_wall_;
  const std::string authorization_;
  const std::unordered_set<std::string> models_;
  JobTable jobs_;
  FaultDice dice_;
  SubmitBucket bucket_;
  SimCounters counters_;
  std::counting_semaphore<> busy_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

}  // namespace gridbatch::sim
