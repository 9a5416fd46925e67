// What one job is, as the manifest expands it and the store loads it: the
// neutral type between the manifest module (YAML) and the store (SQLite).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gridbatch {

struct BatchSpec {
  std::string name;
  std::string app = "gridrepublic:text-inference";
  std::optional<double> hours;  // runtime limit per job; nullopt: not sent
  std::string manifest_path;    // for display only
};

// The JSON type a sweep variable is stored and exported with.
enum class VarType { kString, kNumber, kBoolean };

// One sweep variable of a job.
struct SweepVar {
  std::string name;
  // The value as text: what a template substitutes and a generated prompt id
  // hashes. For kNumber it is a JSON number (`107`, `0.7`, `1e3`); for
  // kBoolean one of true, True, TRUE, false, False, FALSE.
  std::string value;
  VarType type = VarType::kString;
};

struct JobSpec {
  std::string prompt_id;  // given by the manifest, or generated and stable
  std::string prompt;     // rendered: template variables substituted
  std::string model;
  int repeat_index = 0;  // 0 .. repeat-1
  // Sweep variables in the order the manifest declares them; empty if none.
  std::vector<SweepVar> vars;
};

}  // namespace gridbatch
