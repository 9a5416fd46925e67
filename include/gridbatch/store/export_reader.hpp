// The store side of `gridbatch export`: reads the jobs a user asked for, one
// row at a time, from one consistent snapshot of the database, so an export
// taken while a `run` is writing sees every job as of one instant and never
// holds more than one row in memory.
//
// ExportRow is a view: its strings point into SQLite's buffers and are valid
// only during the callback that receives them. The export module turns rows
// into CSV or JSONL without knowing where they came from.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridbatch/clock.hpp"
#include "gridbatch/export_row.hpp"
#include "gridbatch/job_state.hpp"

namespace gridbatch::store {

class JobStore;

// Which jobs to export. Within one field the values are alternatives (OR);
// the fields combine with AND. An empty field does not filter. (The `{}`s
// let designated initializers leave fields out without a warning.)
struct ExportFilter {
  std::vector<std::string> batches{};  // batch names
  std::vector<std::string> models{};
  std::vector<JobState> states{};
  // Only rows whose updated_at is at or after this time. Compared at
  // millisecond precision, the precision of the stored timestamps.
  std::optional<Seconds> since{};
};

using gridbatch::ExportRow;
using gridbatch::WideRow;

// Reads one snapshot of the jobs table. Construction starts a read
// transaction that lasts until the reader is destroyed: every query in
// between sees the same data, while a writer on another connection carries on
// (WAL). Borrows `store`, which must outlive the reader; one reader per store
// at a time. A filter's batch or model that no job has throws
// gridbatch::Error(kExitUsage) naming the known ones; database failures throw
// gridbatch::Error (kExitIoErr, or kExitTempFail when the database is locked).
class ExportReader {
 public:
  ExportReader(JobStore& store, ExportFilter filter);
  ~ExportReader();
  ExportReader(const ExportReader&) = delete;
  ExportReader& operator=(const ExportReader&) = delete;

  // The names of the sweep variables of the matching jobs, sorted by byte
  // value, without duplicates.
  std::vector<std::string> VariableNames();

  // Calls `on_row` for each matching job, in the order the jobs were loaded,
  // and returns how many there were. An exception from `on_row` stops the
  // reading and propagates.
  std::int64_t ForEachRow(const std::function<void(const ExportRow&)>& on_row);

  // The models of the matching jobs, in the order they were first loaded.
  std::vector<std::string> Models();

  // Calls `on_row` for each (batch, prompt id, repeat) among the matching
  // jobs: batches in the order they were created, then prompt ids by byte
  // value, then repeats. Streams through an index: memory holds one group,
  // whatever the number of jobs. Returns the number of groups. An exception
  // from `on_row` stops the reading and propagates.
  std::int64_t ForEachWideRow(const std::function<void(const WideRow&)>& on_row);

 private:
  JobStore& store_;
  ExportFilter filter_;
};

}  // namespace gridbatch::store
