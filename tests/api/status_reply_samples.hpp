// Status replies as the service writes them, for the parser A/B test and
// benchmark: `ids` jobs in one reply, each with a log of about `log_bytes`
// bytes of model output (newlines, quotes, backslashes, accented letters,
// CJK and emoji, some written as \u escapes), the documented fields and a
// mix of states and runtime spellings. Deterministic for a given `seed`.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace gridbatch::api::samples {

struct StatusSample {
  std::vector<std::string> requested;  // ids asked for, reply order shuffled
  std::string body;
};

StatusSample MakeStatusReply(std::size_t ids, std::size_t log_bytes, unsigned seed);

}  // namespace gridbatch::api::samples
