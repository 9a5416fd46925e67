// Ctrl-C and SIGTERM: the first asks the run to stop (it stops dispatching,
// records replies already on the wire, and exits); a second one exits at once
// with status 130. SIGKILL needs no handling: the store loses nothing.
#pragma once

#include <atomic>

namespace gridbatch::run {

// Installs the handlers (once) and returns the count of stop requests so far.
const std::atomic<int>& InstallStopSignals();

}  // namespace gridbatch::run
