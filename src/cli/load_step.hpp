// Validating and loading a manifest, shared by `load` and `run MANIFEST`.
#pragma once

#include <ostream>
#include <string>

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

// Validates MANIFEST; on errors prints every diagnostic to stderr and returns
// kExitDataErr with the database untouched. Otherwise loads it and prints
// one summary line to `out`; or, dry, writes nothing and prints the jobs per
// model and per source, the first request as it would be sent (never the
// token) and an estimate of the submit time at `dry.rate_per_second` and of
// the compute-hours ceiling. Returns kExitOk. Database failures throw
// gridbatch::Error.
int LoadStep(const std::string& manifest_path, const std::string& db_path, LoadMode mode,
             std::ostream& out, const DryRunSettings& dry = {});

}  // namespace gridbatch::cli
