#include "sim_protocol.hpp"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "sim_server.hpp"

namespace gridbatch::sim {
namespace {

using nlohmann::json;

// Replies are written by hand: a status reply of 100 jobs is the hot path of
// every benchmark, and plain appends beat building a json tree.
bool NeedsEscape(char c) {
  return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
}

void AppendEscaped(std::string& out, char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    default: {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    }
  }
}

// Copies runs of plain characters at once: escaping is most of the cost of a
// status reply.
void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!NeedsEscape(s[i])) continue;
    out.append(s.data() + run, i - run);
    AppendEscaped(out, s[i]);
    run = i + 1;
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

// What the service echoes back: the commandLine as a compact JSON string.
std::string CommandLine(std::string_view prompt) {
  std::string line = "{\"inputs\":[";
  AppendJsonString(line, prompt);
  line += "]}";
  return line;
}

void AppendJob(std::string& out, const JobReply& reply, StatusCase status_case) {
  const JobView& job = *reply.job;
  const JobProgress progress = ProgressAt(job.timing, job.outcome, reply.elapsed);
  const std::string log = FinalLog(job.model, job.prompt);
  out += "{\"vmStatus\":";
  AppendJsonString(out, VmStatusName(progress.phase));
  out += ",\"states\":{\"default\":{\"status\":";
  AppendJsonString(out, StatusName(progress.phase, status_case));
  out += ",\"outputFiles\":[],\"log\":";
  AppendJsonString(out, LogPrefix(log, progress.log_fraction));
  out += ",\"commandLine\":";
  AppendJsonString(out, CommandLine(job.prompt));
  out += ",\"app\":";
  AppendJsonString(out, job.app);
  out += "}},\"created\":";
  AppendJsonString(out, reply.created);
  out += ",\"copy\":0,\"tag\":";
  AppendJsonString(out, job.model);
  out += ",\"runtime\":";
  out += std::to_string(progress.runtime_seconds);
  out += '}';
}

bool IsNonEmptyString(const json& j) {
  return j.is_string() && !j.get_ref<const std::string&>().empty();
}

// The prompt from commandLine's JSON, or nullopt if it is not the documented
// {"inputs": ["...", ...]}.
std::optional<std::string> FirstInput(const std::string& command_line) {
  const json parsed = json::parse(command_line, nullptr, false);
  if (!parsed.is_object()) return std::nullopt;
  const auto inputs = parsed.find("inputs");
  if (inputs == parsed.end() || !inputs->is_array() || inputs->empty()) return std::nullopt;
  for (const json& input : *inputs) {
    if (!input.is_string()) return std::nullopt;
  }
  return inputs->front().get<std::string>();
}

}  // namespace

std::variant<SubmitRequest, SubmitError> ParseSubmit(std::string_view body) {
  const json parsed = json::parse(body, nullptr, false);
  const SubmitError invalid{std::string(kInvalidInput)};
  if (!parsed.is_object()) return invalid;
  const auto app = parsed.find("app");
  const auto command_line = parsed.find("commandLine");
  const auto tag = parsed.find("tag");
  const auto hours = parsed.find("hours");
  if (app == parsed.end() || !app->is_string()) return invalid;
  if (command_line == parsed.end() || !command_line->is_string()) return invalid;
  if (tag == parsed.end() || !IsNonEmptyString(*tag)) return invalid;
  if (hours != parsed.end() && !hours->is_number()) return invalid;
  auto prompt = FirstInput(command_line->get<std::string>());
  if (!prompt) return invalid;
  return SubmitRequest{app->get<std::string>(), tag->get<std::string>(), std::move(*prompt)};
}

std::vector<std::string_view> SplitIds(std::string_view list) {
  std::vector<std::string_view> ids;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view id = list.substr(0, comma);
    if (!id.empty()) ids.push_back(id);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return ids;
}

std::string StatusReply(const std::vector<std::pair<std::string_view, JobReply>>& jobs,
                        StatusCase status_case) {
  std::string out = "{\"success\":true,\"jobs\":{";
  out.reserve(jobs.size() * 640);
  bool first = true;
  for (const auto& [id, reply] : jobs) {
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, id);
    out += ':';
    AppendJob(out, reply, status_case);
  }
  out += "}}";
  return out;
}

std::string SubmitReply(std::string_view id) {
  std::string out = "{\"success\":true,\"ids\":[";
  AppendJsonString(out, id);
  out += "]}";
  return out;
}

std::string ErrorReply(std::string_view message) {
  std::string out = "{\"success\":false,\"error\":";
  AppendJsonString(out, message);
  out += '}';
  return out;
}

std::string CreatedTime(double epoch_seconds) {
  const auto secs = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
  return buf;
}

}  // namespace gridbatch::sim
