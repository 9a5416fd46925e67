// gridbatch-sim: serves the simulated remote jobs API until SIGINT, SIGTERM
// or --duration. Its first stdout line is "endpoint=URL", then "port=N", so a
// script can start it with --port 0 and read where it listens.
#include <pthread.h>
#include <signal.h>

#include <cmath>
#include <fstream>
#include <iostream>

#include "gridbatch/error.hpp"
#include "sim_command_line.hpp"
#include "sim_counters.hpp"
#include "sim_server.hpp"

namespace {

// Blocks SIGINT and SIGTERM in every thread (the server's inherit the mask),
// so that only the wait below receives them.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

void WaitForStop(const sigset_t& set, double duration_seconds) {
  if (duration_seconds <= 0) {
    int signal_number = 0;
    sigwait(&set, &signal_number);
    return;
  }
  const double whole = std::floor(duration_seconds);
  timespec timeout{static_cast<time_t>(whole), static_cast<long>((duration_seconds - whole) * 1e9)};
  // Returns on a signal or on timeout; EINTR from anything else ends it too.
  sigtimedwait(&set, nullptr, &timeout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "gridbatch-sim: a simulator of the GridRepublic remote jobs API for tests, demos and "
      "benchmarks. Prints 'endpoint=URL' and 'port=N' on stdout once listening."};
  app.set_version_flag("--version", "gridbatch-sim " GRIDBATCH_VERSION);
  gridbatch::sim::SimCommandLine command_line;
  gridbatch::sim::AddSimFlags(app, command_line);
  CLI11_PARSE(app, argc, argv);

  const sigset_t stop_signals = BlockStopSignals();
  try {
    gridbatch::sim::SimServer server(command_line.options);
    server.Start();
    std::cout << "endpoint=" << server.Endpoint() << "\nport=" << server.port() << std::endl;
    WaitForStop(stop_signals, command_line.duration_seconds);
    server.Stop();
    if (!command_line.dump_jobs.empty()) {
      std::ofstream dump(command_line.dump_jobs);
      server.WriteJobs(dump);
      if (!dump.flush()) {
        std::cerr << "gridbatch-sim: could not write " << command_line.dump_jobs << std::endl;
        return gridbatch::kExitIoErr;
      }
    }
    std::cerr << "gridbatch-sim: stopped; counters "
              << gridbatch::sim::CountersJson(server.GetCounters()) << std::endl;
  } catch (const gridbatch::Error& e) {
    std::cerr << e.what() << std::endl;
    return e.exit_code();
  }
  return 0;
}
