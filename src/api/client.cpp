// The API client proper: turns calls into http::Requests and replies into
// results, keeping the token out of every message it hands back.
#include <memory>
#include <utility>

#include "gridbatch/api/api_client.hpp"
#include "gridbatch/error.hpp"
#include "reply_classifier.hpp"

namespace gridbatch::api {
namespace {

std::string TrimTrailingSlashes(std::string url) {
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  return url;
}

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string joined;
  for (const std::string& id : ids) {
    if (!joined.empty()) {
      joined += ',';
    }
    joined += id;
  }
  return joined;
}

StatusResult InvalidIdResult(const std::string& id) {
  StatusResult result;
  result.outcome = Outcome::kPermanent;
  result.requested = {id};
  result.error = "invalid remote id '" + OneLine(id) +
                 "': only letters, digits, '-' and '_', 1 to 128 characters";
  return result;
}

}  // namespace

void CheckToken(std::string_view token) {
  for (std::size_t i = 0; i < token.size(); ++i) {
    const auto byte = static_cast<unsigned char>(token[i]);
    if (byte < 0x20 || byte == 0x7f) {
      throw Error(kExitUsage, "the API token holds a control character (byte " +
                                  std::to_string(byte) + ", at character " + std::to_string(i + 1) +
                                  "): refused, since it would be sent as extra header lines. "
                                  "Check GRIDREPUBLIC_TOKEN or --token-file.");
    }
  }
}

namespace {

std::string AuthHeader(const std::string& token) {
  CheckToken(token);
  return "Authorization: Bearer " + token;
}

}  // namespace

Client::Client(http::Client& http, ApiOptions options)
    : http_(http), options_(std::move(options)), auth_header_(AuthHeader(options_.token)) {
  options_.endpoint = TrimTrailingSlashes(options_.endpoint);
  if (options_.max_ids_per_get == 0) {
    options_.max_ids_per_get = 1;
  }
}

http::Request Client::MakeRequest(http::Request::Method method, std::string url) const {
  http::Request request;
  request.method = method;
  request.url = std::move(url);
  request.headers = {auth_header_, "Accept: application/json"};
  return request;
}

void Client::Submit(const SubmitRequest& request, std::function<void(SubmitResult&&)> done) {
  http::Request post = MakeRequest(http::Request::Method::kPost, options_.endpoint + "/jobs");
  post.body = BuildSubmitBody(request);
  ++submits_sent_;
  http_.Start(std::move(post),
              [done = std::move(done), token = options_.token](http::Response&& r) {
                RedactBody(r, token);
                SubmitResult result = ParseSubmitReply(r);
                result.error = Redact(std::move(result.error), token);
                done(std::move(result));
              });
}

void Client::Status(const std::vector<std::string>& ids, std::function<void(StatusResult&&)> done) {
  // One callback shared by every chunk, so state it holds is shared too.
  auto shared_done = std::make_shared<std::function<void(StatusResult &&)>>(std::move(done));
  std::vector<std::string> chunk;
  for (const std::string& id : ids) {
    if (!IsValidRemoteId(id)) {
      http_.Defer(http::Response{},
                  [shared_done, result = InvalidIdResult(id)](http::Response&&) mutable {
                    (*shared_done)(std::move(result));
                  });
      continue;
    }
    chunk.push_back(id);
    if (chunk.size() == options_.max_ids_per_get) {
      StartStatusGet(std::move(chunk), shared_done);
      chunk.clear();
    }
  }
  if (!chunk.empty()) {
    StartStatusGet(std::move(chunk), shared_done);
  }
}

void Client::StartStatusGet(std::vector<std::string> chunk,
                            std::shared_ptr<std::function<void(StatusResult&&)>> done) {
  http::Request get =
      MakeRequest(http::Request::Method::kGet, options_.endpoint + "/jobs/" + JoinIds(chunk));
  http_.Start(std::move(get), [done = std::move(done), chunk = std::move(chunk),
                               token = options_.token,
                               in_full = options_.note_missing_fields](http::Response&& r) {
    RedactBody(r, token);
    StatusResult result = in_full ? ParseStatusReplyInFull(r, chunk) : ParseStatusReply(r, chunk);
    result.too_large = r.too_large;
    result.error = Redact(std::move(result.error), token);
    (*done)(std::move(result));
  });
}

}  // namespace gridbatch::api
