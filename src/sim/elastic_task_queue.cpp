#include "elastic_task_queue.hpp"

namespace gridbatch::sim {

void ElasticTaskQueue::enqueue(std::function<void()> fn) {
  std::lock_guard lock(mutex_);
  tasks_.push_back(std::move(fn));
  // Idle workers may already be claimed by queued tasks: grow while the
  // queue is longer than the idle crew.
  if (tasks_.size() > idle_ && threads_.size() < max_threads_) {
    threads_.emplace_back([this] { Work(); });
  } else {
    ready_.notify_one();
  }
}

void ElasticTaskQueue::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    threads.swap(threads_);
  }
  ready_.notify_all();
  for (auto& t : threads) t.join();
}

void ElasticTaskQueue::Work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_;
    ready_.wait(lock, [this] { return !tasks_.empty() || stopping_; });
    --idle_;
    if (tasks_.empty()) return;  // stopping and nothing left
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace gridbatch::sim
