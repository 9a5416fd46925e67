// The checks that need the whole manifest, after the YAML is parsed: reads
// every prompt file once (validating each line and counting its prompts),
// finds prompt ids used more than once, and counts the jobs.
//
// Repeated ids are found in two looks, so memory stays at 8 bytes per
// prompt however long the ids are: first a 64-bit hash of every id (from
// `prompts` and the prompt files; sweep ids are unique by construction),
// sorted; then, only if some hash repeats, a second walk that collects the
// few prompts whose id hash repeats and compares the ids themselves.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "diagnostic_list.hpp"
#include "manifest_model.hpp"

namespace gridbatch::manifest {

class ManifestValidator {
 public:
  // Borrows all three. `manifest` gets its files' counts, its repeated ids
  // and its job count.
  ManifestValidator(Manifest& manifest, DiagnosticList& errors, DiagnosticList& warnings);

  void Run();

 private:
  void ReadFile(PromptFile& file);
  void Register(const PromptRecord& record);
  void FindRepeatedIds();
  void CountJobs();

  Manifest& manifest_;
  DiagnosticList& errors_;
  DiagnosticList& warnings_;
  std::vector<std::string> sweep_prefixes_;  // sorted
  std::vector<std::uint64_t> id_hashes_;
  std::uint64_t skipped_jobs_ = 0;
};

}  // namespace gridbatch::manifest
