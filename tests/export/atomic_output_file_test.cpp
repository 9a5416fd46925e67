#include "atomic_output_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "gridbatch/error.hpp"
#include "test_db.hpp"

namespace gridbatch::exporter {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

std::vector<std::string> Listing(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(AtomicOutputFileTest, WritesToAHiddenTemporaryFileBesideTheTarget) {
  TempDir dir;
  AtomicOutputFile file(dir / "out.csv");
  EXPECT_EQ(file.temp_path(), dir / (".out.csv.tmp-" + std::to_string(::getpid())));
  EXPECT_EQ(Listing(dir.path()), std::vector<std::string>{file.temp_path().filename().string()});
}

TEST(AtomicOutputFileTest, CommitReplacesTheTargetAndLeavesNoTemporaryFile) {
  TempDir dir;
  WriteFile(dir / "out.csv", "old");
  {
    AtomicOutputFile file(dir / "out.csv");
    file.stream() << "new content\r\n";
    EXPECT_EQ(ReadFile(dir / "out.csv"), "old");
    file.Commit();
  }
  EXPECT_EQ(ReadFile(dir / "out.csv"), "new content\r\n");
  EXPECT_EQ(Listing(dir.path()), std::vector<std::string>{"out.csv"});
}

TEST(AtomicOutputFileTest, AnUncommittedFileLeavesTheTargetUntouchedAndIsRemoved) {
  TempDir dir;
  WriteFile(dir / "out.csv", "old");
  {
    AtomicOutputFile file(dir / "out.csv");
    file.stream() << "half an export";
  }
  EXPECT_EQ(ReadFile(dir / "out.csv"), "old");
  EXPECT_EQ(Listing(dir.path()), std::vector<std::string>{"out.csv"});
}

TEST(AtomicOutputFileTest, AnUncommittedFileCreatesNoTarget) {
  TempDir dir;
  { AtomicOutputFile file(dir / "out.csv"); }
  EXPECT_EQ(Listing(dir.path()), std::vector<std::string>{});
}

TEST(AtomicOutputFileTest, ReportsAMissingDirectoryAsCannotCreate) {
  TempDir dir;
  const std::filesystem::path target = dir / "missing" / "out.csv";
  try {
    AtomicOutputFile file(target);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitCantCreate);
    EXPECT_EQ(std::string(e.what()),
              "cannot create " + target.string() + ": No such file or directory");
  }
}

TEST(AtomicOutputFileTest, RefusesADirectoryAsTheTarget) {
  TempDir dir;
  std::filesystem::create_directory(dir / "sub");
  try {
    AtomicOutputFile file(dir / "sub");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitCantCreate);
    EXPECT_EQ(std::string(e.what()),
              "cannot create " + (dir / "sub").string() + ": is a directory");
  }
  EXPECT_EQ(Listing(dir.path()), std::vector<std::string>{"sub"});
}

}  // namespace
}  // namespace gridbatch::exporter
