#include "load_step.hpp"

#include <iostream>

#include "gridbatch/batch_loader.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/job_store.hpp"
#include "gridbatch/manifest.hpp"

namespace gridbatch::cli {
namespace {

void PrintDiagnostics(const std::vector<manifest::Diagnostic>& errors) {
  for (const auto& d : errors) std::cerr << d.ToString() << "\n";
  std::cerr << "gridbatch: " << errors.size() << " error(s); nothing was loaded\n";
}

}  // namespace

int LoadStep(const std::string& manifest_path, const std::string& db_path, LoadMode mode,
             std::ostream& out) {
  const manifest::ParseResult parsed = manifest::LoadManifestFile(manifest_path);
  if (!parsed.errors.empty()) {
    PrintDiagnostics(parsed.errors);
    return kExitDataErr;
  }
  for (const auto& w : parsed.warnings) std::cerr << "warning: " << w.ToString() << "\n";
  const manifest::Manifest& m = *parsed.manifest;
  const BatchSpec& batch = manifest::Batch(m);
  if (mode == LoadMode::kDryRun) {
    out << batch.name << ": " << manifest::CountJobs(m) << " jobs (dry run, nothing written)\n";
    return kExitOk;
  }
  auto store = store::JobStore::Open(db_path);
  store::BatchLoader loader(*store, batch);
  const auto changed = manifest::ForEachJob(m, [&](const JobSpec& job) { loader.Add(job); });
  if (!changed.empty()) {
    PrintDiagnostics(changed);  // the loader's destructor rolls back
    return kExitDataErr;
  }
  const store::LoadCounts counts = loader.Commit();
  out << batch.name << ": " << counts.added << " new, " << counts.already_present
      << " already present, " << counts.no_longer_listed << " no longer in the manifest ("
      << counts.listed << " jobs)\n";
  return kExitOk;
}

}  // namespace gridbatch::cli
