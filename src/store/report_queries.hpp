// Private to the store module: the report's aggregate queries, shared by
// report_reader.cpp (the reader, counts, failures, results rows) and
// report_series.cpp (progress over time and distributions). Each takes the
// selected batch's id, -1 for every batch, and runs inside the reader's
// read transaction.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdint>

#include "gridbatch/report_reader.hpp"

namespace gridbatch::store::report {

// Every query binds the batch id as ?1; -1 (no such id) stands for "all".
inline constexpr const char* kStateBatch = "(?1 < 0 OR s.batch_id = ?1)";

ReportProgress ReadProgress(SQLite::Database& db, std::int64_t batch_id, int buckets,
                            bool all_final);

enum class Quantity { kRuntime, kTurnaround, kOutputLength };
ReportDistribution ReadDistribution(SQLite::Database& db, std::int64_t batch_id, Quantity quantity,
                                    int bins);

}  // namespace gridbatch::store::report
