// The wait between two requests on a keep-alive connection, replacing
// cpp-httplib 0.11.4's own. httplib waits for the next request by polling the
// socket every 10 ms and sleeping 1 ms in between, so every idle connection
// costs ~90 wakeups a second: with 512 idle clients that was 80 % of a core
// on this 2-core machine, taken from the client the simulator is measured
// with. Debian builds httplib as a shared library whose internal calls to
// httplib::detail::keep_alive go through the PLT, so a definition of that
// function in the program takes precedence; ours blocks in one poll() for
// the whole keep-alive timeout. Same contract: true when the socket has
// something to read (or hung up), false on timeout or error.
#pragma once

namespace gridbatch::sim {

// Called from SimServer::Start, which also makes the linker always take the
// object that defines the replacement out of the static library. `polling`
// brings back httplib's own 10 ms polling, for benchmarks that compare the
// two; it is process-wide, as the replacement is.
void UseBlockingKeepAliveWait(bool polling = false);

}  // namespace gridbatch::sim
