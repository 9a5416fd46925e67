#include "connection_sockets.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>

namespace gridbatch::sim {
namespace {

struct Endpoint {
  std::string addr;
  int port = -1;
};

// Returns the address of `fd` (peer or local), or port -1 if `fd` is not an
// IPv4/IPv6 socket.
Endpoint AddressOf(int fd, bool peer) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  auto* sa = reinterpret_cast<sockaddr*>(&ss);
  if ((peer ? getpeername(fd, sa, &len) : getsockname(fd, sa, &len)) != 0) return {};
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    return {buf, ntohs(in->sin_port)};
  }
  if (ss.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    return {buf, ntohs(in6->sin6_port)};
  }
  return {};
}

bool IsListening(int fd) {
  int value = 0;
  socklen_t len = sizeof value;
  return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &len) == 0 && value != 0;
}

// Calls `visit` with each open descriptor of this process.
void ForEachDescriptor(const std::function<void(int)>& visit) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return;
  const int own = dirfd(dir);
  while (const dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == own) continue;
    visit(static_cast<int>(fd));
  }
  closedir(dir);
}

}  // namespace

bool ShutdownConnection(int local_port, const std::string& remote_addr, int remote_port) {
  bool found = false;
  ForEachDescriptor([&](int fd) {
    if (found || AddressOf(fd, false).port != local_port) return;
    const Endpoint peer = AddressOf(fd, true);
    if (peer.port != remote_port || peer.addr != remote_addr) return;
    found = shutdown(fd, SHUT_RDWR) == 0;
  });
  return found;
}

int ShutdownConnectionsOnPort(int local_port) {
  int count = 0;
  ForEachDescriptor([&](int fd) {
    if (AddressOf(fd, false).port != local_port || IsListening(fd)) return;
    if (AddressOf(fd, true).port < 0) return;  // not connected
    if (shutdown(fd, SHUT_RDWR) == 0) ++count;
  });
  return count;
}

void WidenBacklog(int listen_fd) {
  // Calling listen() again on a listening socket only changes its backlog.
  if (listen_fd >= 0) listen(listen_fd, SOMAXCONN);
}

}  // namespace gridbatch::sim
