#include "reply_classifier.hpp"

#include <algorithm>

#include "gridbatch/util/utf8.hpp"

namespace gridbatch::api {
namespace {

constexpr std::size_t kExcerptChars = 200;

bool IsContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The first `chars` UTF-8 characters of `text`, as a byte length.
std::size_t PrefixBytes(std::string_view text, std::size_t chars) {
  std::size_t i = 0;
  for (std::size_t n = 0; i < text.size() && n < chars; ++n) {
    ++i;
    while (i < text.size() && IsContinuationByte(text[i])) {
      ++i;
    }
  }
  return i;
}

// ": <the body on one line>", or nothing when it has nothing to show.
std::string Excerpt(std::string_view body) {
  std::string line = OneLine(body);
  return line.empty() ? line : ": " + line;
}

std::string StatusLine(long status) {
  return "HTTP " + std::to_string(status);
}

// The service's own words, when a non-2xx body is its documented error JSON.
std::optional<std::string> ServiceError(std::string_view body) {
  const nlohmann::json json = nlohmann::json::parse(SanitizeUtf8(body), nullptr, false);
  if (!json.is_object()) {
    return std::nullopt;
  }
  auto it = json.find("error");
  if (it == json.end() || !it->is_string()) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

Outcome OutcomeOfStatus(long status) {
  if (status == 401 || status == 403) {
    return Outcome::kAuth;
  }
  if (status == 429 || status >= 500) {
    return Outcome::kRetryable;
  }
  // 4xx; and 3xx, a redirect we do not follow: retrying cannot help.
  if (status >= 300) {
    return Outcome::kPermanent;
  }
  return Outcome::kRetryable;  // 1xx or 0: not a reply at all
}

}  // namespace

std::string OneLine(std::string_view text) {
  // Replace invalid bytes before counting: counted raw, a run of stray
  // continuation bytes passed for one character and became one U+FFFD each,
  // so a garbage body made a message of any size. 200 characters take at
  // most 4 bytes each, which bounds what needs reading.
  constexpr std::size_t kMaxBytes = kExcerptChars * 4;
  const std::string valid = SanitizeUtf8(text.substr(0, kMaxBytes));
  const std::size_t bytes = PrefixBytes(valid, kExcerptChars);
  std::string line;
  // Control characters (newlines, tabs, ESC...) and runs of blanks become
  // one space, so a message stays one readable line.
  for (char c : std::string_view(valid).substr(0, bytes)) {
    const auto byte = static_cast<unsigned char>(c);
    const bool blank = byte <= 0x20 || byte == 0x7f;
    if (!blank) {
      line += c;
    } else if (!line.empty() && line.back() != ' ') {
      line += ' ';
    }
  }
  if (!line.empty() && line.back() == ' ') {
    line.pop_back();
  }
  if (bytes < valid.size() || text.size() > kMaxBytes) {
    line += "...";
  }
  return line;
}

namespace {

constexpr std::string_view kRedactedMark = "[redacted]";

bool MarkAt(std::string_view text, std::size_t at) {
  return text.compare(at, kRedactedMark.size(), kRedactedMark) == 0;
}

// Every whole occurrence of `secret` in `text` replaced, leaving marks an
// earlier pass made as they are (a secret "t" must not redact the "t" of
// "[redacted]" again); false when none.
bool ReplaceWhole(std::string& text, std::string_view secret) {
  if (text.find(secret) == std::string::npos) return false;
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    if (text[at] == '[' && MarkAt(text, at)) {
      out += kRedactedMark;
      at += kRedactedMark.size();
    } else if (text[at] == secret.front() && text.compare(at, secret.size(), secret) == 0) {
      out += kRedactedMark;
      at += secret.size();
    } else {
      out += text[at++];
    }
  }
  text = std::move(out);
  return true;
}

// The length of the longest run of `secret` that `text` holds at `at`.
std::size_t LongestPieceAt(std::string_view text, std::size_t at, std::string_view secret) {
  std::size_t longest = 0;
  for (std::size_t from = 0; from + longest < secret.size(); ++from) {
    std::size_t n = 0;
    while (at + n < text.size() && from + n < secret.size() && text[at + n] == secret[from + n]) {
      ++n;
    }
    longest = std::max(longest, n);
  }
  return longest;
}

}  // namespace

std::string Redact(std::string text, std::string_view secret) {
  if (secret.empty()) {
    return text;
  }
  ReplaceWhole(text, secret);
  // What a cut left of the secret: a long enough run of it, anywhere. Short
  // texts only (messages); a body is redacted whole, then cut.
  const std::size_t min_piece = std::min(secret.size(), kMinSecretPiece);
  if (text.size() > kMaxPieceScan) {
    return text;
  }
  std::string out;
  for (std::size_t at = 0; at < text.size();) {
    if (text[at] == '[' && MarkAt(text, at)) {
      out += kRedactedMark;
      at += kRedactedMark.size();
      continue;
    }
    const std::size_t piece = LongestPieceAt(text, at, secret);
    if (piece >= min_piece) {
      out += kRedactedMark;
      at += piece;
    } else {
      out += text[at++];
    }
  }
  return out;
}

void RedactBody(http::Response& response, std::string_view secret) {
  if (secret.empty()) {
    return;
  }
  ReplaceWhole(response.body, secret);
  ReplaceWhole(response.error, secret);
}

std::optional<Verdict> ClassifyHttp(const http::Response& response) {
  Verdict verdict;
  verdict.http_status = response.status;
  verdict.retry_after_seconds = response.retry_after_seconds;
  if (response.transport_error != 0) {
    verdict.error = response.error.empty() ? "network error (libcurl code " +
                                                 std::to_string(response.transport_error) + ")"
                                           : OneLine(response.error);
    return verdict;
  }
  if (response.status >= 200 && response.status < 300) {
    return std::nullopt;
  }
  verdict.outcome = OutcomeOfStatus(response.status);
  verdict.error = StatusLine(response.status);
  if (auto said = ServiceError(response.body)) {
    verdict.error += ": service said: " + OneLine(*said);
  } else {
    verdict.error += Excerpt(response.body);
  }
  return verdict;
}

Verdict Malformed(const http::Response& response, std::string_view what) {
  Verdict verdict;
  verdict.http_status = response.status;
  verdict.retry_after_seconds = response.retry_after_seconds;
  verdict.error = StatusLine(response.status) + ": " + std::string(what) + Excerpt(response.body);
  return verdict;
}

ParsedBody ParseBody(const http::Response& response) {
  ParsedBody parsed;
  if (response.body.empty()) {
    parsed.problem = Malformed(response, "empty reply body");
    return parsed;
  }
  parsed.json = nlohmann::json::parse(response.body, nullptr, false);
  if (parsed.json.is_discarded() && FindInvalidUtf8(response.body)) {
    parsed.json = nlohmann::json::parse(SanitizeUtf8(response.body), nullptr, false);
  }
  if (parsed.json.is_discarded()) {
    parsed.problem = Malformed(response, "reply is not JSON");
  } else if (!parsed.json.is_object()) {
    parsed.problem = Malformed(response, "reply is not a JSON object");
  }
  return parsed;
}

std::optional<Verdict> CheckSuccess(const nlohmann::json& body, const http::Response& response) {
  auto success = body.find("success");
  if (success == body.end() || !success->is_boolean()) {
    return Malformed(response, "reply has no boolean 'success'");
  }
  if (success->get<bool>()) {
    return std::nullopt;
  }
  Verdict verdict;
  verdict.outcome = Outcome::kPermanent;
  verdict.http_status = response.status;
  auto error = body.find("error");
  verdict.error = error != body.end() && error->is_string()
                      ? "service said: " + OneLine(error->get<std::string>())
                      : "service said: success:false, without an error text";
  return verdict;
}

}  // namespace gridbatch::api
