#include "batch_lookup.hpp"

#include "gridbatch/error.hpp"

namespace gridbatch::store {
namespace {

// At most this many names in a message.
constexpr int kMaxNames = 10;

// "a, b, c", or "none"; at most a handful of the names `query` selects.
std::string KnownNames(SQLite::Statement& query) {
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

std::string KnownBatchNames(SQLite::Database& db) {
  SQLite::Statement query(db, "SELECT name FROM batches ORDER BY name LIMIT ?");
  query.bind(1, kMaxNames + 1);
  return KnownNames(query);
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

void RequireModel(SQLite::Database& db, const std::string& db_path, const std::string& model,
                  std::int64_t batch_id) {
  SQLite::Statement query(
      db, "SELECT 1 FROM job_state WHERE model = ?1 AND (?2 < 0 OR batch_id = ?2) LIMIT 1");
  query.bind(1, model);
  query.bind(2, batch_id);
  if (query.executeStep()) return;
  SQLite::Statement names(db,
                          "SELECT DISTINCT model FROM job_state WHERE ?1 < 0 OR batch_id = ?1"
                          " ORDER BY model LIMIT ?2");
  names.bind(1, batch_id);
  names.bind(2, kMaxNames + 1);
  throw Error(kExitUsage, "database " + db_path + ": no job has model '" + model +
                              "' (models: " + KnownNames(names) + ")");
}

}  // namespace gridbatch::store
