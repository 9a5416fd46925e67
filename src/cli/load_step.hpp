// Validating and loading a manifest, shared by `load` and `run MANIFEST`.
#pragma once

#include <ostream>
#include <string>

namespace gridbatch::cli {

enum class LoadMode {
  kWrite,   // validate, then load in one transaction
  kDryRun,  // validate and count; the database is not opened or created
};

// Validates MANIFEST; on errors prints every diagnostic to stderr and returns
// kExitDataErr with the database untouched. Otherwise loads it (or, dry, only
// counts) and prints one summary line to `out`. Returns kExitOk.
// Database failures throw gridbatch::Error.
int LoadStep(const std::string& manifest_path, const std::string& db_path, LoadMode mode,
             std::ostream& out);

}  // namespace gridbatch::cli
