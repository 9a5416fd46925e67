#include "batch_lookup.hpp"

#include "gridbatch/error.hpp"

namespace gridbatch::store {
namespace {

// "a, b, c", or "none" for an empty database; at most a handful of names.
std::string KnownBatchNames(SQLite::Database& db) {
  constexpr int kMaxNames = 10;
  SQLite::Statement query(db, "SELECT name FROM batches ORDER BY name LIMIT ?");
  query.bind(1, kMaxNames + 1);
  std::string names;
  int count = 0;
  while (query.executeStep()) {
    if (++count > kMaxNames) {
      names += ", ...";
      break;
    }
    if (!names.empty()) names += ", ";
    names += query.getColumn(0).getString();
  }
  return names.empty() ? "none" : names;
}

}  // namespace

std::int64_t RequireBatchId(SQLite::Database& db, const std::string& db_path,
                            const std::string& name) {
  SQLite::Statement query(db, "SELECT id FROM batches WHERE name = ?");
  query.bind(1, name);
  if (query.executeStep()) return query.getColumn(0).getInt64();
  throw Error(kExitUsage, "database " + db_path + ": no batch named '" + name +
                              "' (batches: " + KnownBatchNames(db) + ")");
}

}  // namespace gridbatch::store
