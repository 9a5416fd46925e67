// The module's entry points: from text to a validated Manifest, and from a
// Manifest to its jobs.
#include "gridbatch/manifest/manifest.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "diagnostic_list.hpp"
#include "gridbatch/util/utf8.hpp"
#include "manifest_model.hpp"
#include "manifest_parser.hpp"
#include "manifest_validator.hpp"
#include "prompt_walker.hpp"
#include "text_position.hpp"
#include "yaml_error_hint.hpp"

namespace gridbatch::manifest {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// yaml-cpp holds the whole document, at many times its size: prompt lists
// that long belong in prompt files, which are streamed.
constexpr std::size_t kMaxManifestBytes = std::size_t{16} << 20;
// yaml-cpp spends about 800 bytes on each value it holds (a 2 MB manifest of
// a million one-letter prompts took 790 MB), so the bytes alone do not bound
// its memory: the values are counted before it builds any.
constexpr std::size_t kMaxYamlValues = 500'000;

// yaml-cpp would misplace or reject invalid UTF-8; report every bad sequence.
// UTF-16 is YAML that yaml-cpp decodes, but every position in a message
// (counted in bytes of the raw text) would be wrong: refuse it by name.
bool CheckUtf8(std::string_view text, const std::string& file, DiagnosticList& errors) {
  if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF")) {
    errors.Add(
        file, 1, 1,
        "the manifest is UTF-16 (it starts with a UTF-16 byte order mark); it must be UTF-8");
    return false;
  }
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
  // Valid UTF-8, but YAML text has no NUL: most likely UTF-16 without a mark.
  if (const std::size_t nul = text.find('\0'); ok && nul != std::string_view::npos) {
    const TextPosition at = lines.At(nul);
    errors.Add(file, at.line, at.column, "the manifest contains a NUL byte: it must be UTF-8 text");
    return false;
  }
  return ok;
}

// The documents of a YAML stream: where each one's root node starts, read
// from parser events without building nodes. yaml-cpp 0.7's LoadAll never
// returns on a document that starts with a stray ',' (yaml-cpp issue #1040):
// its parser hands out the same empty document again and again without
// moving on, so a document that starts where the one before it did stops
// the scan, and `stuck_at` says where.
class DocumentScan final : public YAML::EventHandler {
 public:
  explicit DocumentScan(const std::string& text) : text_(text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    while (!stuck_at && parser.HandleNextDocument(*this)) {
    }
  }

  std::vector<std::size_t> roots;  // byte offsets, one per document
  std::optional<std::size_t> stuck_at;
  std::optional<std::size_t> too_many_at;  // of the first value past kMaxYamlValues
  // Of the first quoted scalar with no closing quote: yaml-cpp 0.7 ends one
  // at the end of the text without complaint when a line break comes before
  // it, so a manifest cut inside a quoted prompt would load as valid.
  std::optional<std::size_t> unterminated_at;

 private:
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (started_ && *started_ == mark.pos) stuck_at = Offset(mark);
    started_ = mark.pos;
    roots.push_back(Offset(mark));
    at_root_ = true;
  }
  void Node(const YAML::Mark& mark) {
    if (at_root_) roots.back() = Offset(mark);
    at_root_ = false;
    if (++values_ == kMaxYamlValues + 1) too_many_at = Offset(mark);
  }
  static std::size_t Offset(const YAML::Mark& mark) {
    return mark.pos < 0 ? 0 : static_cast<std::size_t>(mark.pos);
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { Node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    Node(mark);
    if (!unterminated_at && !IsClosedQuote(Offset(mark))) unterminated_at = Offset(mark);
  }
  // Whether a scalar starting at `at` is plain, or quoted and closed.
  bool IsClosedQuote(std::size_t at) const {
    if (at >= text_.size()) return true;
    const char quote = text_[at];
    if (quote != '"' && quote != '\'') return true;
    for (std::size_t i = at + 1; i < text_.size(); ++i) {
      if (quote == '"' && text_[i] == '\\') {
        ++i;  // an escape: the next character cannot close
      } else if (text_[i] == quote) {
        if (quote == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'') {
          ++i;  // '' is a quote inside a single-quoted scalar
          continue;
        }
        return true;
      }
    }
    return false;
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Node(mark);
  }
  void OnMapEnd() override {}

  const std::string& text_;
  std::optional<int> started_;
  bool at_root_ = false;
  std::size_t values_ = 0;
};

std::optional<YAML::Node> LoadYaml(const std::string& text, YamlReader& reader,
                                   const LineIndex& lines) {
  const auto error_at = [&](std::size_t offset, const std::string& message) {
    const TextPosition at = lines.At(offset);
    reader.Error({at.line, at.column}, message);
  };
  try {
    // Scanned first, so YAML::Load only ever sees a single, finite document.
    const DocumentScan scan(text);
    if (scan.stuck_at) {
      const char c = *scan.stuck_at < text.size() ? text[*scan.stuck_at] : '\0';
      error_at(*scan.stuck_at, c > ' ' && c < 0x7f
                                   ? "YAML syntax error: unexpected '" + std::string(1, c) + "'"
                                   : std::string("YAML syntax error"));
      return std::nullopt;
    }
    if (scan.too_many_at) {
      error_at(*scan.too_many_at, "more than " + std::to_string(kMaxYamlValues) +
                                      " YAML values (lists, maps and scalars); long prompt "
                                      "lists belong in prompt_files, which are streamed");
      return std::nullopt;
    }
    if (scan.unterminated_at) {
      const char quote = text[*scan.unterminated_at];
      error_at(*scan.unterminated_at, std::string("YAML syntax error: ") +
                                          (quote == '"' ? "double" : "single") +
                                          "-quoted string has no closing " + quote +
                                          " before the end of the file (is the file cut short?)");
      return std::nullopt;
    }
    if (scan.roots.empty()) {
      reader.Error({1, 1}, "the manifest is empty");
      return std::nullopt;
    }
    if (scan.roots.size() > 1) {
      error_at(scan.roots[1],
               "expected one YAML document, found " + std::to_string(scan.roots.size()));
      return std::nullopt;
    }
    return YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's guard against overflowing the stack; its own message is "bad file".
    const TextPosition at =
        e.mark.pos >= 0 ? lines.At(static_cast<std::size_t>(e.mark.pos)) : TextPosition{1, 1};
    reader.Error({at.line, at.column},
                 "lists and maps nested too deeply (yaml-cpp reads at most about 500 levels)");
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    const std::size_t offset = e.mark.pos >= 0 ? static_cast<std::size_t>(e.mark.pos) : 0;
    if (const auto cause = FindYamlErrorCause(text, offset)) {
      error_at(cause->offset, "YAML syntax error: " + cause->message);
    } else {
      error_at(offset, "YAML syntax error: " + e.msg);
    }
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
  // Read at most one byte past the limit: a huge file (or /dev/zero) must not
  // fill memory before it is refused.
  std::string text;
  std::array<char, std::size_t{64} * 1024> piece;
  while (in && text.size() <= kMaxManifestBytes) {
    in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
    text.append(piece.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) {
    return {nullptr, {{path.string(), 0, 0, "cannot read: input/output error"}}, {}};
  }
  if (text.size() > kMaxManifestBytes) {
    return {nullptr,
            {{path.string(), 0, 0,
              "larger than 16 MiB, the limit for a manifest (long prompt lists belong in "
              "prompt_files, which are streamed)"}},
            {}};
  }
  return ParseManifest(text, path.string(), path.parent_path());
}

const BatchSpec& Batch(const Manifest& manifest) {
  return manifest.batch;
}

const RunSettings& RunSettingsOf(const Manifest& manifest) {
  return manifest.run;
}

const std::vector<std::string>& Models(const Manifest& manifest) {
  return manifest.models;
}

std::uint64_t CountJobs(const Manifest& manifest) {
  return manifest.job_count;
}

std::vector<Diagnostic> ForEachJobWithSource(
    const Manifest& manifest,
    const std::function<void(const JobSpec&, std::string_view source)>& sink) {
  // A record's settings are its sweep's or prompt file's own: they tell the
  // source apart without the walker knowing about sources.
  std::unordered_map<const JobSettings*, std::string_view> sources;
  for (const Sweep& sweep : manifest.sweeps) sources.emplace(&sweep.settings, sweep.label);
  for (const PromptFile& file : manifest.files) sources.emplace(&file.settings, file.label);
  const auto& repeated = manifest.repeated_generated_ids;
  std::unordered_set<std::string> emitted;  // of the repeated ids only
  JobSpec job;
  const auto visit = [&](const PromptRecord& record) {
    const bool skip = record.generated_id &&
                      std::binary_search(repeated.begin(), repeated.end(), record.id) &&
                      !emitted.insert(record.id).second;
    if (skip) return;
    auto source = sources.find(record.settings);
    const std::string_view from = source != sources.end() ? source->second : "prompts";
    job.prompt_id = record.id;
    job.prompt = record.text;
    job.vars = record.vars;
    for (const std::size_t model : record.settings->models) {
      job.model = manifest.models[model];
      for (int r = 0; r < record.settings->repeat; ++r) {
        job.repeat_index = r;
        sink(job, from);
      }
    }
  };
  DiagnosticList errors("errors");
  WalkPrompts(manifest, WalkScope::kAll, visit, errors);
  return errors.Finish(manifest.source_name);
}

std::vector<Diagnostic> ForEachJob(const Manifest& manifest,
                                   const std::function<void(const JobSpec&)>& sink) {
  return ForEachJobWithSource(manifest,
                              [&sink](const JobSpec& job, std::string_view) { sink(job); });
}

}  // namespace gridbatch::manifest
