#include "transfer.hpp"

#include <utility>

namespace gridbatch::http {
namespace {

// Chains setopt calls, keeping the first failure.
class Setter {
 public:
  explicit Setter(CURL* easy) : easy_(easy) {}
  template <typename T>
  Setter& Set(CURLoption option, T value) {
    if (result_ == CURLE_OK) {
      result_ = curl_easy_setopt(easy_, option, value);
    }
    return *this;
  }
  CURLcode result() const { return result_; }

 private:
  CURL* easy_;
  CURLcode result_ = CURLE_OK;
};

}  // namespace

CURLcode Transfer::ConfigureNewEasy(CURL* easy, const ClientOptions& options) {
  Setter set(easy);
  // Timeouts must not use signals: this runs inside a bigger program.
  set.Set(CURLOPT_NOSIGNAL, 1L)
      .Set(CURLOPT_PROTOCOLS_STR, "http,https")
      .Set(CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms)
      .Set(CURLOPT_TIMEOUT_MS, options.total_timeout_ms)
      .Set(CURLOPT_LOW_SPEED_LIMIT, options.low_speed_bytes)
      .Set(CURLOPT_LOW_SPEED_TIME, options.low_speed_seconds)
      .Set(CURLOPT_TCP_KEEPALIVE, 1L)
      .Set(CURLOPT_USERAGENT, "gridbatch/0.1")
      .Set(CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  // Verification stays on (libcurl's default); only the trust anchors change.
  if (!options.ca_file.empty()) {
    set.Set(CURLOPT_CAINFO, options.ca_file.c_str());
  }
  if (!options.accept_encoding.empty()) {
    set.Set(CURLOPT_ACCEPT_ENCODING, options.accept_encoding.c_str());
  }
  return set.result();
}

bool BuildHeaderList(const Request& request, curl_slist*& list) {
  list = nullptr;
  const auto append = [&list](const char* line) {
    curl_slist* grown = curl_slist_append(list, line);
    if (grown == nullptr) {
      curl_slist_free_all(list);
      list = nullptr;
      return false;
    }
    list = grown;
    return true;
  };
  for (const std::string& line : request.headers) {
    if (!append(line.c_str())) return false;
  }
  if (request.method == Request::Method::kPost) {
    // Large prompts would otherwise wait for a "100 Continue" that many
    // servers never send.
    return append("Content-Type: application/json") && append("Expect:");
  }
  return true;
}

Transfer::Transfer(CURL* easy, Request request, Client::Callback done, const ClientOptions& options,
                   const curl_slist* headers)
    : easy_(easy),
      request_(std::move(request)),
      done_(std::move(done)),
      max_body_bytes_(options.max_body_bytes) {
  setup_error_ = Configure();
  if (setup_error_ == CURLE_OK) {
    setup_error_ = ConfigureMethod();
  }
  if (setup_error_ == CURLE_OK) {
    setup_error_ = ConfigureHeaders(headers);
  }
}

Transfer::~Transfer() {
  curl_slist_free_all(own_headers_);
}

// What differs from one transfer to the next; set on every transfer.
CURLcode Transfer::Configure() {
  Setter set(easy_);
  set.Set(CURLOPT_URL, request_.url.c_str())
      .Set(CURLOPT_PRIVATE, static_cast<void*>(this))
      .Set(CURLOPT_ERRORBUFFER, error_buffer_.data())
      .Set(CURLOPT_WRITEDATA, static_cast<void*>(this))
      .Set(CURLOPT_PREREQFUNCTION, &Transfer::OnPrereq)
      .Set(CURLOPT_PREREQDATA, static_cast<void*>(this));
  return set.result();
}

CURLcode Transfer::ConfigureMethod() {
  Setter set(easy_);
  if (request_.method == Request::Method::kPost) {
    // The body lives in request_ for the whole transfer: no copy needed.
    set.Set(CURLOPT_POST, 1L)
        .Set(CURLOPT_POSTFIELDS, request_.body.data())
        .Set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_.body.size()));
  } else {
    // An earlier POST's body pointer must not outlive its transfer; HTTPGET
    // last, since setting POSTFIELDS switches the handle to POST.
    set.Set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(-1))
        .Set(CURLOPT_POSTFIELDS, static_cast<const char*>(nullptr))
        .Set(CURLOPT_HTTPGET, 1L);
  }
  return set.result();
}

CURLcode Transfer::ConfigureHeaders(const curl_slist* shared) {
  if (shared == nullptr && !BuildHeaderList(request_, own_headers_)) return CURLE_OUT_OF_MEMORY;
  return curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, shared != nullptr ? shared : own_headers_);
}

std::size_t Transfer::OnBody(char* data, std::size_t size, std::size_t count, void* self) {
  auto* transfer = static_cast<Transfer*>(self);
  const std::size_t bytes = size * count;
  if (transfer->body_.size() + bytes > transfer->max_body_bytes_) {
    transfer->body_too_large_ = true;
    return 0;  // makes libcurl abort with CURLE_WRITE_ERROR
  }
  transfer->body_.append(data, bytes);
  return bytes;
}

// libcurl calls this each time it is about to send the request on a
// connection: once, or again on a fresh connection when a reused one died
// before any reply ("Connection died, retrying a fresh connect", up to 5
// times in libcurl 7.88, with no option to turn it off). The dead connection
// may have carried the request to a server that acted on it, so a POST is
// never sent a second time: the transfer fails instead, and the caller
// decides, counting the send it knows of.
int Transfer::OnPrereq(void* self, char* /*remote_ip*/, char* /*local_ip*/, int /*remote_port*/,
                       int /*local_port*/) {
  auto* transfer = static_cast<Transfer*>(self);
  if (transfer->request_.method == Request::Method::kPost && transfer->sends_ > 0) {
    transfer->resend_refused_ = true;
    return CURL_PREREQFUNC_ABORT;
  }
  ++transfer->sends_;
  return CURL_PREREQFUNC_OK;
}

Response Transfer::Finish(CURLcode result) {
  Response response;
  response.sends = sends_;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &response.status);
  curl_off_t micros = 0;
  if (curl_easy_getinfo(easy_, CURLINFO_TOTAL_TIME_T, &micros) == CURLE_OK) {
    response.elapsed_seconds = static_cast<double>(micros) / 1e6;
  }
  curl_off_t retry_after = 0;
  // libcurl parses both forms (seconds, HTTP date); 0 means absent or past.
  if (curl_easy_getinfo(easy_, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0) {
    response.retry_after_seconds = static_cast<double>(retry_after);
  }
  response.body = std::move(body_);
  if (result == CURLE_OK) {
    return response;
  }
  response.transport_error = static_cast<int>(result);
  if (body_too_large_) {
    response.too_large = true;
    response.error = "reply too large: over " + std::to_string(max_body_bytes_) + " bytes";
    return response;
  }
  if (resend_refused_) {
    response.error =
        "connection closed without a reply (the request may have reached the server; a POST "
        "is not sent again on a new connection)";
    return response;
  }
  long os_errno = 0;
  curl_easy_getinfo(easy_, CURLINFO_OS_ERRNO, &os_errno);
  const char* detail = error_buffer_[0] != '\0' ? error_buffer_.data() : curl_easy_strerror(result);
  response.error = DescribeTransportError(result, os_errno, detail);
  response.unreachable = IsUnreachable(result, os_errno);
  return response;
}

}  // namespace gridbatch::http
