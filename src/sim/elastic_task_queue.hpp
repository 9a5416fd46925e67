// ElasticTaskQueue: the worker pool behind the simulator's httplib server.
// httplib serves each keep-alive connection on one worker for the
// connection's whole life, so the pool must be able to hold as many workers
// as clients hold connections; this one starts empty and adds a thread
// whenever a task arrives and no worker is idle, up to a maximum. Tests
// that start a simulator for a handful of connections pay for a handful of
// threads, a benchmark with 500 connections gets 500.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gridbatch::sim {

class ElasticTaskQueue final : public httplib::TaskQueue {
 public:
  explicit ElasticTaskQueue(std::size_t max_threads) : max_threads_(max_threads) {}
  ~ElasticTaskQueue() override { shutdown(); }

  void enqueue(std::function<void()> fn) override;
  // Runs what is queued, then joins every worker.
  void shutdown() override;

 private:
  void Work();

  const std::size_t max_threads_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace gridbatch::sim
