#include "keep_alive_wait.hpp"

#include <poll.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <thread>

namespace {

std::atomic<bool> polling_wait{false};

// httplib 0.11.4's own wait, kept to measure against.
bool PollingWait(int sock, std::chrono::steady_clock::time_point deadline) {
  pollfd fd{sock, POLLIN, 0};
  for (;;) {
    const int ready = poll(&fd, 1, 10);
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

namespace httplib::detail {

// Declared here, not in httplib.h: the split build keeps it internal.
bool keep_alive(int sock, std::time_t keep_alive_timeout_sec);

bool keep_alive(int sock, std::time_t keep_alive_timeout_sec) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::seconds(keep_alive_timeout_sec);
  if (polling_wait.load(std::memory_order_relaxed)) return PollingWait(sock, deadline);
  pollfd fd{sock, POLLIN, 0};
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const int ready = poll(&fd, 1, static_cast<int>(left.count() > 0 ? left.count() : 0));
    if (ready > 0) return true;
    if (ready == 0 || errno != EINTR) return false;
  }
}

}  // namespace httplib::detail

namespace gridbatch::sim {

void UseBlockingKeepAliveWait(bool polling) {
  polling_wait = polling;
}

}  // namespace gridbatch::sim
