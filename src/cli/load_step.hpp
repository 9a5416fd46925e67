// Validating and loading a manifest, shared by `load` and `run MANIFEST`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "gridbatch/batch_loader.hpp"
#include "gridbatch/manifest.hpp"

namespace gridbatch::cli {

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

}  // namespace gridbatch::cli
