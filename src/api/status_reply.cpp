// Reading a status reply defensively: `jobs` keyed by id, every field
// optional, extra ids ignored, requested ids left out reported as missing.
// This is the nlohmann reader, the reference for status_reply_simdjson.cpp.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "reply_classifier.hpp"
#include "status_parsers.hpp"

namespace gridbatch::api {
namespace {

using nlohmann::json;

StatusResult FromVerdict(Verdict verdict, const std::vector<std::string>& requested) {
  StatusResult result;
  result.outcome = verdict.outcome;
  result.requested = requested;
  result.error = std::move(verdict.error);
  result.retry_after_seconds = verdict.retry_after_seconds;
  result.http_status = verdict.http_status;
  return result;
}

std::string StringAt(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// An integer, a number with a fraction (rounded) or a numeric string.
std::optional<std::int64_t> ReadRuntime(const json& job) {
  auto it = job.find("runtime");
  if (it == job.end()) {
    return std::nullopt;
  }
  if (it->is_number_unsigned()) {
    const auto value = it->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(value);
  }
  if (it->is_number_integer()) {
    const auto value = it->get<std::int64_t>();
    return value >= 0 ? std::optional<std::int64_t>(value) : std::nullopt;
  }
  if (it->is_number_float()) {
    return RuntimeFromDouble(it->get<double>());
  }
  if (it->is_string()) {
    return RuntimeFromText(it->get<std::string>());
  }
  return std::nullopt;
}

// Adds `name` to `missing` when `key` is absent from `object` or of another
// type than documented. A complete entry costs a few map finds.
void NoteMissing(const json& object, const char* key, bool (json::*is_type)() const noexcept,
                 const char* name, std::vector<std::string>& missing) {
  auto it = object.find(key);
  if (it == object.end() || !((*it).*is_type)()) missing.emplace_back(name);
}

void NoteMissingFields(const json& job, JobView& view) {
  NoteMissing(job, "vmStatus", &json::is_string, "vmStatus", view.missing_fields);
  NoteMissing(job, "created", &json::is_string, "created", view.missing_fields);
  NoteMissing(job, "tag", &json::is_string, "tag", view.missing_fields);
  NoteMissing(job, "copy", &json::is_number, "copy", view.missing_fields);
  if (!view.runtime) view.missing_fields.emplace_back("runtime");
  auto states = job.find("states");
  const json* state = nullptr;
  if (states != job.end() && states->is_object()) {
    auto it = states->find("default");
    if (it != states->end() && it->is_object()) state = &*it;
  }
  if (state == nullptr) {
    view.missing_fields.emplace_back("states.default");
    return;
  }
  NoteMissing(*state, "status", &json::is_string, "states.default.status", view.missing_fields);
  NoteMissing(*state, "log", &json::is_string, "states.default.log", view.missing_fields);
  NoteMissing(*state, "outputFiles", &json::is_array, "states.default.outputFiles",
              view.missing_fields);
  NoteMissing(*state, "commandLine", &json::is_string, "states.default.commandLine",
              view.missing_fields);
  NoteMissing(*state, "app", &json::is_string, "states.default.app", view.missing_fields);
}

JobView ReadJob(const std::string& id, const json& job) {
  JobView view;
  view.id = id;
  view.vm_status = StringAt(job, "vmStatus");
  view.created = StringAt(job, "created");
  view.runtime = ReadRuntime(job);
  auto states = job.find("states");
  if (states != job.end() && states->is_object()) {
    auto state = states->find("default");
    if (state != states->end() && state->is_object()) {
      view.status = StringAt(*state, "status");
      view.log = StringAt(*state, "log");
    }
  }
  NoteMissingFields(job, view);
  return view;
}

// PHP services encode an empty map as []: a reply about no known job.
bool IsEmptyJobs(const json& jobs) {
  return jobs.is_array() && jobs.empty();
}

// Ids are hex: a key that differs from the requested id only in the case of
// its letters is that id (the view keeps the requested spelling).
// A key that is itself a requested id belongs to that id alone.
template <typename Json>
auto FindFoldingCase(Json& jobs, const std::string& id, const std::vector<std::string>& requested) {
  const auto same = [&id](const std::string& key) {
    return key.size() == id.size() &&
           std::equal(key.begin(), key.end(), id.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) ==
                    std::tolower(static_cast<unsigned char>(b));
           });
  };
  for (auto it = jobs.begin(); it != jobs.end(); ++it) {
    if (same(it.key()) &&
        std::find(requested.begin(), requested.end(), it.key()) == requested.end()) {
      return it;
    }
  }
  return jobs.end();
}

StatusResult ReadStatusBody(const http::Response& response,
                            const std::vector<std::string>& requested) {
  ParsedBody parsed = ParseBody(response);
  if (parsed.problem) {
    return FromVerdict(std::move(*parsed.problem), requested);
  }
  if (auto refused = CheckSuccess(parsed.json, response)) {
    return FromVerdict(std::move(*refused), requested);
  }
  auto jobs = parsed.json.find("jobs");
  if (jobs == parsed.json.end() || (!jobs->is_object() && !IsEmptyJobs(*jobs))) {
    return FromVerdict(Malformed(response, "reply has no 'jobs' object"), requested);
  }
  StatusResult result;
  result.outcome = Outcome::kSuccess;
  result.requested = requested;
  result.http_status = response.status;
  if (!jobs->is_object()) result.oddities.emplace_back("'jobs' is an empty array, not an object");
  for (const std::string& id : requested) {
    auto job = jobs->is_object() ? jobs->find(id) : jobs->end();
    if (job == jobs->end() && jobs->is_object()) job = FindFoldingCase(*jobs, id, requested);
    if (job == jobs->end()) {
      result.missing.push_back(id);
    } else if (!job->is_object()) {
      return FromVerdict(Malformed(response, "job '" + id + "' is not an object"), requested);
    } else {
      result.jobs.push_back(ReadJob(id, *job));
    }
  }
  return result;
}

}  // namespace

std::optional<std::int64_t> RuntimeFromDouble(double value) {
  // Beyond ±2^62 the cast would overflow; no runtime is that long anyway.
  if (!std::isfinite(value) || value < 0 || value > 4.6e18) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(std::llround(value));
}

std::optional<std::int64_t> RuntimeFromText(const std::string& text) {
  std::int64_t whole = 0;
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, whole);
  if (error == std::errc() && stop == end) {
    return whole >= 0 ? std::optional<std::int64_t>(whole) : std::nullopt;
  }
  char* parsed_to = nullptr;
  const double value = std::strtod(text.c_str(), &parsed_to);
  if (text.empty() || parsed_to != end) {
    return std::nullopt;
  }
  return RuntimeFromDouble(value);
}

StatusResult ParseStatusReplyNlohmann(const http::Response& response,
                                      const std::vector<std::string>& requested) {
  if (auto verdict = ClassifyHttp(response)) {
    return FromVerdict(std::move(*verdict), requested);
  }
  try {
    return ReadStatusBody(response, requested);
  } catch (const nlohmann::json::exception& e) {
    // Every access above is checked; this is the last line, not the plan.
    return FromVerdict(Malformed(response, std::string("unreadable reply (") + e.what() + ")"),
                       requested);
  }
}

}  // namespace gridbatch::api
