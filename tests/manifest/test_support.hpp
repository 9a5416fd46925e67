// Helpers shared by the manifest tests: parse a string, list the messages,
// collect the jobs, and a temporary directory for prompt files.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gridbatch/job_spec.hpp"
#include "gridbatch/manifest/manifest.hpp"
#include "test_files.hpp"

namespace gridbatch::manifest::testing {

// ParseManifest(yaml, "m.yaml", base_dir).
ParseResult Parse(std::string_view yaml, const std::filesystem::path& base_dir = {});

// Each diagnostic as "file:line:column: message".
std::vector<std::string> Messages(const std::vector<Diagnostic>& diagnostics);

// The errors of parsing `yaml` (as Messages).
std::vector<std::string> ErrorsOf(std::string_view yaml,
                                  const std::filesystem::path& base_dir = {});

// Every job, as "id | prompt | model | repeat_index | name=value,...".
// Fails the test if ForEachJob reports problems.
std::vector<std::string> JobLines(const Manifest& manifest);

// The jobs of a manifest that must parse without errors.
std::vector<std::string> JobsOf(std::string_view yaml, const std::filesystem::path& base_dir = {});

std::string JobLine(const JobSpec& job);

// Each job's variables with their JSON types, "name=value:number,...", for a
// manifest that must parse without errors.
std::vector<std::string> VarTypesOf(std::string_view yaml,
                                    const std::filesystem::path& base_dir = {});

using gridbatch::testing::TempDir;

}  // namespace gridbatch::manifest::testing
