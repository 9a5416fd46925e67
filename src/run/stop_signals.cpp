#include "gridbatch/run/stop_signals.hpp"

#include <signal.h>
#include <unistd.h>

#include "gridbatch/error.hpp"

namespace gridbatch::run {
namespace {

// The first request asks the run to stop; the one after it exits at once.
constexpr int kRequestsBeforeExit = 1;

std::atomic<int> g_stop_requests{0};

void OnStopSignal(int) {
  if (g_stop_requests.fetch_add(1) >= kRequestsBeforeExit) {
    constexpr char kMessage[] = "\ngridbatch: second interrupt, exiting now\n";
    (void)!write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    _exit(kExitInterrupted);
  }
}

}  // namespace

const std::atomic<int>& InstallStopSignals() {
  static const bool installed = [] {
    struct sigaction action {};
    action.sa_handler = OnStopSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)installed;
  return g_stop_requests;
}

}  // namespace gridbatch::run
