// Walks the prompts of a Manifest in job order (the `prompts` list, then the
// sweeps, then the prompt files) without materializing them: sweeps are
// expanded by an odometer over value indices and prompt files are streamed
// again. Used by validation (second look for repeated ids) and ForEachJob.
#pragma once

#include <functional>

#include "diagnostic_list.hpp"
#include "manifest_model.hpp"

namespace gridbatch::manifest {

enum class WalkScope { kAll, kWithoutSweeps };

using PromptVisitor = std::function<void(const PromptRecord&)>;

// Calls `visit` once per prompt. The record is reused between calls. Returns
// false, with diagnostics in `errors`, when a prompt file could not be read
// as validation read it (changed or unreadable); the walk stops there.
bool WalkPrompts(const Manifest& manifest, WalkScope scope, const PromptVisitor& visit,
                 DiagnosticList& errors);

// Calls `visit` for each of the sweep's prompts: the last axis varies
// fastest. `file` names the manifest in the records.
void ExpandSweep(const Sweep& sweep, const std::string& file, const PromptVisitor& visit);

}  // namespace gridbatch::manifest
