#include "reply_checks.hpp"

#include <string>

#include "fuzz_check.hpp"
#include "gridbatch/util/utf8.hpp"

namespace gridbatch::fuzz {

void CheckError(api::Outcome outcome, std::string_view error) {
  const std::string quoted = "'" + std::string(error) + "'";
  Check(outcome != api::Outcome::kAuth, "a 200 reply classified as an auth failure");
  Check((outcome == api::Outcome::kSuccess) == error.empty(),
        "error text must be present exactly on failure: " + quoted);
  Check(error.find_first_of("\r\n") == std::string_view::npos, "error spans lines: " + quoted);
  Check(!FindInvalidUtf8(error), "error is not UTF-8: " + quoted);
  // 200 characters of excerpt, at most 4 bytes each, plus the words around it.
  Check(error.size() <= 200 * 4 + 200, "error too long: " + quoted);
}

}  // namespace gridbatch::fuzz
