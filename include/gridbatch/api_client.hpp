// The GridRepublic remote jobs API (v2): builds submit and status requests,
// parses the replies defensively and classifies every outcome. Rides on
// http::Client, so hundreds of calls are in flight on one thread.
//
// The token goes into the Authorization header only: it never appears in a
// result, an error message or a log line.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridbatch/http_client.hpp"

namespace gridbatch::api {

enum class Outcome {
  kSuccess,
  kRetryable,  // network error, timeout, 429, 5xx, a body that is not the documented JSON
  kPermanent,  // success:false, 400, 404 (and other 4xx)
  kAuth,       // 401, 403: every other call would fail the same way
};

std::string_view ToString(Outcome outcome);

struct ApiOptions {
  // Default: the real service.
  std::string endpoint = "https://api.gridrepublic.services/remotejobs/v2";
  std::string token;
  // Ids per status GET. Default: 100.
  std::size_t max_ids_per_get = 100;
};

struct SubmitRequest {
  std::string app = "gridrepublic:text-inference";
  std::string model;   // sent as `tag`
  std::string prompt;  // JSON-encoded into commandLine's `inputs`
  std::optional<double> hours;
};

struct SubmitResult {
  Outcome outcome = Outcome::kRetryable;
  std::string remote_id;  // kSuccess only
  std::string error;      // what went wrong, for the job's last_error
  std::optional<double> retry_after_seconds;
  long http_status = 0;
};

// One job as a status reply describes it.
struct JobView {
  std::string id;
  std::string status;     // states.default.status, as spelled by the service
  std::string vm_status;
  std::string log;        // the whole log so far
  std::optional<std::int64_t> runtime;
  std::string created;
};

struct StatusResult {
  Outcome outcome = Outcome::kRetryable;
  std::vector<std::string> requested;  // the ids this GET asked for
  std::vector<JobView> jobs;           // those the reply described
  std::vector<std::string> missing;    // requested but left out of the reply
  std::string error;
  std::optional<double> retry_after_seconds;
  long http_status = 0;
};

// The commandLine string for a prompt: {"inputs":["<prompt>"]} as JSON text.
std::string BuildCommandLine(std::string_view prompt);

// The POST body for a submit.
std::string BuildSubmitBody(const SubmitRequest& request);

// Ids go into a URL path: letters, digits, '-' and '_' only, 1 to 128 chars.
bool IsValidRemoteId(std::string_view id);

// Classify replies; pure, for tests and fuzzing.
SubmitResult ParseSubmitReply(const http::Response& response);
StatusResult ParseStatusReply(const http::Response& response,
                              const std::vector<std::string>& requested);

class Client {
 public:
  // Borrows `http`, which must outlive this client.
  Client(http::Client& http, ApiOptions options);

  void Submit(const SubmitRequest& request, std::function<void(SubmitResult&&)> done);

  // Splits `ids` into GETs of at most max_ids_per_get; `done` runs once per
  // GET. Invalid ids are never sent: they come back in a kPermanent result.
  void Status(const std::vector<std::string>& ids, std::function<void(StatusResult&&)> done);

  const ApiOptions& options() const { return options_; }

 private:
  http::Client& http_;
  ApiOptions options_;
  std::string auth_header_;
};

}  // namespace gridbatch::api
