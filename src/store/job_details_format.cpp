// Rendering the jobs of one prompt for `gridbatch show`: text that fits an
// 80-column terminal, or one JSON object.
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "gridbatch/store/job_details.hpp"
#include "gridbatch/util/utf8.hpp"

namespace gridbatch::store {
namespace {

// Valid UTF-8 with no control character but newline and tab: text from the
// service must not move a terminal's cursor or change its colours.
std::string Printable(std::string_view text) {
  std::string out = SanitizeUtf8(text);
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\n' && c != '\t') || byte == 0x7f) c = '?';
  }
  return out;
}

// At most `width` bytes on one line, cut at a character boundary, "~" marking a cut.
std::string Cell(std::string_view text, std::size_t width) {
  std::string line = Printable(text);
  for (char& c : line) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  if (line.size() <= width) return line;
  std::size_t cut = width - 1;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  return line.substr(0, cut) + "~";
}

std::string OrDash(const std::optional<std::string>& text) {
  return text ? Printable(*text) : "-";
}

// The variables as "name=value, ...": a string as its text, anything else as JSON.
std::string VarsLine(const std::optional<std::string>& vars) {
  if (!vars) return "-";
  const auto object = nlohmann::ordered_json::parse(SanitizeUtf8(*vars), nullptr, false);
  if (!object.is_object()) return Printable(*vars);
  std::string line;
  for (const auto& [name, value] : object.items()) {
    line +=
        (line.empty() ? "" : ", ") + name + "=" +
        (value.is_string() ? value.get<std::string>()
                           : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  return Printable(line);
}

// `text` after `label`, its later lines indented by two spaces.
void Block(std::ostream& out, const std::string& label, const std::optional<std::string>& text) {
  out << label << ":";
  if (!text) {
    out << " -\n";
    return;
  }
  out << "\n";
  std::istringstream lines(Printable(*text));
  std::string line;
  while (std::getline(lines, line)) out << "  " << line << "\n";
}

void Field(std::ostream& out, const char* label, const std::string& value) {
  out << "  " << std::left << std::setw(15) << label << value << "\n";
}

std::string Runtime(const std::optional<std::int64_t>& runtime) {
  return runtime ? std::to_string(*runtime) + " s" : "-";
}

// model 24 (and a space), repeat 6, state 11, attempts 8, runtime 9, remote
// status 17, with the gaps: 80 columns.
void Table(const std::vector<JobDetails>& jobs, std::ostream& out) {
  out << std::left << std::setw(25) << "model" << std::right << std::setw(6) << "repeat"
      << "  " << std::left << std::setw(11) << "state" << std::right << std::setw(8) << "attempts"
      << std::setw(9) << "runtime"
      << "  " << std::left << "remote status\n";
  for (const JobDetails& job : jobs) {
    out << std::left << std::setw(25) << Cell(job.model, 24) << std::right << std::setw(6)
        << job.repeat << "  " << std::left << std::setw(11) << job.state << std::right
        << std::setw(8) << job.attempts << std::setw(9) << Runtime(job.runtime) << "  " << std::left
        << Cell(job.remote_status.value_or("-"), 17) << "\n";
  }
}

void Details(const JobDetails& job, const JobDetails& first, std::ostream& out) {
  out << "\n== " << Printable(job.model) << ", repeat " << job.repeat << ": " << job.state
      << " ==\n";
  if (job.prompt != first.prompt) Field(out, "prompt", Cell(job.prompt, 62));
  if (job.vars != first.vars) Field(out, "vars", VarsLine(job.vars));
  Field(out, "remote id", OrDash(job.remote_id));
  Field(out, "remote status", OrDash(job.remote_status));
  Field(out, "vm status", OrDash(job.vm_status));
  Field(out, "attempts", std::to_string(job.attempts));
  Field(out, "error", OrDash(job.error));
  if (job.previous_error) Field(out, "previous error", Printable(*job.previous_error));
  Field(out, "created", job.created);
  Field(out, "submitted", OrDash(job.submitted_at));
  Field(out, "finished", OrDash(job.finished_at));
  Field(out, "updated", job.updated_at);
  Field(out, "runtime", Runtime(job.runtime));
  Block(out, "output", job.output);
}

nlohmann::ordered_json Nullable(const std::optional<std::string>& text) {
  return text ? nlohmann::ordered_json(*text) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json JobJson(const JobDetails& job) {
  nlohmann::ordered_json vars = nullptr;
  if (job.vars) {
    vars = nlohmann::ordered_json::parse(SanitizeUtf8(*job.vars), nullptr, false);
    if (!vars.is_object()) vars = nullptr;
  }
  return {{"model", job.model},
          {"repeat", job.repeat},
          {"prompt", job.prompt},
          {"vars", vars},
          {"state", job.state},
          {"remote_id", Nullable(job.remote_id)},
          {"remote_status", Nullable(job.remote_status)},
          {"vm_status", Nullable(job.vm_status)},
          {"attempts", job.attempts},
          {"error", Nullable(job.error)},
          {"previous_error", Nullable(job.previous_error)},
          {"created", job.created},
          {"submitted_at", Nullable(job.submitted_at)},
          {"finished_at", Nullable(job.finished_at)},
          {"updated_at", job.updated_at},
          {"runtime", job.runtime ? nlohmann::ordered_json(*job.runtime) : nullptr},
          {"output", Nullable(job.output)}};
}

}  // namespace

void WritePromptJobsText(const std::vector<JobDetails>& jobs, std::ostream& out) {
  const JobDetails& first = jobs.front();
  out << "batch " << Printable(first.batch) << ", prompt " << Printable(first.prompt_id) << ": "
      << jobs.size() << (jobs.size() == 1 ? " job" : " jobs") << "\n";
  Block(out, "prompt", first.prompt);
  out << "vars: " << VarsLine(first.vars) << "\n\n";
  Table(jobs, out);
  for (const JobDetails& job : jobs) Details(job, first, out);
}

void WritePromptJobsJson(const std::vector<JobDetails>& jobs, std::ostream& out) {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const JobDetails& job : jobs) all.push_back(JobJson(job));
  const nlohmann::ordered_json object = {
      {"batch", jobs.front().batch}, {"prompt_id", jobs.front().prompt_id}, {"jobs", all}};
  out << object.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

}  // namespace gridbatch::store
