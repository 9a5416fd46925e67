// The manifest: YAML text -> a validated batch whose jobs are expanded lazily
// (templates x variables x models x repeats, and prompt files streamed line
// by line), so memory does not grow with the number of jobs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridbatch/job_spec.hpp"

namespace gridbatch::manifest {

// One problem found in the user's input. Lines and columns count from 1.
struct Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
  // "file:line:column: message" (or "file: message" when line is 0).
  std::string ToString() const;
};

class Manifest;  // opaque: the parsed, validated manifest

// The manifest's `run:` section: settings for `gridbatch run MANIFEST`, which
// its command-line flags override. Unset: the flag's default. (`run: hours`
// is the batch's `hours`, given in either place.)
struct RunSettings {
  std::optional<double> rate_per_second;  // 0: unlimited
  std::optional<double> burst;
  std::optional<int> max_attempts;
  std::optional<double> poll_interval;  // seconds
  std::optional<double> poll_max;       // seconds
  std::optional<bool> poll_fixed;       // `poll: fixed` (true) or `poll: adaptive`
};

struct ParseResult {
  std::shared_ptr<const Manifest> manifest;  // null when errors is not empty
  std::vector<Diagnostic> errors;            // every problem found, in file order
  // Problems that do not stop the load (e.g. a prompt repeated without an id,
  // which is skipped), in file order; may be non-empty on success.
  std::vector<Diagnostic> warnings;
};

// Parses and validates `text`. `source_name` names it in diagnostics;
// prompt files named by the manifest are resolved against `base_dir`, and are
// read once here to validate them (UTF-8, JSONL syntax, duplicate ids).
ParseResult ParseManifest(std::string_view text, const std::string& source_name,
                          const std::filesystem::path& base_dir);

// Reads the file and calls ParseManifest; an unreadable file is a Diagnostic,
// and so is one larger than 16 MiB (it is not read past that).
ParseResult LoadManifestFile(const std::filesystem::path& path);

// The batch-level settings (name, app, hours, manifest path).
const BatchSpec& Batch(const Manifest& manifest);

// The `run:` section's settings (all unset when there is none).
const RunSettings& RunSettingsOf(const Manifest& manifest);

// Every model the manifest names, in the order it declares them.
const std::vector<std::string>& Models(const Manifest& manifest);

// The number of jobs ForEachJob will produce.
std::uint64_t CountJobs(const Manifest& manifest);

// Calls `sink` once per job, in a stable order, streaming prompt files again.
// Returns the diagnostics found if a prompt file changed or became unreadable
// since validation (then the caller must discard what it received).
std::vector<Diagnostic> ForEachJob(const Manifest& manifest,
                                   const std::function<void(const JobSpec&)>& sink);

// As ForEachJob, also telling where each job comes from: "prompts" (the
// manifest's list), or the label of its sweep or prompt file ("sweep 'cap'",
// "prompt file 'data.txt'"). The view is valid while `manifest` lives.
std::vector<Diagnostic> ForEachJobWithSource(
    const Manifest& manifest,
    const std::function<void(const JobSpec&, std::string_view source)>& sink);

}  // namespace gridbatch::manifest
