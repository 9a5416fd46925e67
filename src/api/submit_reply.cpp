// Reading a submit reply: success needs `success: true` and a valid first id.
#include <algorithm>

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

bool IsHex32(const std::string& id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

// What `check` reports of ids the run accepts anyway.
std::vector<std::string> IdOddities(const nlohmann::json& ids) {
  std::vector<std::string> notes;
  if (ids.size() != 1) notes.push_back(std::to_string(ids.size()) + " ids for one submit");
  for (const auto& id : ids) {
    if (!id.is_string()) {
      notes.push_back("an id is not a string: " + OneLine(id.dump()));
    } else if (!IsHex32(id.get_ref<const std::string&>())) {
      notes.push_back("id '" + OneLine(id.get_ref<const std::string&>()) +
                      "' is not 32 hex characters");
    }
  }
  return notes;
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
  result.oddities = IdOddities(*ids);
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
  if (response.transport_error != 0) {
    if (response.unreachable) result.refusal = Refusal::kUnreachable;
  } else if (result.outcome == Outcome::kPermanent) {
    const bool http_refused = response.status >= 300 && response.status < 500;
    result.refusal = http_refused ? Refusal::kHttp : Refusal::kService;
  }
  result.elapsed_seconds = response.elapsed_seconds;
  return result;
}

}  // namespace gridbatch::api
