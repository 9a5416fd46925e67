// One request's life on a libcurl easy handle: configures the handle from a
// Request and the ClientOptions, collects the reply body, and turns the
// finished transfer into a Response. Internal to the http module.
#pragma once

#include <curl/curl.h>

#include <array>
#include <cstddef>
#include <string>

#include "gridbatch/http_client.hpp"

namespace gridbatch::http {

class Transfer {
 public:
  // Borrows `easy` (owned by the Client's free list) and resets it, so no
  // option of an earlier request leaks into this one. Check ok() after.
  Transfer(CURL* easy, Request request, Client::Callback done, const ClientOptions& options);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // False when libcurl refused an option; setup_error() says which.
  bool ok() const { return setup_error_ == CURLE_OK; }
  CURLcode setup_error() const { return setup_error_; }

  CURL* easy() const { return easy_; }

  // The outcome once libcurl reports the transfer done with `result`.
  Response Finish(CURLcode result);
  Client::Callback TakeCallback() { return std::move(done_); }

 private:
  static std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* self);
  CURLcode Configure(const ClientOptions& options);
  CURLcode ConfigureMethod();
  CURLcode ConfigureHeaders();

  CURL* easy_;
  Request request_;
  Client::Callback done_;
  curl_slist* headers_ = nullptr;
  std::string body_;
  std::size_t max_body_bytes_;
  bool body_too_large_ = false;
  std::array<char, CURL_ERROR_SIZE> error_buffer_{};
  CURLcode setup_error_ = CURLE_OK;
};

// "connection reset: Recv failure: Connection reset by peer": a short kind a
// user can act on, then libcurl's own detail (never any header) on one line.
std::string DescribeTransportError(CURLcode code, long os_errno, const char* detail);

}  // namespace gridbatch::http
