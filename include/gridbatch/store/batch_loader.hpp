// Loading a batch into the job store: one transaction per load, jobs streamed
// in one at a time (memory does not grow with their number). A job's identity
// is its content key (batch, prompt id, prompt, model, repeat index), so
// loading the same manifest again adds nothing and an edited manifest adds
// only its new jobs; jobs no longer listed are counted and left alone.
#pragma once

#include <cstdint>
#include <memory>

#include "gridbatch/clock.hpp"
#include "gridbatch/job_spec.hpp"
#include "gridbatch/store/job_store.hpp"

namespace gridbatch::store {

struct LoadCounts {
  std::uint64_t added = 0;             // jobs new to the database
  std::uint64_t already_present = 0;   // listed jobs the database had already
  std::uint64_t no_longer_listed = 0;  // jobs of the batch this load did not list
  std::uint64_t listed = 0;            // distinct jobs this load listed
};

struct LoadOptions {
  // How a load finds the batch's jobs it did not list.
  //  kLoadSerial: bump batches.load_serial and write it into every listed
  //    row (a re-load rewrites every row of the batch).
  //  kTempTable: collect the listed keys in a temporary table (a re-load
  //    writes nothing to the jobs table).
  // Default: kTempTable, the cheaper for a 1,000,000-job re-load (see
  // docs/BENCHMARKS.md, "Load").
  enum class SeenTracking { kLoadSerial, kTempTable };
  SeenTracking seen_tracking = SeenTracking::kTempTable;
  // SQLite page cache while loading, in KiB; kTempTable adds a quarter of
  // it for the temporary table. Default: 48 MiB, enough to keep the
  // content-key index of a million jobs in memory and the whole process
  // under 100 MB (docs/BENCHMARKS.md, "Load").
  int cache_kib = 48 * 1024;
};

// One load of one batch. The constructor opens the write transaction
// (BEGIN IMMEDIATE) and creates or updates the batches row; Add() inserts a
// job; Commit() makes it all durable at once. Destroying a loader that was
// not committed rolls back everything it did, and so does a crash: no load
// is ever half-applied. Borrows `store`, which must outlive it; nothing else
// may write through `store` meanwhile.
// Database failures throw gridbatch::Error naming the file.
class BatchLoader {
 public:
  BatchLoader(JobStore& store, const BatchSpec& batch, const Clock& clock = SystemClock::Instance(),
              LoadOptions options = {});
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  void Add(const JobSpec& job);
  // Ends the load; the loader may not be used afterwards.
  LoadCounts Commit();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridbatch::store
