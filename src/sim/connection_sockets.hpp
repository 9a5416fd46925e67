// cpp-httplib hides the sockets of its connections, yet the simulator must
// hang up on one (the reset fault) and on all (Stop, which httplib would
// otherwise delay by the keep-alive timeout of every idle client). These
// helpers find a connection's descriptor by its addresses among the
// process's open descriptors and shut it down; httplib then closes it.
#pragma once

#include <string>

namespace gridbatch::sim {

// Shuts down the accepted connection whose local port is `local_port` and
// whose peer is remote_addr:remote_port. Returns false if none is open.
bool ShutdownConnection(int local_port, const std::string& remote_addr, int remote_port);

// Shuts down every accepted (non-listening) TCP socket whose local port is
// `local_port`. Returns how many.
int ShutdownConnectionsOnPort(int local_port);

// Raises the listen backlog of `listen_fd` (httplib listens with 5, too few
// for hundreds of clients connecting at once).
void WidenBacklog(int listen_fd);

}  // namespace gridbatch::sim
