// One request's life on a libcurl easy handle: configures the handle from a
// Request and the ClientOptions, collects the reply body, and turns the
// finished transfer into a Response. Internal to the http module.
#pragma once

#include <curl/curl.h>

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "gridbatch/http/http_client.hpp"

namespace gridbatch::http {

// A request's header lines as libcurl takes them, kept by the Client for
// every request with the same method and headers (in practice: every submit,
// and every status GET), instead of built and freed per request.
struct HeaderList {
  Request::Method method;
  std::vector<std::string> headers;
  curl_slist* list = nullptr;
};

// The lines `request` sends, into `list`: its own headers, and for a POST the
// content type and an empty Expect (none at all: null). False when out of
// memory.
bool BuildHeaderList(const Request& request, curl_slist*& list);

class Transfer {
 public:
  // Sets the options every transfer of a Client shares, once, on a new easy
  // handle. A Transfer sets the rest, the same ones every time, so a reused
  // handle carries nothing of its earlier request into the next.
  static CURLcode ConfigureNewEasy(CURL* easy, const ClientOptions& options);

  // Borrows `easy` (owned by the Client's free list, set up by
  // ConfigureNewEasy) and `headers` (owned by the Client; null: the Transfer
  // builds its own, or sends none). Check ok() after.
  Transfer(CURL* easy, Request request, Client::Callback done, const ClientOptions& options,
           const curl_slist* headers);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // False when libcurl refused an option; setup_error() says which.
  bool ok() const { return setup_error_ == CURLE_OK; }
  CURLcode setup_error() const { return setup_error_; }

  CURL* easy() const { return easy_; }
  const Request& request() const { return request_; }

  // The outcome once libcurl reports the transfer done with `result`.
  Response Finish(CURLcode result);
  Client::Callback TakeCallback() { return std::move(done_); }

 private:
  static std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* self);
  static int OnPrereq(void* self, char* remote_ip, char* local_ip, int remote_port, int local_port);
  CURLcode Configure();
  CURLcode ConfigureMethod();
  CURLcode ConfigureHeaders(const curl_slist* shared);

  CURL* easy_;
  Request request_;
  Client::Callback done_;
  curl_slist* own_headers_ = nullptr;  // when the Client keeps none for this request
  std::string body_;
  std::size_t max_body_bytes_;
  bool body_too_large_ = false;
  int sends_ = 0;                // times libcurl was about to send the request
  bool resend_refused_ = false;  // a POST's second send, stopped
  std::array<char, CURL_ERROR_SIZE> error_buffer_{};
  CURLcode setup_error_ = CURLE_OK;
};

// "connection reset: Recv failure: Connection reset by peer": a short kind a
// user can act on, then libcurl's own detail (never any header) on one line.
std::string DescribeTransportError(CURLcode code, long os_errno, const char* detail);

// Whether the error means no server could be reached at all, for a reason
// that retrying does not change (refused, no such host, TLS, bad URL), as
// opposed to one that may pass (reset, timeout, an unreachable network).
bool IsUnreachable(CURLcode code, long os_errno);

}  // namespace gridbatch::http
