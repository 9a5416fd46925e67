// The two readers of a status reply, internal to the api module.
// ParseStatusReply (api_client.hpp) is the simdjson one: its On-Demand fast
// path reads a well-formed reply in one pass, and any reply it is not sure of
// (malformed, a key given twice, success:false, a job that is not an object,
// too deep) is read again by the nlohmann reader, the reference: both give
// the same StatusResult for every body (tests/api/status_parsers_test.cpp,
// the status_reply fuzz target). bench/run.sh status_parse compares them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gridbatch/api/api_client.hpp"

namespace gridbatch::api {

// The reference reader (nlohmann::json), every case of ParseStatusReply.
StatusResult ParseStatusReplyNlohmann(const http::Response& response,
                                      const std::vector<std::string>& requested);

// The simdjson On-Demand fast path of ParseStatusReply: the result for a 2xx
// reply that is valid JSON with `success: true`, a `jobs` object (or []),
// each requested job in it an object and no key given twice where it is
// read; nullopt for anything else, which the reference must read.
std::optional<StatusResult> ReadStatusReplySimdjson(const http::Response& response,
                                                    const std::vector<std::string>& requested);

// A runtime from a JSON number that is not a whole non-negative integer:
// rounded to whole seconds; nullopt when negative, not finite or too large.
std::optional<std::int64_t> RuntimeFromDouble(double value);

// A runtime from a string: an integer, or a number rounded; nullopt else.
std::optional<std::int64_t> RuntimeFromText(const std::string& text);

}  // namespace gridbatch::api
