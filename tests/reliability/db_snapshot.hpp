// What "the database is intact" means in these tests: SQLite's own
// integrity check passes, and every row of every gridbatch table reads back
// exactly as before (a digest of all columns), so a failed command can be
// shown to have changed nothing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>

namespace gridbatch::reliability {

struct DbSnapshot {
  std::string integrity;  // PRAGMA integrity_check: "ok" when sound
  std::int64_t batches = 0;
  std::int64_t jobs = 0;
  std::uint64_t digest = 0;  // of every column of every row, in id order
  bool operator==(const DbSnapshot&) const = default;
};

std::ostream& operator<<(std::ostream& out, const DbSnapshot& s);

// Reads `db_path` through a read-only connection.
DbSnapshot Snapshot(const std::filesystem::path& db_path);

// FNV-1a of a file's bytes: for files no command may even rewrite.
std::uint64_t FileDigest(const std::filesystem::path& path);

}  // namespace gridbatch::reliability
