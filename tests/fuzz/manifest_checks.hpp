// Properties every ParseManifest result must have, whatever the input:
// shared by the manifest and prompt-file fuzz targets.
#pragma once

#include "gridbatch/manifest/manifest.hpp"

namespace gridbatch::fuzz {

// Checks the result's shape (a manifest exactly when there are no errors,
// positions counted from 1) and, for a manifest of a few thousand jobs at
// most, that ForEachJob yields CountJobs jobs without diagnostics, each with
// an id, a model and valid UTF-8 text.
void CheckParseResult(const manifest::ParseResult& result);

}  // namespace gridbatch::fuzz
