#include "manifest_validator.hpp"

#include <algorithm>

#include "prompt_file_reader.hpp"
#include "prompt_walker.hpp"
#include "stable_hash.hpp"

namespace gridbatch::manifest {
namespace {

constexpr std::size_t kHexIdDigits = 16;

std::string Where(const std::string& file, Location at) {
  return file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

// The prefix of an id shaped like a generated one ("<prefix>-<16 hex>"), or "".
std::string_view GeneratedPrefix(std::string_view id) {
  if (id.size() <= kHexIdDigits + 1 || id[id.size() - kHexIdDigits - 1] != '-') return {};
  const std::string_view digits = id.substr(id.size() - kHexIdDigits);
  const bool hex = std::all_of(digits.begin(), digits.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  return hex ? id.substr(0, id.size() - kHexIdDigits - 1) : std::string_view{};
}

std::uint64_t JobsPerPrompt(const JobSettings& settings) {
  return settings.models.size() * static_cast<std::uint64_t>(settings.repeat);
}

// Past kMaxJobs only "too many" matters: saturate there, never overflow.
std::uint64_t CappedProduct(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > kMaxJobs / a) return kMaxJobs + 1;
  return a * b;
}

std::uint64_t CappedSum(std::uint64_t a, std::uint64_t b) {
  return std::min(a + b, kMaxJobs + 1);
}

// One prompt whose id hash was seen more than once.
struct Occurrence {
  std::string id;
  bool generated;
  const std::string* file;
  Location where;
  std::uint64_t jobs;
};

}  // namespace

ManifestValidator::ManifestValidator(Manifest& manifest, DiagnosticList& errors,
                                     DiagnosticList& warnings)
    : manifest_(manifest), errors_(errors), warnings_(warnings) {
  for (const Sweep& sweep : manifest.sweeps) sweep_prefixes_.push_back(sweep.id_prefix);
  std::sort(sweep_prefixes_.begin(), sweep_prefixes_.end());
}

void ManifestValidator::Run() {
  PromptRecord record;
  record.file = &manifest_.source_name;
  for (const InlinePrompt& prompt : manifest_.prompts) {
    record.id = prompt.id;
    record.generated_id = prompt.generated_id;
    record.where = prompt.where;
    Register(record);
  }
  for (PromptFile& file : manifest_.files) ReadFile(file);
  FindRepeatedIds();
  CountJobs();
}

void ManifestValidator::ReadFile(PromptFile& file) {
  PromptFileReader reader(file);
  if (const auto why = reader.Open()) {
    errors_.Add(manifest_.source_name, file.where.line, file.where.column,
                file.label + ": cannot open " + file.display_name + ": " + *why);
    return;
  }
  const std::size_t errors_before = errors_.count();
  PromptRecord record;
  while (reader.Next(record, errors_)) {
    ++file.record_count;
    Register(record);
  }
  if (reader.failed()) {
    errors_.Add(file.display_name, 0, 0, "cannot read: input/output error");
  } else if (file.record_count == 0 && errors_.count() == errors_before) {
    warnings_.Add(manifest_.source_name, file.where.line, file.where.column,
                  file.label + ": " + file.display_name + " has no prompts");
  }
  file.content_hash = reader.content_hash();
}

void ManifestValidator::Register(const PromptRecord& record) {
  id_hashes_.push_back(HashText(record.id));
  if (record.generated_id) return;
  const std::string prefix(GeneratedPrefix(record.id));
  if (!prefix.empty() &&
      std::binary_search(sweep_prefixes_.begin(), sweep_prefixes_.end(), prefix)) {
    errors_.Add(*record.file, record.where.line, record.where.column,
                "prompt id '" + record.id + "' has the form of the ids sweep '" + prefix +
                    "' generates; choose another");
  }
}

void ManifestValidator::FindRepeatedIds() {
  std::sort(id_hashes_.begin(), id_hashes_.end());
  std::vector<std::uint64_t> repeated;
  for (std::size_t i = 1; i < id_hashes_.size(); ++i) {
    if (id_hashes_[i] == id_hashes_[i - 1] &&
        (repeated.empty() || repeated.back() != id_hashes_[i])) {
      repeated.push_back(id_hashes_[i]);
    }
  }
  std::vector<std::uint64_t>().swap(id_hashes_);
  if (repeated.empty()) return;
  std::vector<Occurrence> found;
  const auto collect = [&](const PromptRecord& r) {
    if (std::binary_search(repeated.begin(), repeated.end(), HashText(r.id))) {
      found.push_back({r.id, r.generated_id, r.file, r.where, JobsPerPrompt(*r.settings)});
    }
  };
  if (!WalkPrompts(manifest_, WalkScope::kWithoutSweeps, collect, errors_)) return;
  std::stable_sort(found.begin(), found.end(),
                   [](const Occurrence& a, const Occurrence& b) { return a.id < b.id; });
  for (auto group = found.begin(); group != found.end();) {
    const auto end =
        std::find_if(group, found.end(), [&](const auto& o) { return o.id != group->id; });
    const bool any_given = std::any_of(group, end, [](const auto& o) { return !o.generated; });
    for (auto later = group + 1; later != end; ++later) {
      const std::string first = Where(*group->file, group->where);
      if (any_given) {
        errors_.Add(*later->file, later->where.line, later->where.column,
                    "duplicate prompt id '" + later->id + "' (first at " + first + ")");
      } else {
        warnings_.Add(*later->file, later->where.line, later->where.column,
                      "same prompt as " + first + " (so the same generated id '" + later->id +
                          "'); skipped (use 'repeat' to run a prompt more than once)");
        skipped_jobs_ += later->jobs;
      }
    }
    if (!any_given && end - group > 1) manifest_.repeated_generated_ids.push_back(group->id);
    group = end;
  }
}

void ManifestValidator::CountJobs() {
  std::uint64_t total = 0;
  const auto add = [&total](std::uint64_t prompts, const JobSettings& settings) {
    total = CappedSum(total, CappedProduct(prompts, JobsPerPrompt(settings)));
  };
  for (const InlinePrompt& prompt : manifest_.prompts) add(1, prompt.settings);
  for (const Sweep& sweep : manifest_.sweeps) add(sweep.prompt_count, sweep.settings);
  for (const PromptFile& file : manifest_.files) add(file.record_count, file.settings);
  if (total > kMaxJobs) {
    errors_.Add(manifest_.source_name, 1, 1,
                "the manifest makes more than the limit of " + std::to_string(kMaxJobs) + " jobs");
    return;
  }
  manifest_.job_count = total - std::min(total, skipped_jobs_);
  if (manifest_.job_count == 0 && errors_.empty()) {
    errors_.Add(manifest_.source_name, 1, 1, "the manifest makes no jobs");
  }
}

}  // namespace gridbatch::manifest
