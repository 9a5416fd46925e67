#include "keep_alive_wait.hpp"

#include <poll.h>

#include <cerrno>
#include <chrono>
#include <ctime>

namespace httplib::detail {

// Declared here, not in httplib.h: the split build keeps it internal.
bool keep_alive(int sock, std::time_t keep_alive_timeout_sec);

bool keep_alive(int sock, std::time_t keep_alive_timeout_sec) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::seconds(keep_alive_timeout_sec);
  pollfd fd{sock, POLLIN, 0};
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const int ready = poll(&fd, 1, static_cast<int>(left.count() > 0 ? left.count() : 0));
    if (ready > 0) return true;
    if (ready == 0 || errno != EINTR) return false;
  }
}

}  // namespace httplib::detail

namespace gridbatch::sim {

void UseBlockingKeepAliveWait() {}

}  // namespace gridbatch::sim
