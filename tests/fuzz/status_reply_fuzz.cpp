// Fuzz target: the input is the body of a 200 reply to a status GET for three
// fixed ids. ParseStatusReply must never crash, leak or throw, must account
// for every requested id exactly once when it reports success, and must give
// what the nlohmann reference reader gives (its simdjson fast path answers
// only the replies it reads completely).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "gridbatch/api/api_client.hpp"
#include "reply_checks.hpp"
#include "status_parsers.hpp"

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

bool SameViews(const gridbatch::api::JobView& a, const gridbatch::api::JobView& b) {
  return a.id == b.id && a.status == b.status && a.vm_status == b.vm_status && a.log == b.log &&
         a.runtime == b.runtime && a.created == b.created;
}

void CheckSameAsReference(const gridbatch::api::StatusResult& r,
                          const gridbatch::http::Response& response) {
  const gridbatch::api::StatusResult ref =
      gridbatch::api::ParseStatusReplyNlohmann(response, kRequested);
  Check(r.outcome == ref.outcome && r.error == ref.error && r.missing == ref.missing &&
            r.requested == ref.requested && r.retry_after_seconds == ref.retry_after_seconds &&
            r.http_status == ref.http_status,
        "outcome, error or missing ids differ from the nlohmann reader's");
  Check(std::equal(r.jobs.begin(), r.jobs.end(), ref.jobs.begin(), ref.jobs.end(), SameViews),
        "job views differ from the nlohmann reader's");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gridbatch::http::Response response;
  response.status = 200;
  response.body.assign(gridbatch::fuzz::AsText(data, size));
  const gridbatch::api::StatusResult r = gridbatch::api::ParseStatusReply(response, kRequested);
  gridbatch::fuzz::CheckError(r.outcome, r.error);
  CheckSameAsReference(r, response);
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
