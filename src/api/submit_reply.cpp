// Reading a submit reply: success needs `success: true` and a valid first id.
#include "reply_classifier.hpp"

namespace gridbatch::api {
namespace {

SubmitResult FromVerdict(Verdict verdict) {
  SubmitResult result;
  result.outcome = verdict.outcome;
  result.error = std::move(verdict.error);
  result.retry_after_seconds = verdict.retry_after_seconds;
  result.http_status = verdict.http_status;
  return result;
}

SubmitResult ReadSubmitBody(const http::Response& response) {
  ParsedBody parsed = ParseBody(response);
  if (parsed.problem) {
    return FromVerdict(std::move(*parsed.problem));
  }
  if (auto refused = CheckSuccess(parsed.json, response)) {
    return FromVerdict(std::move(*refused));
  }
  auto ids = parsed.json.find("ids");
  // One POST, one copy: the first id is the job. Without it the job may or
  // may not exist; retrying is the at-least-once choice.
  if (ids == parsed.json.end() || !ids->is_array() || ids->empty() || !ids->front().is_string() ||
      !IsValidRemoteId(ids->front().get_ref<const std::string&>())) {
    return FromVerdict(Malformed(response, "success without a valid job id"));
  }
  SubmitResult result;
  result.outcome = Outcome::kSuccess;
  result.remote_id = ids->front().get<std::string>();
  result.http_status = response.status;
  return result;
}

}  // namespace

namespace {

SubmitResult ClassifySubmitReply(const http::Response& response) {
  if (auto verdict = ClassifyHttp(response)) {
    return FromVerdict(std::move(*verdict));
  }
  try {
    return ReadSubmitBody(response);
  } catch (const nlohmann::json::exception& e) {
    // Every access above is checked; this is the last line, not the plan.
    return FromVerdict(Malformed(response, std::string("unreadable reply (") + e.what() + ")"));
  }
}

}  // namespace

SubmitResult ParseSubmitReply(const http::Response& response) {
  SubmitResult result = ClassifySubmitReply(response);
  result.sends = response.sends;
  return result;
}

}  // namespace gridbatch::api
