// The gridbatch-sim command line: one flag per SimOptions and Faults field,
// plus how long to run.
#pragma once

#include <CLI/CLI.hpp>

#include "sim_server.hpp"

namespace gridbatch::sim {

struct SimCommandLine {
  SimOptions options;
  double duration_seconds = 0;  // 0: until SIGINT or SIGTERM
  std::string dump_jobs;        // write every job's times here on exit ("": none)
};

// Adds the flags to `app`; parsing fills `out`, which must outlive `app`.
void AddSimFlags(CLI::App& app, SimCommandLine& out);

}  // namespace gridbatch::sim
