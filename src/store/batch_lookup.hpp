// Private to the store module: resolving a batch name given on the command
// line, with an error that lists the batches that do exist.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdint>
#include <string>

namespace gridbatch::store {

// The id of batch `name`. Throws gridbatch::Error(kExitUsage) naming the
// database file and the known batches when there is none.
std::int64_t RequireBatchId(SQLite::Database& db, const std::string& db_path,
                            const std::string& name);

// Checks that some job of batch `batch_id` (-1: of any batch) has model
// `model`. Throws gridbatch::Error(kExitUsage) naming the database file and
// the known models when none has.
void RequireModel(SQLite::Database& db, const std::string& db_path, const std::string& model,
                  std::int64_t batch_id);

}  // namespace gridbatch::store
