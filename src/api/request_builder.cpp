// The request side of the API: what goes on the wire for a submit, and which
// ids may go into a status URL.
#include <nlohmann/json.hpp>

#include "gridbatch/api/api_client.hpp"

namespace gridbatch::api {
namespace {

// Raw UTF-8 out (not \u escapes), and invalid bytes replaced rather than
// thrown on: the manifest rejects them earlier, this must still never crash.
std::string Dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string_view ToString(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSuccess:
      return "success";
    case Outcome::kRetryable:
      return "retryable";
    case Outcome::kPermanent:
      return "permanent";
    case Outcome::kAuth:
      return "auth";
  }
  return "unknown";
}

std::string BuildCommandLine(std::string_view prompt) {
  nlohmann::json command = nlohmann::json::object();
  command["inputs"] = nlohmann::json::array({std::string(prompt)});
  return Dump(command);
}

std::string BuildSubmitBody(const SubmitRequest& request) {
  nlohmann::json body = nlohmann::json::object();
  body["app"] = request.app;
  // A string holding JSON: the second encoding happens in Dump below.
  body["commandLine"] = BuildCommandLine(request.prompt);
  body["tag"] = request.model;
  if (request.hours) {
    body["hours"] = *request.hours;
  }
  return Dump(body);
}

bool IsValidRemoteId(std::string_view id) {
  if (id.empty() || id.size() > 128) {
    return false;
  }
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace gridbatch::api
