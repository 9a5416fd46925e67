// The remote jobs API's JSON, as the simulator reads and writes it: submit
// bodies in, status and error replies out. No HTTP here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "job_lifecycle.hpp"
#include "job_table.hpp"

namespace gridbatch::sim {

inline constexpr std::string_view kInvalidInput = "Invalid input format";

struct SubmitRequest {
  std::string app;
  std::string model;   // the body's `tag`
  std::string prompt;  // the first of commandLine's `inputs`
};

// A body the service would refuse comes back as the error it answers with.
struct SubmitError {
  std::string message;
};

// `app` a string, `commandLine` a string holding a JSON object whose `inputs`
// is a non-empty array of strings, `tag` a non-empty string, `hours` a
// number if present; anything else is kInvalidInput.
std::variant<SubmitRequest, SubmitError> ParseSubmit(std::string_view body);

// "a,b,,c" -> {"a", "b", "c"}.
std::vector<std::string_view> SplitIds(std::string_view list);

// One entry of a status reply's `jobs` object, for a job seen `elapsed`
// seconds after its submit; `created` is its ISO-8601 submit time.
struct JobReply {
  const JobView* job;
  double elapsed;
  std::string created;
};

std::string StatusReply(const std::vector<std::pair<std::string_view, JobReply>>& jobs,
                        StatusCase status_case);
std::string SubmitReply(std::string_view id);
std::string ErrorReply(std::string_view message);

// "2024-05-06T21:26:00+00:00": seconds since the epoch, UTC, with an offset
// the way the service writes it.
std::string CreatedTime(double epoch_seconds);

}  // namespace gridbatch::sim
