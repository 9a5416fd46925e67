// Fuzz target: the input is the body of a 200 reply to a status GET for three
// fixed ids. ParseStatusReply must never crash, leak or throw, and must
// account for every requested id exactly once when it reports success.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "gridbatch/api_client.hpp"
#include "reply_checks.hpp"

namespace {

using gridbatch::fuzz::Check;

// The documented example's id, a short one and one that only differs by case.
const std::vector<std::string> kRequested = {"9f22472031ef57c3fd517061d116ad68", "b2", "B2"};

void CheckSuccess(const gridbatch::api::StatusResult& r) {
  Check(r.jobs.size() + r.missing.size() == kRequested.size(),
        "jobs and missing do not add up to the ids requested");
  // Both lists keep the request's order, so merging them must give it back.
  std::size_t j = 0;
  std::size_t m = 0;
  for (const std::string& id : kRequested) {
    if (j < r.jobs.size() && r.jobs[j].id == id) {
      Check(!r.jobs[j].runtime || *r.jobs[j].runtime >= 0, "negative runtime for " + id);
      ++j;
    } else {
      Check(m < r.missing.size() && r.missing[m] == id, "id '" + id + "' is unaccounted for");
      ++m;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gridbatch::http::Response response;
  response.status = 200;
  response.body.assign(gridbatch::fuzz::AsText(data, size));
  const gridbatch::api::StatusResult r = gridbatch::api::ParseStatusReply(response, kRequested);
  gridbatch::fuzz::CheckError(r.outcome, r.error);
  Check(r.requested == kRequested, "requested ids changed");
  Check(r.http_status == 200, "http_status changed");
  Check(!r.retry_after_seconds, "a Retry-After from nowhere");
  if (r.outcome == gridbatch::api::Outcome::kSuccess) {
    CheckSuccess(r);
  } else {
    Check(r.jobs.empty() && r.missing.empty(), "a failed reply still lists jobs");
  }
  return 0;
}
