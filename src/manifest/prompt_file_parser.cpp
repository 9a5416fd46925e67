// The `prompt_files` entries: where each file is, its format, its template
// and id prefix. The files themselves are read by the validator.
#include <system_error>

#include "manifest_keys.hpp"
#include "manifest_parser.hpp"

namespace gridbatch::manifest {
namespace {

PromptFileFormat FormatFromExtension(const std::filesystem::path& path) {
  const std::string extension = path.extension().string();
  return extension == ".jsonl" || extension == ".ndjson" ? PromptFileFormat::kJsonl
                                                         : PromptFileFormat::kLines;
}

bool ReadFormat(const MapFields& fields, PromptFile& file) {
  const Field* format = fields.Find("format");
  if (!format) {
    file.format = FormatFromExtension(file.open_path);
    return true;
  }
  const auto text = fields.Text(*format, TextKind::kName);
  if (text == "lines" || text == "jsonl") {
    file.format = *text == "lines" ? PromptFileFormat::kLines : PromptFileFormat::kJsonl;
    return true;
  }
  if (text) fields.Error(format->value_at, "'format' must be 'lines' or 'jsonl'");
  return false;
}

bool ReadTemplate(const MapFields& fields, PromptFile& file) {
  const Field* tmpl = fields.Find("template");
  if (!tmpl) return true;
  const auto text = fields.Text(*tmpl, TextKind::kPrompt);
  if (!text) return false;
  std::string error;
  file.prompt_template = PromptTemplate::Parse(*text, error);
  if (!file.prompt_template) {
    fields.Error(tmpl->value_at, "in 'template', " + error);
    return false;
  }
  if (file.format == PromptFileFormat::kJsonl) return true;
  // A line is only a prompt: {prompt} is all a template of a lines file can use.
  for (const std::string& name : file.prompt_template->names()) {
    if (name != "prompt") {
      fields.Error(tmpl->value_at,
                   "'template' uses {" + name + "}, but a 'lines' file provides only {prompt}");
      return false;
    }
  }
  if (!file.prompt_template->Uses("prompt")) {
    fields.Error(tmpl->value_at,
                 "'template' must use {prompt}, or every line makes the same prompt");
    return false;
  }
  return true;
}

bool ReadPath(const MapFields& fields, const std::filesystem::path& base_dir, PromptFile& file) {
  const Field* path = fields.Require("path");
  const auto text = path ? fields.Text(*path, TextKind::kName) : std::nullopt;
  if (!text) return false;
  const std::filesystem::path given(*text);
  const std::filesystem::path shown = given.is_absolute() ? given : base_dir / given;
  file.display_name = shown.lexically_normal().string();
  std::error_code ec;
  file.open_path = std::filesystem::absolute(shown, ec).lexically_normal();
  if (ec) file.open_path = shown;
  file.where = path->value_at;
  file.id_prefix = given.stem().string();
  return true;
}

}  // namespace

std::optional<PromptFile> ParsePromptFile(YamlReader& reader, const YAML::Node& node,
                                          std::size_t number, const BatchDefaults& batch,
                                          const std::filesystem::path& base_dir) {
  std::string label = "prompt file " + std::to_string(number);
  if (!node.IsMap()) {
    reader.Error(reader.At(node), label + " must be a map with 'path'");
    return std::nullopt;
  }
  const YAML::Node path = node["path"];
  if (path && path.IsScalar() && !path.Scalar().empty()) {
    label = "prompt file '" + path.Scalar() + "'";
  }
  const MapFields fields(reader, node, kPromptFileKeys, label);
  PromptFile file;
  file.label = label;
  bool ok = ReadPath(fields, base_dir, file);
  ok = ReadFormat(fields, file) && ok;
  ok = ReadTemplate(fields, file) && ok;
  if (const Field* prefix = fields.Find("id_prefix")) {
    const auto text = fields.Text(*prefix, TextKind::kName);
    ok = text.has_value() && ok;
    file.id_prefix = text.value_or("");
  }
  if (file.id_prefix.empty()) file.id_prefix = "f";
  auto settings = ParseSettings(fields, batch);
  if (!ok || !settings) return std::nullopt;
  file.settings = std::move(*settings);
  return file;
}

}  // namespace gridbatch::manifest
