// Fuzz target: the input is the body of a 200 reply to a submit.
// ParseSubmitReply must never crash, leak or throw; success must come with an
// id that is safe to put in a URL path, and nothing else with any id.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "gridbatch/api/api_client.hpp"
#include "reply_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using gridbatch::fuzz::Check;
  gridbatch::http::Response response;
  response.status = 200;
  response.body.assign(gridbatch::fuzz::AsText(data, size));
  const gridbatch::api::SubmitResult r = gridbatch::api::ParseSubmitReply(response);
  gridbatch::fuzz::CheckError(r.outcome, r.error);
  Check(r.http_status == 200, "http_status changed");
  Check(!r.retry_after_seconds, "a Retry-After from nowhere");
  if (r.outcome == gridbatch::api::Outcome::kSuccess) {
    Check(gridbatch::api::IsValidRemoteId(r.remote_id),
          "success with an invalid id: " + r.remote_id);
  } else {
    Check(r.remote_id.empty(), "a failed submit still has an id: " + r.remote_id);
  }
  return 0;
}
