// The export module turns job rows (gridbatch/export_row.hpp) into CSV or
// JSONL on a std::ostream. It knows nothing of how the rows were produced;
// `gridbatch export` (src/cli/export_command.cpp) wires the store's reader to
// a writer and to the output file. The format is documented in
// docs/EXPORT.md and schemas/export.schema.json. The namespace is
// `exporter` because `export` is a C++ keyword.
#pragma once

#include <algorithm>
#include <string_view>

#include "gridbatch/export_row.hpp"

namespace gridbatch::exporter {

// The exported fields, in the order both formats write them; the sweep
// variables follow (JSONL: one `vars` object; CSV: one `var.NAME` column each).
inline constexpr std::string_view kExportFields[] = {
    "batch",          "prompt_id", "model",        "prompt",      "state",
    "output",         "runtime",   "remote_id",    "attempts",    "error",
    "previous_error", "created",   "submitted_at", "finished_at", "repeat"};

// Writes records to a stream, buffered: nothing may be assumed written until
// Finish() returns. Write() and Finish() throw gridbatch::Error (kExitIoErr)
// when the stream fails, naming the destination.
class RecordWriter {
 public:
  virtual ~RecordWriter() = default;
  virtual void Write(const ExportRow& row) = 0;
  // Writes whatever is buffered and flushes the stream.
  virtual void Finish() = 0;
};

// `export --wide`: the fields of a prompt and repeat, then (after the sweep
// variables) these for each model, in the order the models were loaded.
inline constexpr std::string_view kWideFields[] = {"batch", "prompt_id", "repeat", "prompt"};
inline constexpr std::string_view kWideModelFields[] = {"state", "output", "runtime", "error"};

// As RecordWriter, for one prompt and repeat across its models a record.
class WideRecordWriter {
 public:
  virtual ~WideRecordWriter() = default;
  virtual void Write(const WideRow& row) = 0;
  virtual void Finish() = 0;
};

// The job of `model` in `row`, or nullptr when the prompt has none on it.
inline const WideRow::Job* FindJob(const WideRow& row, std::string_view model) {
  const auto found = std::find_if(row.jobs.begin(), row.jobs.end(),
                                  [&](const WideRow::Job& job) { return job.model == model; });
  return found == row.jobs.end() ? nullptr : &*found;
}

}  // namespace gridbatch::exporter
