// The module's entry points: from text to a validated Manifest, and from a
// Manifest to its jobs.
#include "gridbatch/manifest.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include "diagnostic_list.hpp"
#include "gridbatch/utf8.hpp"
#include "manifest_model.hpp"
#include "manifest_parser.hpp"
#include "manifest_validator.hpp"
#include "prompt_walker.hpp"
#include "text_position.hpp"

namespace gridbatch::manifest {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// yaml-cpp would misplace or reject invalid UTF-8; report every bad sequence.
bool CheckUtf8(std::string_view text, const std::string& file, DiagnosticList& errors) {
  const LineIndex lines(text);
  bool ok = true;
  std::size_t from = 0;
  while (from < text.size()) {
    const auto bad = FindInvalidUtf8(text.substr(from));
    if (!bad) break;
    const TextPosition at = lines.At(from + *bad);
    errors.Add(file, at.line, at.column, "invalid UTF-8");
    ok = false;
    from += *bad + 1;
    // One report per line is enough: the rest of a broken line says nothing new.
    while (from < text.size() && text[from - 1] != '\n') ++from;
  }
  return ok;
}

std::optional<YAML::Node> LoadYaml(const std::string& text, YamlReader& reader,
                                   const LineIndex& lines) {
  try {
    std::vector<YAML::Node> documents = YAML::LoadAll(text);
    if (documents.empty()) {
      reader.Error({1, 1}, "the manifest is empty");
      return std::nullopt;
    }
    if (documents.size() > 1) {
      reader.Error(reader.At(documents[1]),
                   "expected one YAML document, found " + std::to_string(documents.size()));
      return std::nullopt;
    }
    return documents.front();
  } catch (const YAML::Exception& e) {
    const TextPosition at =
        e.mark.pos >= 0 ? lines.At(static_cast<std::size_t>(e.mark.pos)) : TextPosition{1, 1};
    reader.Error({at.line, at.column}, "YAML syntax error: " + e.msg);
    return std::nullopt;
  }
}

void ParseInto(Manifest& manifest, std::string_view text, const std::filesystem::path& base_dir,
               DiagnosticList& errors, DiagnosticList& warnings) {
  if (text.starts_with(kByteOrderMark)) text.remove_prefix(kByteOrderMark.size());
  if (!CheckUtf8(text, manifest.source_name, errors)) return;
  const std::string owned(text);
  const LineIndex lines(owned);
  YamlReader reader(manifest.source_name, owned, lines, errors);
  const auto root = LoadYaml(owned, reader, lines);
  if (!root) return;
  try {
    ManifestParser(manifest, reader, base_dir).Parse(*root);
  } catch (const YAML::Exception& e) {
    // Only a yaml-cpp bug gets here: the parser checks every node's type.
    reader.Error({1, 1}, std::string("cannot read the YAML: ") + e.what());
    return;
  }
  ManifestValidator(manifest, errors, warnings).Run();
}

}  // namespace

ParseResult ParseManifest(std::string_view text, const std::string& source_name,
                          const std::filesystem::path& base_dir) {
  auto manifest = std::make_shared<Manifest>();
  manifest->source_name = source_name;
  DiagnosticList errors("errors");
  DiagnosticList warnings("warnings");
  ParseInto(*manifest, text, base_dir, errors, warnings);
  ParseResult result;
  result.errors = errors.Finish(source_name);
  result.warnings = warnings.Finish(source_name);
  if (result.errors.empty()) result.manifest = std::move(manifest);
  return result;
}

ParseResult LoadManifestFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  const bool directory = std::filesystem::is_directory(path, ec);
  if (!in || directory) {
    ParseResult result;
    result.errors.push_back(
        {path.string(), 0, 0,
         std::string("cannot open: ") + (directory ? "is a directory" : std::strerror(errno))});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return {nullptr, {{path.string(), 0, 0, "cannot read: input/output error"}}, {}};
  }
  return ParseManifest(text.str(), path.string(), path.parent_path());
}

const BatchSpec& Batch(const Manifest& manifest) {
  return manifest.batch;
}

std::uint64_t CountJobs(const Manifest& manifest) {
  return manifest.job_count;
}

std::vector<Diagnostic> ForEachJob(const Manifest& manifest,
                                   const std::function<void(const JobSpec&)>& sink) {
  const auto& repeated = manifest.repeated_generated_ids;
  std::unordered_set<std::string> emitted;  // of the repeated ids only
  JobSpec job;
  const auto visit = [&](const PromptRecord& record) {
    const bool skip = record.generated_id &&
                      std::binary_search(repeated.begin(), repeated.end(), record.id) &&
                      !emitted.insert(record.id).second;
    if (skip) return;
    job.prompt_id = record.id;
    job.prompt = record.text;
    job.vars = record.vars;
    for (const std::size_t model : record.settings->models) {
      job.model = manifest.models[model];
      for (int r = 0; r < record.settings->repeat; ++r) {
        job.repeat_index = r;
        sink(job);
      }
    }
  };
  DiagnosticList errors("errors");
  WalkPrompts(manifest, WalkScope::kAll, visit, errors);
  return errors.Finish(manifest.source_name);
}

}  // namespace gridbatch::manifest
