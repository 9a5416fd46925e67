#include "db_snapshot.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "child_process.hpp"

namespace gridbatch::reliability {
namespace {

constexpr std::uint64_t kFnvOffset = 1469598103934665603ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;

void Mix(std::uint64_t& hash, const std::string& bytes) {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= kFnvPrime;
  }
  // A separator, so that ("ab", "c") and ("a", "bc") differ.
  hash ^= 0xff;
  hash *= kFnvPrime;
}

std::int64_t DigestTable(SQLite::Database& db, const std::string& table, std::uint64_t& hash) {
  SQLite::Statement rows(db, "SELECT * FROM " + table + " ORDER BY id");
  std::int64_t count = 0;
  while (rows.executeStep()) {
    ++count;
    for (int i = 0; i < rows.getColumnCount(); ++i) {
      const SQLite::Column column = rows.getColumn(i);
      Mix(hash, column.isNull() ? std::string("\x01NULL") : column.getString());
    }
  }
  return count;
}

}  // namespace

std::ostream& operator<<(std::ostream& out, const DbSnapshot& s) {
  return out << "{integrity " << s.integrity << ", " << s.batches << " batches, " << s.jobs
             << " jobs, digest " << std::hex << s.digest << std::dec << "}";
}

DbSnapshot Snapshot(const std::filesystem::path& db_path) {
  SQLite::Database db(db_path.string(), SQLite::OPEN_READONLY);
  DbSnapshot snapshot;
  snapshot.integrity = db.execAndGet("PRAGMA integrity_check").getString();
  snapshot.digest = kFnvOffset;
  snapshot.batches = DigestTable(db, "batches", snapshot.digest);
  snapshot.jobs = DigestTable(db, "jobs", snapshot.digest);
  return snapshot;
}

std::uint64_t FileDigest(const std::filesystem::path& path) {
  std::uint64_t hash = kFnvOffset;
  Mix(hash, ReadFile(path));
  return hash;
}

}  // namespace gridbatch::reliability
