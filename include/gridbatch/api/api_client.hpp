// The GridRepublic remote jobs API (v2): builds submit and status requests,
// parses the replies defensively and classifies every outcome. Rides on
// http::Client, so hundreds of calls are in flight on one thread.
//
// The token goes into the Authorization header only: it never appears in a
// result, an error message or a log line (error texts are also scrubbed of
// it, in case a server echoes a request back).
//
// Classification, the run loop's contract:
//   kSuccess    the documented JSON with success:true (and, for a submit, a
//               valid first id)
//   kRetryable  transport error (refused, reset, timeout, empty or truncated
//               reply), 429 (retry_after_seconds from Retry-After), 5xx, a
//               2xx body that is not the documented JSON (HTML, cut short,
//               success:true without ids, no boolean success)
//   kPermanent  success:false ("service said: <its error>"), 400, 404, any
//               other 4xx, an unfollowed 3xx, an invalid id
//   kAuth       401, 403
// Messages are one line and short: "HTTP 503: <first 200 characters of the
// body, runs of blanks and control characters squeezed to one space>",
// "connection reset: <libcurl's words>", "service said: Invalid input
// format". No nlohmann exception leaves this module.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridbatch/http/http_client.hpp"

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
  // Read status replies with the reference reader, noting every documented
  // field a job lacks (`check`); the run's default is the fast reader.
  bool note_missing_fields = false;
};

struct SubmitRequest {
  std::string app = "gridrepublic:text-inference";
  std::string model;   // sent as `tag`
  std::string prompt;  // JSON-encoded into commandLine's `inputs`
  std::optional<double> hours;
};

// How a refused submit would likely go for every other job too: what the
// run's circuit breaker counts (run/job_policy.hpp).
enum class Refusal {
  kNone,         // a success, a transient failure, or one that is this job's alone
  kUnreachable,  // no server reached: connection refused, host not found, TLS, bad URL
  kHttp,         // a 3xx not followed, or a 4xx other than 401, 403 and 429
  kService,      // 2xx with success:false (the service's error text in `error`)
};

struct SubmitResult {
  Outcome outcome = Outcome::kRetryable;
  std::string remote_id;  // kSuccess only
  std::string error;      // what went wrong, for the job's last_error
  std::optional<double> retry_after_seconds;
  long http_status = 0;
  // Times this submit went out to the service (http::Response::sends): 0
  // when no connection could be made, else 1; never more, since a POST is
  // not re-sent on a new connection. Each send may have created a job, so
  // the run loop counts each as an attempt.
  int sends = 0;
  Refusal refusal = Refusal::kNone;
  double elapsed_seconds = 0;  // the request's latency
  // How a successful reply differs from the documented one, for `check`
  // ("id 'x' is not 32 hex characters", "2 ids for one submit"); `run`
  // ignores these.
  std::vector<std::string> oddities;
};

// One job as a status reply describes it.
struct JobView {
  std::string id;
  std::string status;     // states.default.status, as spelled by the service
  std::string vm_status;  // "" when absent
  std::string log;        // the whole log so far; "" when absent
  // An integer, a number (rounded) or a numeric string in the reply;
  // nullopt when absent, negative or unreadable.
  std::optional<std::int64_t> runtime;
  std::string created;  // as sent; "" when absent
  // Documented fields the entry lacks or holds with another type
  // ("vmStatus", "states.default.log", "runtime"...), for `check`; `run`
  // ignores them.
  std::vector<std::string> missing_fields;
};

struct StatusResult {
  Outcome outcome = Outcome::kRetryable;
  // The reply was over the client's size cap (kRetryable): asking for fewer
  // ids may fit; one id alone that does not will never fit.
  bool too_large = false;
  std::vector<std::string> requested;  // the ids this GET asked for
  std::vector<JobView> jobs;           // those the reply described
  std::vector<std::string> missing;    // requested but left out of the reply
  std::string error;
  std::optional<double> retry_after_seconds;
  long http_status = 0;
  double elapsed_seconds = 0;  // the request's latency
  // How a successful reply differs from the documented one ("'jobs' is an
  // empty array, not an object"), for `check`; `run` ignores these.
  std::vector<std::string> oddities;
};

// The commandLine string for a prompt: {"inputs":["<prompt>"]} as JSON text.
// Any prompt survives (quotes, backslashes, control characters, non-ASCII);
// invalid UTF-8 is replaced by U+FFFD instead of throwing.
std::string BuildCommandLine(std::string_view prompt);

// The POST body for a submit: app, commandLine (the string above, so the
// prompt is JSON-encoded twice), tag, and hours when set.
std::string BuildSubmitBody(const SubmitRequest& request);

// Ids go into a URL path: letters, digits, '-' and '_' only, 1 to 128 chars.
bool IsValidRemoteId(std::string_view id);

// Classify replies; pure, for tests and fuzzing. A status reply's `jobs`
// must be an object keyed by id (an empty array counts as empty); ids in it
// that were not requested are ignored, requested ones absent from it go to
// `missing`; a job entry that is not an object makes the reply retryable.
// Invalid UTF-8 in a body (a log cut mid-character) is replaced, not fatal.
SubmitResult ParseSubmitReply(const http::Response& response);
StatusResult ParseStatusReply(const http::Response& response,
                              const std::vector<std::string>& requested);
// The same with the reference reader, which also notes each job's missing
// documented fields (JobView::missing_fields): what `check` reads with.
StatusResult ParseStatusReplyInFull(const http::Response& response,
                                    const std::vector<std::string>& requested);

// Throws gridbatch::Error(kExitUsage) when `token` holds a control character
// (CR, LF, any byte below 0x20, DEL): in a header it would end the line and
// start others. The message says which byte and where, never the token.
void CheckToken(std::string_view token);

class Client {
 public:
  // Borrows `http`, which must outlive this client. Callbacks run from
  // http.Perform() and do not touch this client, so it may go first.
  // Throws as CheckToken() does, before any request.
  Client(http::Client& http, ApiOptions options);

  // POST {endpoint}/jobs; `done` runs once, from a later http.Perform().
  void Submit(const SubmitRequest& request, std::function<void(SubmitResult&&)> done);

  // Splits `ids`, in their order, into GETs of at most max_ids_per_get;
  // `done` runs once per GET, from a later http.Perform(), in whatever order
  // the replies come. Every id of `ids` is in the `requested` of exactly one
  // result (no ids: no call). Invalid ids are never sent: each comes back
  // alone in a kPermanent result.
  void Status(const std::vector<std::string>& ids, std::function<void(StatusResult&&)> done);

  const ApiOptions& options() const { return options_; }

  // Submits started by this client, whatever their outcome.
  std::int64_t submits_sent() const { return submits_sent_; }

 private:
  http::Request MakeRequest(http::Request::Method method, std::string url) const;
  void StartStatusGet(std::vector<std::string> chunk,
                      std::shared_ptr<std::function<void(StatusResult&&)>> done);

  http::Client& http_;
  ApiOptions options_;
  std::string auth_header_;
  std::int64_t submits_sent_ = 0;
};

}  // namespace gridbatch::api
