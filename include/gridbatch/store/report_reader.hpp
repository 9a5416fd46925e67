// The store side of `gridbatch report`: everything the HTML report shows,
// read from one consistent snapshot of the database. The aggregates (counts,
// progress over time, distributions, failures, attempts) come from SQL
// passes in which SQLite computes each job's group, tallied as the rows
// stream past; they come back as a few small vectors whatever the number of
// jobs. The results table is streamed one prompt at a time, sampled evenly
// to a bounded number of rows. Nothing held grows with the batch.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gridbatch/store/status_report.hpp"

namespace gridbatch::store {

class JobStore;

struct ReportOptions {
  // Only this batch. Default: every batch.
  std::optional<std::string> batch{};
  // Rows of the results table (one per prompt and repeat), chosen evenly
  // across the batch when it has more. Default: 2000.
  std::size_t max_rows = 2000;
  // Characters of each output kept in the table. Default: 2000.
  std::size_t max_output_chars = 2000;
  // Points of the progress chart. Default: 60.
  int time_buckets = 60;
  // Bars of each histogram. Default: 24.
  int histogram_bins = 24;
  // Failure reasons listed; the rest are summed as one. Default: 12.
  int max_failure_reasons = 12;
};

struct ReportModelCounts {
  std::string model;
  StateCounts counts;
};

struct ReportBatchCounts {
  std::string name;
  std::vector<ReportModelCounts> models;  // by model name
  StateCounts counts;                     // the sum over models
};

struct ReportSummary {
  std::vector<ReportBatchCounts> batches;  // by name; batches without jobs included
  StateCounts totals;
  std::string snapshot_at;   // when the snapshot was read, ISO-8601 UTC
  std::string first_submit;  // earliest submitted_at; empty if none
  std::string last_finish;   // latest finished_at; empty if none
  // From the first submit to the last finish, or to the snapshot while jobs
  // are not final. 0 before any submit.
  double wall_seconds = 0;
  std::uint64_t submits = 0;          // the sum of attempts: POSTs sent (or about to be)
  std::uint64_t retried_submits = 0;  // submits after a job's first
  // Jobs whose last recorded error says a run was interrupted during their
  // submit and sent it again (--on-uncertain resubmit): the service may run
  // them twice. A lower bound: a retry after a lost reply can duplicate too,
  // and later errors overwrite the record (see docs/RELIABILITY.md).
  std::uint64_t suspected_duplicates = 0;
  std::uint64_t uncertain = 0;  // jobs in `submitting` now (status's "uncertain")
};

// Submitted and finished jobs per model, cumulative, at the end of each of
// `buckets` equal slices of time from the first submit.
struct ReportProgress {
  std::string start;          // ISO-8601 UTC of the first submit; empty: nothing submitted
  double bucket_seconds = 0;  // length of one slice
  struct Series {
    std::string model;
    std::vector<std::uint64_t> submitted;  // one entry per slice
    std::vector<std::uint64_t> finished;
  };
  std::vector<Series> models;  // by model name
};

// One quantity's distribution per model over shared, equal-width bins up
// to the largest p99 of the models. The last bin also holds everything
// above, so one far outlier does not squash the chart.
struct ReportDistribution {
  double low = 0;        // the left edge of the first bin
  double bin_width = 0;  // 0 when there are no values
  double high = 0;       // the right edge of the last bin
  // Whole-number values (runtime, output length): bins of a whole width,
  // bin i holding [low + i * width, low + (i + 1) * width), `high` excluded,
  // and only as many bins as the range needs. Otherwise (turnaround) the
  // options' number of bins, `high` included in the last.
  bool integral = false;
  bool last_bin_open = false;  // some values lie beyond the last bin's range
  struct Model {
    std::string model;
    std::uint64_t count = 0;
    double min = 0, max = 0;
    // Nearest-rank percentiles, read from the fine bins SQLite groups the
    // values into (1 % wide): within 1 % of the exact value, and exact when
    // the values in that fine bin are equal.
    double p50 = 0, p90 = 0, p99 = 0;
    std::vector<std::uint64_t> bins;
  };
  std::vector<Model> models;  // by model name; models without values left out
};

struct ReportFailure {
  std::string reason;  // the last error, at most 200 characters; empty: the other reasons
  std::string model;
  std::uint64_t jobs = 0;
};

struct ReportAttempts {
  std::int64_t attempts = 0;  // capped at 20: "20" means 20 or more
  std::string model;
  std::uint64_t jobs = 0;
};

struct ReportData {
  ReportSummary summary;
  std::vector<std::string> models;          // every model of the selected jobs, by name
  std::vector<std::string> variable_names;  // of the sweep variables, sorted by byte value
  ReportProgress progress;
  ReportDistribution runtime;            // seconds, as the service reports them; completed jobs
  ReportDistribution turnaround;         // seconds from submit to final; completed and failed jobs
  ReportDistribution output_length;      // characters; completed jobs with an output
  std::vector<ReportFailure> failures;   // most frequent reason first
  std::vector<ReportAttempts> attempts;  // by attempts, then model
};

// One job in a results row.
struct ReportCell {
  std::string model;
  std::string state;
  std::optional<std::string> output;  // at most max_output_chars characters
  std::int64_t output_chars = 0;      // the whole output's length
  std::optional<std::int64_t> runtime;
  std::optional<std::string> error;
  std::int64_t attempts = 0;
};

// One prompt and repeat, with its jobs across the models (by model name; a
// model can appear twice when a prompt id was loaded with another text).
struct ReportResultRow {
  std::int64_t index = 0;  // 1-based position among all rows of the selection
  std::int64_t total = 0;  // all rows of the selection
  std::string batch;
  std::string prompt_id;
  std::int64_t repeat = 0;
  std::string prompt;
  std::optional<std::string> vars;  // the sweep variables' JSON object text
  std::vector<ReportCell> cells;
};

// Construction starts a read transaction that lasts until the reader is
// destroyed, so the aggregates and the rows describe one instant while a
// `run` writes (WAL). Borrows `store`, which must outlive the reader. An
// unknown options.batch throws gridbatch::Error(kExitUsage) naming the
// batches that exist; database failures throw gridbatch::Error.
class ReportReader {
 public:
  ReportReader(JobStore& store, ReportOptions options);
  ~ReportReader();
  ReportReader(const ReportReader&) = delete;
  ReportReader& operator=(const ReportReader&) = delete;

  ReportData ReadAggregates();

  // Calls `on_row` for each sampled row, in the order the prompts were
  // loaded; returns how many rows there were.
  std::int64_t ForEachResultRow(const std::function<void(const ReportResultRow&)>& on_row);

 private:
  JobStore& store_;
  ReportOptions options_;
  std::int64_t batch_id_ = -1;  // -1: every batch
};

}  // namespace gridbatch::store
