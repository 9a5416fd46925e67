// Time as a seam: code that waits or schedules takes a Clock so tests can
// advance time instead of sleeping.
#pragma once

#include <chrono>

namespace gridbatch {

// Seconds since the Unix epoch, as a double: fine enough for scheduling and
// directly storable in SQLite.
using Seconds = double;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in seconds since the epoch.
  virtual Seconds Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Seconds Now() const override {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
  }
  static SystemClock& Instance() {
    static SystemClock clock;
    return clock;
  }
};

// A clock that moves only when told to. Not thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Seconds start = 1'700'000'000.0) : now_(start) {}
  Seconds Now() const override { return now_; }
  void Advance(Seconds by) { now_ += by; }
  void Set(Seconds to) { now_ = to; }

 private:
  Seconds now_;
};

}  // namespace gridbatch
