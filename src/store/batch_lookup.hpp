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

}  // namespace gridbatch::store
