// What every reply shares before its own JSON is read: transport errors and
// HTTP status classes, a readable excerpt of a body, and the JSON parse that
// tolerates a log cut mid-character. Internal to the api module.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "gridbatch/api/api_client.hpp"

namespace gridbatch::api {

struct Verdict {
  Outcome outcome = Outcome::kRetryable;
  std::string error;
  std::optional<double> retry_after_seconds;
  long http_status = 0;
};

// The verdict on a reply that is not a whole 2xx (transport error, 4xx, 5xx,
// anything else); nullopt when the body should be read.
std::optional<Verdict> ClassifyHttp(const http::Response& response);

// A 2xx body as a JSON object, or the retryable verdict saying why not.
// Invalid UTF-8 (a log cut mid-character) is replaced, not refused.
struct ParsedBody {
  nlohmann::json json;
  std::optional<Verdict> problem;
};
ParsedBody ParseBody(const http::Response& response);

// The verdict for `{"success": false, "error": ...}` or a body without a
// boolean `success`; nullopt when success is true.
std::optional<Verdict> CheckSuccess(const nlohmann::json& body, const http::Response& response);

// "HTTP 200: <what>: <excerpt of the body>", retryable.
Verdict Malformed(const http::Response& response, std::string_view what);

// At most 200 characters of `text` on one line: runs of blanks and control
// characters become one space, ends are trimmed, invalid UTF-8 becomes
// U+FFFD, "..." marks a cut.
std::string OneLine(std::string_view text);

// Runs of a secret this long are redacted from a message even when the
// secret is not there whole (a cut excerpt, a secret split by a line
// break): shorter runs are too likely in ordinary text.
inline constexpr std::size_t kMinSecretPiece = 8;
// Messages longer than this are redacted of whole occurrences only.
inline constexpr std::size_t kMaxPieceScan = 8192;

// `text` with every occurrence of `secret` replaced by "[redacted]", and
// every run of at least kMinSecretPiece characters of `secret` (all of it,
// when shorter) too.
std::string Redact(std::string text, std::string_view secret);

// Replaces every whole occurrence of `secret` in the reply's body and error
// by "[redacted]", before anything reads or cuts them: an excerpt cut from
// a redacted body cannot hold part of the secret.
void RedactBody(http::Response& response, std::string_view secret);

}  // namespace gridbatch::api
