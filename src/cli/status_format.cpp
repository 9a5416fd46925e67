// Rendering a StatusReport: a table for people, JSON for scripts.
#include "status_format.hpp"

#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

namespace gridbatch::cli {
namespace {

using store::BatchStatus;
using store::StateCounts;
using store::StatusReport;

constexpr std::size_t kMaxErrorChars = 160;

// One line of at most kMaxErrorChars bytes: control characters become
// spaces, and a cut never splits a UTF-8 sequence.
std::string OneLine(const std::string& text) {
  std::string line;
  for (const char c : text) {
    line.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
  }
  if (line.size() <= kMaxErrorChars) return line;
  std::size_t cut = kMaxErrorChars;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  return line.substr(0, cut) + "...";
}

void WriteCountsRow(std::ostream& out, const std::string& label, std::size_t label_width,
                    const StateCounts& counts) {
  out << "  " << std::left << std::setw(static_cast<int>(label_width)) << label << std::right;
  for (const JobState state : kAllJobStates) {
    out << std::setw(static_cast<int>(ToString(state).size()) + 2) << counts[state];
  }
  out << std::setw(8) << counts.Total() << "\n";
}

void WriteCountsHeader(std::ostream& out, std::size_t label_width) {
  out << "  " << std::left << std::setw(static_cast<int>(label_width)) << "model" << std::right;
  for (const JobState state : kAllJobStates) out << "  " << ToString(state);
  out << std::setw(8) << "total"
      << "\n";
}

void WriteBatchText(const BatchStatus& batch, std::ostream& out) {
  out << "batch " << batch.name << " (" << batch.app;
  if (batch.hours) out << ", " << *batch.hours << " h";
  if (!batch.manifest_path.empty()) out << ", " << batch.manifest_path;
  out << ", loaded " << batch.updated_at << ")\n";
  std::size_t width = 5;
  for (const auto& model : batch.models) width = std::max(width, model.model.size());
  WriteCountsHeader(out, width);
  for (const auto& model : batch.models) WriteCountsRow(out, model.model, width, model.counts);
  if (batch.models.size() != 1) WriteCountsRow(out, "all", width, batch.counts);
  for (const auto& model : batch.models) {
    if (model.held_reason.empty()) continue;
    out << "  held: " << model.model << "'s " << model.counts[JobState::kPending]
        << " pending job(s) wait since " << model.held_at
        << " (the next run tries again): " << OneLine(model.held_reason) << "\n";
  }
  out << "\n";
}

void WriteUncertainText(const StatusReport& report, std::ostream& out) {
  if (report.uncertain_count == 0) return;
  out << report.uncertain_count << " job(s) left in 'submitting': their submit may or may not "
      << "have reached the service\n";
  for (const auto& job : report.uncertain) {
    out << "  " << job.batch << " " << job.prompt_id << " " << job.model << " repeat "
        << job.repeat_index << ", attempts " << job.attempts << ", since " << job.updated_at
        << "\n";
  }
  if (report.uncertain.size() < report.uncertain_count) {
    out << "  ... and " << report.uncertain_count - report.uncertain.size() << " more\n";
  }
  out << "\n";
}

void WriteErrorsText(const StatusReport& report, std::ostream& out) {
  if (report.recent_errors.empty()) return;
  out << "recent errors (jobs not completed):\n";
  for (const auto& error : report.recent_errors) {
    out << "  " << error.jobs << " job(s), last " << error.last_seen << ": " << OneLine(error.error)
        << "\n";
  }
}

nlohmann::json CountsJson(const StateCounts& counts) {
  nlohmann::json json = nlohmann::json::object();
  for (const JobState state : kAllJobStates) json[std::string(ToString(state))] = counts[state];
  json["total"] = counts.Total();
  return json;
}

nlohmann::json BatchJson(const BatchStatus& batch) {
  nlohmann::json models = nlohmann::json::array();
  for (const auto& model : batch.models) {
    nlohmann::json held;  // null unless the last run held the model
    if (!model.held_reason.empty()) {
      held = {{"reason", model.held_reason}, {"since", model.held_at}};
    }
    models.push_back(
        {{"model", model.model}, {"counts", CountsJson(model.counts)}, {"held", std::move(held)}});
  }
  return {{"name", batch.name},
          {"app", batch.app},
          {"hours", batch.hours ? nlohmann::json(*batch.hours) : nlohmann::json()},
          {"manifest_path",
           batch.manifest_path.empty() ? nlohmann::json() : nlohmann::json(batch.manifest_path)},
          {"updated_at", batch.updated_at},
          {"counts", CountsJson(batch.counts)},
          {"models", std::move(models)}};
}

nlohmann::json UncertainJson(const StatusReport& report) {
  nlohmann::json jobs = nlohmann::json::array();
  for (const auto& job : report.uncertain) {
    jobs.push_back({{"batch", job.batch},
                    {"prompt_id", job.prompt_id},
                    {"model", job.model},
                    {"repeat_index", job.repeat_index},
                    {"attempts", job.attempts},
                    {"updated_at", job.updated_at}});
  }
  return {{"count", report.uncertain_count}, {"jobs", std::move(jobs)}};
}

}  // namespace

void WriteStatusText(const StatusReport& report, std::ostream& out) {
  if (report.batches.empty()) {
    out << "no batches loaded\n";
    return;
  }
  for (const auto& batch : report.batches) WriteBatchText(batch, out);
  out << "total: " << report.totals.Total() << " job(s)";
  const char* separator = ": ";
  for (const JobState state : kAllJobStates) {
    if (report.totals[state] == 0) continue;
    out << separator << report.totals[state] << " " << ToString(state);
    separator = ", ";
  }
  out << "\n\n";
  WriteUncertainText(report, out);
  WriteErrorsText(report, out);
}

void WriteStatusJson(const StatusReport& report, std::ostream& out) {
  nlohmann::json batches = nlohmann::json::array();
  for (const auto& batch : report.batches) batches.push_back(BatchJson(batch));
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& error : report.recent_errors) {
    errors.push_back(
        {{"error", error.error}, {"jobs", error.jobs}, {"last_seen", error.last_seen}});
  }
  const nlohmann::json json = {{"batches", std::move(batches)},
                               {"totals", CountsJson(report.totals)},
                               {"uncertain", UncertainJson(report)},
                               {"recent_errors", std::move(errors)}};
  // Replace, not throw, if an error text holds invalid UTF-8.
  out << json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace gridbatch::cli
