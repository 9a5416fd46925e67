#include "load_step.hpp"

#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "gridbatch/api/api_client.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/manifest/manifest.hpp"
#include "gridbatch/run/progress_reporter.hpp"
#include "gridbatch/store/batch_loader.hpp"
#include "gridbatch/store/job_store.hpp"

namespace gridbatch::cli {
namespace {

void PrintDiagnostics(const std::vector<manifest::Diagnostic>& errors) {
  for (const auto& d : errors) std::cerr << d.ToString() << "\n";
  std::cerr << "gridbatch: " << errors.size() << " error(s); nothing was loaded\n";
}

// A missing file is missing input (66), not an invalid manifest (65).
void RequireFile(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    throw Error(kExitNoInput, "manifest " + path + ": no such file");
  }
}

}  // namespace

namespace {

// Counts in first-seen order: models and sources are few.
using Tally = std::vector<std::pair<std::string, std::uint64_t>>;

void Count(Tally& tally, std::string_view key) {
  for (auto& [name, n] : tally) {
    if (name == key) {
      ++n;
      return;
    }
  }
  tally.emplace_back(std::string(key), 1);
}

void PrintTally(const char* title, const Tally& tally, std::ostream& out) {
  out << "  " << title << ":\n";
  for (const auto& [name, n] : tally) out << "    " << name << ": " << n << "\n";
}

std::string Number(double value, int decimals) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(decimals) << value;
  return text.str();
}

void PrintEstimate(const BatchSpec& batch, std::uint64_t jobs, const DryRunSettings& dry,
                   std::ostream& out) {
  out << "  estimate:\n    submit time: ";
  if (dry.rate_per_second <= 0) {
    out << "no rate limit (--rate 0): bounded by --max-inflight and the service's replies\n";
  } else {
    const double seconds = jobs > 0 ? static_cast<double>(jobs - 1) / dry.rate_per_second : 0;
    out << run::FormatDuration(seconds) << " for " << jobs << " submits at "
        << Number(dry.rate_per_second, 2) << "/s (before retries)\n";
  }
  out << "    compute-hours ceiling: ";
  if (batch.hours) {
    out << Number(static_cast<double>(jobs) * *batch.hours, 1) << " (" << jobs << " jobs x "
        << Number(*batch.hours, 2) << " h, the manifest's hours)\n";
  } else {
    out << "not set: the manifest gives no hours, so the service's own limit applies (" << jobs
        << " jobs x 1 h = " << jobs << " if it is 1 h)\n";
  }
}

}  // namespace

int PrintDryRun(const manifest::Manifest& m, const DryRunSettings& dry, std::ostream& out) {
  const BatchSpec& batch = manifest::Batch(m);
  Tally by_model;
  Tally by_source;
  for (const std::string& model : manifest::Models(m)) by_model.emplace_back(model, 0);
  std::optional<api::SubmitRequest> first;
  const auto changed =
      manifest::ForEachJobWithSource(m, [&](const JobSpec& job, std::string_view from) {
        Count(by_model, job.model);
        Count(by_source, from);
        if (!first) first = api::SubmitRequest{batch.app, job.model, job.prompt, batch.hours};
      });
  if (!changed.empty()) {
    PrintDiagnostics(changed);
    return kExitDataErr;
  }
  const std::uint64_t jobs = manifest::CountJobs(m);
  out << batch.name << ": " << jobs << " jobs (dry run, nothing written)\n";
  PrintTally("jobs per model", by_model, out);
  PrintTally("jobs per source", by_source, out);
  if (first) {
    std::string endpoint = dry.endpoint;
    while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
    out << "  first request:\n    POST " << endpoint << "/jobs\n"
        << "    Authorization: Bearer (the token, not shown)\n"
        << "    " << api::BuildSubmitBody(*first) << "\n";
  }
  PrintEstimate(batch, jobs, dry, out);
  return kExitOk;
}

std::shared_ptr<const manifest::Manifest> ParseStep(const std::string& manifest_path) {
  RequireFile(manifest_path);
  manifest::ParseResult parsed = manifest::LoadManifestFile(manifest_path);
  if (!parsed.errors.empty()) {
    PrintDiagnostics(parsed.errors);
    return nullptr;
  }
  for (const auto& w : parsed.warnings) std::cerr << "warning: " << w.ToString() << "\n";
  return std::move(parsed.manifest);
}

LoadResult LoadParsed(std::shared_ptr<const manifest::Manifest> manifest,
                      const std::string& db_path, LoadMode mode) {
  LoadResult result;
  result.manifest = std::move(manifest);
  const manifest::Manifest& m = *result.manifest;
  if (mode == LoadMode::kDryRun) {
    result.jobs = manifest::CountJobs(m);
    return result;
  }
  auto store = store::JobStore::Open(db_path);
  store::BatchLoader loader(*store, manifest::Batch(m));
  const auto changed = manifest::ForEachJob(m, [&](const JobSpec& job) { loader.Add(job); });
  if (!changed.empty()) {
    PrintDiagnostics(changed);  // the loader's destructor rolls back
    result.exit_code = kExitDataErr;
    result.manifest.reset();
    return result;
  }
  result.counts = loader.Commit();
  return result;
}

LoadResult LoadStep(const std::string& manifest_path, const std::string& db_path, LoadMode mode) {
  auto manifest = ParseStep(manifest_path);
  if (!manifest) return {.exit_code = kExitDataErr};
  return LoadParsed(std::move(manifest), db_path, mode);
}

std::string LoadSummary(const LoadResult& result, LoadMode mode) {
  const std::string& name = manifest::Batch(*result.manifest).name;
  if (mode == LoadMode::kDryRun) {
    return name + ": " + std::to_string(result.jobs) + " jobs (dry run, nothing written)";
  }
  const store::LoadCounts& c = result.counts;
  return name + ": " + std::to_string(c.added) + " new, " + std::to_string(c.already_present) +
         " already present, " + std::to_string(c.no_longer_listed) +
         " no longer in the manifest (" + std::to_string(c.listed) + " jobs)";
}

}  // namespace gridbatch::cli
