// Validating and loading a manifest, shared by `load` and `run MANIFEST`.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>

#include "gridbatch/manifest/manifest.hpp"
#include "gridbatch/store/batch_loader.hpp"

namespace gridbatch::cli {

// What a dry run's estimate and first request are computed for.
struct DryRunSettings {
  double rate_per_second = 20;  // 0: unlimited
  std::string endpoint = "https://api.gridrepublic.services/remotejobs/v2";
};

enum class LoadMode {
  kWrite,   // validate, then load in one transaction
  kDryRun,  // validate and count; the database is not opened or created
};

struct LoadResult {
  int exit_code = 0;  // kExitOk, or kExitDataErr (diagnostics printed)
  std::shared_ptr<const manifest::Manifest> manifest;  // set when exit_code is kExitOk
  store::LoadCounts counts;                            // kWrite
  std::uint64_t jobs = 0;                              // kDryRun: the jobs the manifest makes
};

// Validates MANIFEST; on errors prints every diagnostic to stderr and
// returns null. Prints warnings. A file that does not exist throws
// gridbatch::Error(kExitNoInput). Touches no database.
std::shared_ptr<const manifest::Manifest> ParseStep(const std::string& manifest_path);

// Loads a manifest ParseStep returned (or, dry, only counts its jobs).
// Database failures throw gridbatch::Error.
LoadResult LoadParsed(std::shared_ptr<const manifest::Manifest> manifest,
                      const std::string& db_path, LoadMode mode);

// ParseStep, then LoadParsed: on errors prints every diagnostic to stderr and
// returns kExitDataErr with the database untouched. Otherwise loads it (or, dry, only
// counts). Prints nothing on success but warnings: see LoadSummary.
// A manifest file that does not exist throws gridbatch::Error(kExitNoInput);
// database failures throw gridbatch::Error.
LoadResult LoadStep(const std::string& manifest_path, const std::string& db_path, LoadMode mode);

// "capitals: 4 new, 0 already present, 0 no longer in the manifest (4 jobs)",
// or for a dry run "capitals: 4 jobs (dry run, nothing written)".
std::string LoadSummary(const LoadResult& result, LoadMode mode);

// What `--dry-run` prints for a parsed manifest on `out`: the jobs per model
// and per source, the first request as it would be sent (never the token)
// and an estimate of the submit time at `dry.rate_per_second` and of the
// compute-hours ceiling. Writes nothing anywhere else. Returns kExitOk, or
// kExitDataErr when a prompt file changed since it was parsed.
int PrintDryRun(const manifest::Manifest& manifest, const DryRunSettings& dry, std::ostream& out);

}  // namespace gridbatch::cli
