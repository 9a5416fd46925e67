// The validated manifest, as the parser builds it and the job walker reads
// it: the batch's models, and three kinds of prompt sources (prompts listed
// in the YAML, sweeps expanded on demand, prompt files streamed on demand).
// Nothing here grows with the number of jobs. Private to the module.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gridbatch/job_spec.hpp"
#include "gridbatch/manifest/manifest.hpp"
#include "prompt_template.hpp"

namespace gridbatch::manifest {

// A position in the file its owner names (the manifest, or a prompt file).
struct Location {
  int line = 0;
  int column = 0;
};

// Which of the batch's models a prompt runs on, and how many times.
struct JobSettings {
  std::vector<std::size_t> models;  // indices into Manifest::models, ascending
  int repeat = 1;
};

// A prompt written in the manifest's `prompts` list.
struct InlinePrompt {
  std::string id;
  bool generated_id = false;
  std::string text;
  JobSettings settings;
  Location where;  // of the id when given, else of the entry
};

// One axis of a sweep's product: a `vars` variable, or a `zip` group whose
// variables take their i-th values together.
struct SweepAxis {
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> values;  // values[k] are names[k]'s values
  std::vector<std::vector<VarType>> types;       // types[k][i]: the JSON type of values[k][i]
  std::size_t size() const { return values.front().size(); }
};

struct Sweep {
  std::string label;      // "sweep 'cap'" or "sweep 2", for messages
  std::string id_prefix;  // the given id, or "s" + 8 hex digits of the template's hash
  bool id_given = false;
  PromptTemplate prompt_template;
  std::vector<SweepAxis> axes;  // `vars` in declaration order, then `zip` groups
  JobSettings settings;
  Location where;
  std::uint64_t prompt_count = 0;  // the product of the axis sizes
};

enum class PromptFileFormat { kLines, kJsonl };

struct PromptFile {
  std::string label;                // "prompt file 'data.txt'", for messages
  std::filesystem::path open_path;  // absolute, so a later chdir does not matter
  std::string display_name;         // how diagnostics name the file
  PromptFileFormat format = PromptFileFormat::kLines;
  std::optional<PromptTemplate> prompt_template;
  std::string id_prefix;
  JobSettings settings;
  Location where;                  // of the entry's `path` in the manifest
  std::uint64_t record_count = 0;  // prompts validation found
  std::uint64_t content_hash = 0;  // of what validation read
};

class Manifest {
 public:
  std::string source_name;  // the manifest's name in diagnostics
  BatchSpec batch;
  RunSettings run;
  std::vector<std::string> models;
  std::vector<InlinePrompt> prompts;
  std::vector<Sweep> sweeps;
  std::vector<PromptFile> files;
  // Generated ids that several prompts produced (the same text twice): only
  // the first such prompt makes jobs. Sorted.
  std::vector<std::string> repeated_generated_ids;
  std::uint64_t job_count = 0;
};

// One prompt before it is multiplied by models and repeats.
struct PromptRecord {
  std::string id;
  bool generated_id = false;
  std::string text;
  std::vector<SweepVar> vars;
  const JobSettings* settings = nullptr;
  const std::string* file = nullptr;  // the file `where` is in
  Location where;
};

// The most jobs a manifest may make: beyond this a typo (a sweep axis too
// many) is more likely than intent, and counts stay far from overflow.
inline constexpr std::uint64_t kMaxJobs = 1'000'000'000'000;

// The longest prompt (after its template) a job may have: far beyond any
// model's context, and a bound on what `load` and `run` hold per prompt.
inline constexpr std::size_t kMaxPromptBytes = std::size_t{1} << 20;

// "is 2000000 bytes, more than the limit of 1 MiB", after what is too long.
inline std::string PromptTooLong(std::size_t bytes) {
  return "is " + std::to_string(bytes) + " bytes, more than the limit of 1 MiB";
}

// The id prefix of prompts without an id in the `prompts` list.
inline constexpr std::string_view kInlineIdPrefix = "p";

// "<prefix>-<16 hex digits>".
std::string GeneratedId(std::string_view prefix, std::uint64_t hash);

}  // namespace gridbatch::manifest
