// A fixture for tests that drive the built `gridbatch` binary: a temp dir
// with a job database that already holds a few rows (so "intact" means
// something), files written into that dir, and the binary run fenced by
// RunChild (1 GiB address space by default).
#pragma once

#include <string>
#include <vector>

#include "child_process.hpp"
#include "db_snapshot.hpp"
#include "run_test_support.hpp"

#ifndef GRIDBATCH_BINARY
#error "GRIDBATCH_BINARY must name the gridbatch executable"
#endif

namespace gridbatch::reliability {

// What `iconv -t UTF-16` writes for ASCII text: a byte order mark, then two
// bytes per character (little-endian here).
inline std::string Utf16(const std::string& ascii, bool byte_order_mark) {
  std::string out = byte_order_mark ? std::string("\xFF\xFE") : std::string();
  for (const char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

// The first bytes of a PNG image, given where text was expected.
inline std::string PngStart() {
  static const char kBytes[] =
      "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0\x5c\x72\xa8\x66\n";
  return std::string(kBytes, sizeof kBytes - 1);
}

class BinaryFixture : public run::testing::RunFixture {
 protected:
  ChildResult Gridbatch(std::vector<std::string> args, ChildOptions options = {}) {
    options.args = std::move(args);
    return RunChild(GRIDBATCH_BINARY, options, dir_);
  }

  std::string PathOf(const std::string& name) const { return (dir_ / name).string(); }

  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = PathOf(name);
    WriteFile(path, bytes);
    return path;
  }

  // Two rows that every failed command must leave as they are.
  void LoadExistingRows() { Load("existing", {"old prompt one", "old prompt two"}, {"gemma:2b"}); }
};

// For inputs that `load` must refuse before it opens the database.
class RefusedLoadTest : public BinaryFixture {
 protected:
  void SetUp() override {
    BinaryFixture::SetUp();
    LoadExistingRows();
    db_bytes_ = FileDigest(db_path_);
  }

  // Loads `manifest`; expects exit 65, exactly `err` on stderr, nothing on
  // stdout and the database file unchanged to the byte.
  void ExpectRefused(const std::string& manifest, const std::string& err) {
    const ChildResult r = Gridbatch({"load", manifest, "--db", db_path_});
    EXPECT_EQ(r.exit_code, 65) << r.err.substr(0, 2000);
    EXPECT_EQ(r.err, err);
    EXPECT_EQ(r.out, "");
    ExpectDatabaseUntouched();
  }

  void ExpectDatabaseUntouched() {
    EXPECT_EQ(FileDigest(db_path_), db_bytes_);
    const DbSnapshot after = Snapshot(db_path_);
    EXPECT_EQ(after.integrity, "ok");
    EXPECT_EQ(after.jobs, 2);
  }

  static std::string Summary(int errors) {
    return "gridbatch: " + std::to_string(errors) + " error(s); nothing was loaded\n";
  }

  std::uint64_t db_bytes_ = 0;
};

}  // namespace gridbatch::reliability
