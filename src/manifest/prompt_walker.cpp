#include "prompt_walker.hpp"

#include "prompt_file_reader.hpp"

namespace gridbatch::manifest {
namespace {

void WalkInline(const Manifest& manifest, const PromptVisitor& visit) {
  PromptRecord record;
  record.file = &manifest.source_name;
  for (const InlinePrompt& prompt : manifest.prompts) {
    record.id = prompt.id;
    record.generated_id = prompt.generated_id;
    record.text = prompt.text;
    record.settings = &prompt.settings;
    record.where = prompt.where;
    visit(record);
  }
}

// Reads `file` again; it must yield what validation saw.
bool WalkFile(const PromptFile& file, const PromptVisitor& visit, DiagnosticList& errors) {
  PromptFileReader reader(file);
  if (const auto why = reader.Open()) {
    errors.Add(file.display_name, 0, 0, "cannot open: " + *why);
    return false;
  }
  const std::size_t errors_before = errors.count();
  PromptRecord record;
  std::uint64_t count = 0;
  while (reader.Next(record, errors)) {
    ++count;
    visit(record);
  }
  if (reader.failed()) {
    errors.Add(file.display_name, 0, 0, "cannot read: input/output error");
    return false;
  }
  if (errors.count() != errors_before || count != file.record_count ||
      reader.content_hash() != file.content_hash) {
    errors.Add(file.display_name, 0, 0, "changed since the manifest was validated; load it again");
    return false;
  }
  return true;
}

}  // namespace

bool WalkPrompts(const Manifest& manifest, WalkScope scope, const PromptVisitor& visit,
                 DiagnosticList& errors) {
  WalkInline(manifest, visit);
  if (scope == WalkScope::kAll) {
    for (const Sweep& sweep : manifest.sweeps) ExpandSweep(sweep, manifest.source_name, visit);
  }
  for (const PromptFile& file : manifest.files) {
    if (!WalkFile(file, visit, errors)) return false;
  }
  return true;
}

}  // namespace gridbatch::manifest
