// Builds the Manifest from the YAML tree: batch settings, models, and the
// three kinds of prompt sources, reporting every problem it finds and going
// on after each. Prompt files are only named and configured here; the
// validator reads them. A source with problems is left out of the Manifest
// (whose result is then discarded, since errors are not empty).
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "manifest_model.hpp"
#include "yaml_reader.hpp"

namespace gridbatch::manifest {

// What a prompt source's settings are checked against.
struct BatchDefaults {
  const std::vector<std::string>* models = nullptr;
  bool models_valid = false;  // narrowing is checked only against valid models
  int repeat = 1;
};

// `model: x` or `models: [x, y]` (exactly one of the two, no duplicates);
// nullopt when neither is given or it is invalid (which is reported).
std::optional<std::vector<Located<std::string>>> ParseModelList(const MapFields& fields);

// A source's `model`/`models` (a subset of the batch's) and `repeat`;
// nullopt when invalid (which is reported).
std::optional<JobSettings> ParseSettings(const MapFields& fields, const BatchDefaults& batch);

// One entry of `sweeps` (sweep_parser.cpp) and of `prompt_files`
// (prompt_file_parser.cpp); `number` counts from 1. Nullopt when invalid.
std::optional<Sweep> ParseSweep(YamlReader& reader, const YAML::Node& node, std::size_t number,
                                const BatchDefaults& batch);
std::optional<PromptFile> ParsePromptFile(YamlReader& reader, const YAML::Node& node,
                                          std::size_t number, const BatchDefaults& batch,
                                          const std::filesystem::path& base_dir);

class ManifestParser {
 public:
  // Borrows `manifest` and `reader`; relative prompt file paths are
  // resolved against `base_dir`.
  ManifestParser(Manifest& manifest, YamlReader& reader, std::filesystem::path base_dir)
      : manifest_(manifest), reader_(reader), base_dir_(std::move(base_dir)) {}

  void Parse(const YAML::Node& root);

 private:
  void ParseBatch(const MapFields& root);
  void ParseModels(const MapFields& root);
  void ParseRun(const MapFields& root);
  // Calls `parse(item, number)` for each item of the list under `key`.
  template <typename ItemParser>
  void ForEachItem(const MapFields& root, std::string_view key, ItemParser parse);
  void ParsePrompt(const YAML::Node& node, std::size_t number);
  // Sweep ids prefix generated ids: they must differ from one another, from
  // kInlineIdPrefix and from the prompt files' id prefixes.
  void CheckIdPrefixes();

  Manifest& manifest_;
  YamlReader& reader_;
  std::filesystem::path base_dir_;
  BatchDefaults defaults_;
};

}  // namespace gridbatch::manifest
