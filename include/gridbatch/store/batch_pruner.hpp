// Deleting the jobs of a batch that its manifest no longer lists (`gridbatch
// prune`). The manifest's jobs are streamed in, as for a load; what the batch
// has beyond them is counted, and deleted only when the caller allows it:
// jobs that already have results (an output, or completed) need an explicit
// yes. One write transaction; nothing is deleted unless Commit() is called.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "gridbatch/job_spec.hpp"
#include "gridbatch/store/job_store.hpp"

namespace gridbatch::store {

struct PruneCounts {
  std::uint64_t unlisted = 0;      // jobs of the batch the manifest no longer lists
  std::uint64_t with_results = 0;  // of those, jobs with an output or completed
  std::uint64_t deleted = 0;       // set by Commit
};

// Borrows `store`, which must outlive it; nothing else may write through it
// meanwhile. An unknown batch throws gridbatch::Error(kExitUsage) naming the
// known ones; database failures throw gridbatch::Error naming the file.
class BatchPruner {
 public:
  BatchPruner(JobStore& store, const std::string& batch);
  ~BatchPruner();  // rolls back unless committed
  BatchPruner(const BatchPruner&) = delete;
  BatchPruner& operator=(const BatchPruner&) = delete;

  // A job the manifest lists (of this batch: others are ignored).
  void Keep(const JobSpec& job);
  // What Commit would delete.
  PruneCounts Count();
  // Deletes the unlisted jobs (and their state rows) and commits.
  PruneCounts Commit();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridbatch::store
