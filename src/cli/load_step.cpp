#include "load_step.hpp"

#include <filesystem>
#include <iostream>
#include <system_error>

#include "gridbatch/error.hpp"
#include "gridbatch/job_store.hpp"

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
