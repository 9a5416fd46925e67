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

struct JobSpec {
  std::string prompt_id;  // given by the manifest, or generated and stable
  std::string prompt;     // rendered: template variables substituted
  std::string model;
  int repeat_index = 0;  // 0 .. repeat-1
  // Sweep variables in the order the manifest declares them; empty if none.
  std::vector<std::pair<std::string, std::string>> vars;
};

}  // namespace gridbatch
