#include <cerrno>
#include <string>

#include "transfer.hpp"

namespace gridbatch::http {
namespace {

const char* KindOfSocketError(long os_errno, const char* otherwise) {
  switch (os_errno) {
    case ECONNREFUSED:
      return "connection refused";
    case ECONNRESET:
      return "connection reset";
    case EPIPE:
      return "connection closed";
    case ETIMEDOUT:
      return "timeout";
    case ENETUNREACH:
    case EHOSTUNREACH:
      return "network unreachable";
    default:
      return otherwise;
  }
}

const char* KindOf(CURLcode code, long os_errno) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return "host not found";
    case CURLE_COULDNT_CONNECT:
      return KindOfSocketError(os_errno, "cannot connect");
    case CURLE_OPERATION_TIMEDOUT:
      return "timeout";
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      return KindOfSocketError(os_errno, "network error");
    case CURLE_GOT_NOTHING:
      return "empty reply";
    case CURLE_PARTIAL_FILE:
      return "truncated reply";
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return "bad URL";
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
      return "TLS error";
    case CURLE_OUT_OF_MEMORY:
      return "out of memory";
    default:
      return "network error";
  }
}

}  // namespace

bool IsUnreachable(CURLcode code, long os_errno) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
      return os_errno == ECONNREFUSED;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
      return true;
    default:
      return false;
  }
}

std::string DescribeTransportError(CURLcode code, long os_errno, const char* detail) {
  std::string line = std::string(KindOf(code, os_errno)) + ": ";
  for (const char* p = detail; *p != '\0'; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    line += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
  }
  while (!line.empty() && line.back() == ' ') {
    line.pop_back();
  }
  return line;
}

}  // namespace gridbatch::http
