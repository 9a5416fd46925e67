#include "manifest_parser.hpp"

#include <algorithm>

#include "gridbatch/util/time_format.hpp"
#include "manifest_keys.hpp"
#include "prompt_file_reader.hpp"

namespace gridbatch::manifest {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// Indices of `names` in the batch's models, ascending; reports the strangers.
std::optional<std::vector<std::size_t>> Narrow(const MapFields& fields,
                                               const std::vector<Located<std::string>>& names,
                                               const std::vector<std::string>& models) {
  std::vector<std::size_t> indices;
  for (const auto& name : names) {
    const auto it = std::find(models.begin(), models.end(), name.value);
    if (it == models.end()) {
      fields.Error(name.where, "model '" + name.value + "' is not one of the batch's models (" +
                                   Join(models) + ")");
      return std::nullopt;
    }
    indices.push_back(static_cast<std::size_t>(it - models.begin()));
  }
  std::sort(indices.begin(), indices.end());
  return indices;
}

}  // namespace

std::optional<std::vector<Located<std::string>>> ParseModelList(const MapFields& fields) {
  const Field* one = fields.Find("model");
  const Field* many = fields.Find("models");
  if (one && many) {
    const Field* later = one->key_at.line > many->key_at.line ? one : many;
    fields.Error(later->key_at, "use either 'model' or 'models', not both");
    return std::nullopt;
  }
  if (one) {
    auto name = fields.Text(*one, TextKind::kName);
    if (!name) return std::nullopt;
    return std::vector<Located<std::string>>{{std::move(*name), one->value_at}};
  }
  if (!many) return std::nullopt;
  auto names = fields.TextList(*many);
  if (!names) return std::nullopt;
  for (auto it = names->begin(); it != names->end(); ++it) {
    const auto first =
        std::find_if(names->begin(), it, [&](const auto& n) { return n.value == it->value; });
    if (first != it) {
      fields.Error(it->where, "duplicate model '" + it->value + "' in 'models'");
      return std::nullopt;
    }
  }
  return names;
}

std::optional<JobSettings> ParseSettings(const MapFields& fields, const BatchDefaults& batch) {
  JobSettings settings;
  bool ok = true;
  if (const Field* repeat = fields.Find("repeat")) {
    const auto value = fields.Repeat(*repeat);
    ok = value.has_value();
    settings.repeat = value.value_or(1);
  } else {
    settings.repeat = batch.repeat;
  }
  if (!fields.Find("model") && !fields.Find("models")) {
    for (std::size_t i = 0; i < batch.models->size(); ++i) settings.models.push_back(i);
    return ok ? std::optional(settings) : std::nullopt;
  }
  const auto names = ParseModelList(fields);
  if (!names || !batch.models_valid) return std::nullopt;
  auto indices = Narrow(fields, *names, *batch.models);
  if (!indices || !ok) return std::nullopt;
  settings.models = std::move(*indices);
  return settings;
}

template <typename ItemParser>
void ManifestParser::ForEachItem(const MapFields& root, std::string_view key, ItemParser parse) {
  const Field* field = root.Find(key);
  if (!field) return;
  if (!field->value.IsSequence()) {
    root.Error(field->value_at, "'" + field->key + "' must be a list");
    return;
  }
  if (field->value.size() == 0) {
    root.Error(field->value_at, "'" + field->key + "' must not be empty");
    return;
  }
  std::size_t number = 0;
  for (const auto& item : field->value) parse(item, ++number);
}

void ManifestParser::Parse(const YAML::Node& root) {
  if (!root.IsMap()) {
    reader_.Error(reader_.At(root),
                  "the manifest must be a map of keys such as 'name', 'models' and 'prompts'");
    return;
  }
  const MapFields fields(reader_, root, kManifestKeys, "");
  manifest_.batch.manifest_path = manifest_.source_name;
  ParseBatch(fields);
  ParseRun(fields);
  ParseModels(fields);
  defaults_.models = &manifest_.models;
  if (!fields.Find("prompts") && !fields.Find("sweeps") && !fields.Find("prompt_files")) {
    fields.Error(fields.where(), "no prompts: add 'prompts', 'sweeps' or 'prompt_files'");
  }
  ForEachItem(fields, "prompts",
              [this](const YAML::Node& node, std::size_t number) { ParsePrompt(node, number); });
  ForEachItem(fields, "sweeps", [this](const YAML::Node& node, std::size_t number) {
    if (auto sweep = ParseSweep(reader_, node, number, defaults_)) {
      manifest_.sweeps.push_back(std::move(*sweep));
    }
  });
  ForEachItem(fields, "prompt_files", [this](const YAML::Node& node, std::size_t number) {
    if (auto file = ParsePromptFile(reader_, node, number, defaults_, base_dir_)) {
      manifest_.files.push_back(std::move(*file));
    }
  });
  CheckIdPrefixes();
}

void ManifestParser::ParseBatch(const MapFields& root) {
  BatchSpec& batch = manifest_.batch;
  if (const Field* name = root.Require("name")) {
    batch.name = root.Text(*name, TextKind::kName).value_or("");
  }
  if (const Field* app = root.Find("app")) {
    batch.app = root.Text(*app, TextKind::kName).value_or(batch.app);
  }
  if (const Field* hours = root.Find("hours")) batch.hours = root.PositiveNumber(*hours);
  if (const Field* repeat = root.Find("repeat")) {
    defaults_.repeat = root.Repeat(*repeat).value_or(1);
  }
}

void ManifestParser::ParseRun(const MapFields& root) {
  const Field* run = root.Find("run");
  if (!run) return;
  if (!run->value.IsMap()) {
    root.Error(run->value_at, "'run' must be a map of keys such as 'rate' and 'max_attempts'");
    return;
  }
  const MapFields fields(reader_, run->value, kRunKeys, "run");
  RunSettings& settings = manifest_.run;
  const auto scalar = [](const Field& field) {
    return field.value.IsScalar() ? field.value.Scalar() : std::string();
  };
  if (const Field* rate = fields.Find("rate")) {
    settings.rate_per_second = ParseRate(scalar(*rate));
    if (!settings.rate_per_second) {
      fields.Error(rate->value_at,
                   "'rate' must be a rate such as 40/s, 300/min, or 0 for unlimited");
    }
  }
  if (const Field* burst = fields.Find("burst")) settings.burst = fields.PositiveNumber(*burst);
  if (const Field* attempts = fields.Find("max_attempts")) {
    settings.max_attempts = fields.Repeat(*attempts);
  }
  if (const Field* interval = fields.Find("poll_interval")) {
    settings.poll_interval = ParseDuration(scalar(*interval));
    if (!settings.poll_interval || *settings.poll_interval <= 0) {
      fields.Error(
          interval->value_at,
          "'poll_interval' must be a duration longer than 0, such as 0.2, 500ms, 5s or 2m");
    }
  }
  if (const Field* max = fields.Find("poll_max")) {
    settings.poll_max = ParseDuration(scalar(*max));
    if (!settings.poll_max || *settings.poll_max <= 0) {
      fields.Error(max->value_at,
                   "'poll_max' must be a duration longer than 0, such as 30s, 1m or 5m");
    }
  }
  if (const Field* poll = fields.Find("poll")) {
    const std::string mode = scalar(*poll);
    if (mode == "fixed" || mode == "adaptive") {
      settings.poll_fixed = mode == "fixed";
    } else {
      fields.Error(poll->value_at, "'poll' must be 'adaptive' or 'fixed'");
    }
  }
  if (const Field* hours = fields.Find("hours")) {
    if (root.Find("hours")) {
      fields.Error(hours->key_at, "'hours' is given at the top level already; give it once");
    } else {
      manifest_.batch.hours = fields.PositiveNumber(*hours);
    }
  }
}

void ManifestParser::ParseModels(const MapFields& root) {
  if (!root.Find("model") && !root.Find("models")) {
    root.Error(root.where(), "missing 'models' (or 'model')");
    return;
  }
  const auto names = ParseModelList(root);
  if (!names) return;
  for (const auto& name : *names) manifest_.models.push_back(name.value);
  defaults_.models_valid = true;
}

void ManifestParser::ParsePrompt(const YAML::Node& node, std::size_t number) {
  const std::string label = "prompt " + std::to_string(number);
  const Location at = reader_.At(node);
  InlinePrompt prompt;
  prompt.where = at;
  if (node.IsScalar() || node.IsNull()) {
    const std::string text = node.IsNull() ? "" : node.Scalar();
    if (const auto problem = TextProblem(text, TextKind::kPrompt)) {
      reader_.Error(at, label + " " + *problem);
      return;
    }
    prompt.text = text;
    prompt.settings.repeat = defaults_.repeat;
    for (std::size_t i = 0; i < manifest_.models.size(); ++i) prompt.settings.models.push_back(i);
  } else if (node.IsMap()) {
    const YAML::Node id = node["id"];
    const bool named = id && id.IsScalar() && !id.Scalar().empty();
    const MapFields fields(reader_, node, kPromptKeys,
                           named ? "prompt '" + id.Scalar() + "'" : label);
    const Field* id_field = fields.Find("id");
    const Field* text_field = fields.Require("prompt");
    const auto id_text = id_field ? fields.Text(*id_field, TextKind::kName) : std::nullopt;
    const auto text = text_field ? fields.Text(*text_field, TextKind::kPrompt) : std::nullopt;
    auto settings = ParseSettings(fields, defaults_);
    if ((id_field && !id_text) || !text || !settings) return;
    prompt.text = *text;
    prompt.settings = std::move(*settings);
    if (id_text) {
      prompt.id = *id_text;
      prompt.where = id_field->value_at;
    }
  } else {
    reader_.Error(
        at, label + " must be a string, or a map with 'prompt' (and 'id', 'models', 'repeat')");
    return;
  }
  prompt.generated_id = prompt.id.empty();
  if (prompt.generated_id) {
    PromptRecord record;
    record.text = prompt.text;
    prompt.id = GeneratedId(kInlineIdPrefix, HashPrompt(record));
  }
  manifest_.prompts.push_back(std::move(prompt));
}

void ManifestParser::CheckIdPrefixes() {
  const auto& sweeps = manifest_.sweeps;
  for (auto sweep = sweeps.begin(); sweep != sweeps.end(); ++sweep) {
    const std::string& prefix = sweep->id_prefix;
    const auto same = [&](const Sweep& other) { return other.id_prefix == prefix; };
    const auto first = std::find_if(sweeps.begin(), sweep, same);
    const auto file = std::find_if(manifest_.files.begin(), manifest_.files.end(),
                                   [&](const PromptFile& f) { return f.id_prefix == prefix; });
    std::string problem;
    if (first != sweep && sweep->id_given) {
      problem = "duplicate sweep id '" + prefix + "' (first at line " +
                std::to_string(first->where.line) + ")";
    } else if (first != sweep) {
      problem = "same template as " + first->label + "; give one of them an 'id'";
    } else if (prefix == kInlineIdPrefix) {
      problem = "id '" + prefix + "' is reserved for the ids of 'prompts' entries without one";
    } else if (file != manifest_.files.end()) {
      problem =
          "id '" + prefix + "' is also the id prefix of " + file->label + " (set its 'id_prefix')";
    }
    if (!problem.empty()) reader_.Error(sweep->where, sweep->label + ": " + problem);
  }
}

}  // namespace gridbatch::manifest
