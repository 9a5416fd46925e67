// Bad databases through the real binary: a file that is not SQLite, a
// read-only file, a read-only directory, and a full disk. Each command must
// exit with the exact code main maps the failure to (74, or 0 where reading
// is still possible), say which database and what went wrong, and leave the
// rows that were there as they were.
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <random>

#include "binary_fixture.hpp"
#include "gridbatch/error.hpp"

namespace gridbatch::reliability {
namespace {

namespace fs = std::filesystem;

const std::string kManifest =
    "name: capitals\nmodels: [gemma:2b]\nprompts:\n  - What is the capital of France?\n";

// A command of each kind, as a user would type it (run needs a token and an
// endpoint; nothing listens on port 9, and every case here fails before any
// request would be sent).
struct Command {
  std::string name;
  std::vector<std::string> args;  // before --db DB
};

std::vector<Command> EveryCommand(const std::string& manifest) {
  return {{"load", {"load", manifest}},
          {"run", {"run", "--endpoint", "http://127.0.0.1:9/remotejobs/v2", "--progress", "none"}},
          {"status", {"status"}},
          {"export", {"export", "--format", "csv"}},
          {"retry", {"retry"}},
          {"cancel", {"cancel"}}};
}

class BadDatabaseTest : public BinaryFixture {
 protected:
  ChildResult RunCommand(const Command& command, bool unprivileged = false) {
    std::vector<std::string> args = command.args;
    args.insert(args.end(), {"--db", db_path_});
    ChildOptions options;
    options.env = {{"GRIDREPUBLIC_TOKEN", "tok-not-used-4d1e"}};
    options.unprivileged = unprivileged;
    return Gridbatch(args, options);
  }

  // Moves the job database into dir_/`sub` (created with `mode`).
  void UseSubdirectory(const std::string& sub, fs::perms mode) {
    const fs::path dir = dir_ / sub;
    fs::create_directories(dir);
    fs::permissions(dir, mode);
    db_path_ = (dir / "jobs.db").string();
  }
};

TEST_F(BadDatabaseTest, AFileThatIsNotSqliteIsRefusedByEveryCommandAndLeftAsItWas) {
  std::mt19937 rng(7);
  std::string bytes(100'000, '\0');
  for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
  WriteFile(db_path_, bytes);
  const std::string manifest = Write("capitals.yaml", kManifest);
  for (const Command& command : EveryCommand(manifest)) {
    const ChildResult r = RunCommand(command);
    EXPECT_EQ(r.exit_code, kExitIoErr) << command.name << ": " << r.err;
    EXPECT_EQ(r.err, "gridbatch: database " + db_path_ + ": open: file is not a database\n")
        << command.name;
    EXPECT_EQ(r.out, "") << command.name;
    EXPECT_EQ(ReadFile(db_path_), bytes) << command.name;
  }
}

TEST_F(BadDatabaseTest, AnotherProgramsSqliteDatabaseIsNeitherMigratedNorChanged) {
  {
    SQLite::Database other(db_path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    other.exec(
        "CREATE TABLE jobs (name TEXT, cron TEXT); INSERT INTO jobs VALUES ('backup', '@daily')");
  }
  const std::uint64_t before = FileDigest(db_path_);
  const ChildResult r = Gridbatch({"load", Write("capitals.yaml", kManifest), "--db", db_path_});
  EXPECT_EQ(r.exit_code, kExitIoErr) << r.err;
  EXPECT_EQ(r.err, "gridbatch: database " + db_path_ +
                       ": not a gridbatch database (it already holds other tables); choose "
                       "another --db file\n");
  EXPECT_EQ(FileDigest(db_path_), before);  // not even switched to WAL
}

TEST_F(BadDatabaseTest, AReadOnlyFileCanBeReadButNotChanged) {
  UseSubdirectory("rofile", fs::perms::all);  // the directory stays writable
  LoadExistingRows();
  fs::permissions(db_path_, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  const DbSnapshot before = Snapshot(db_path_);
  const std::string manifest = Write("capitals.yaml", kManifest);
  const std::map<std::string, std::string> doing = {{"load", "load batch 'capitals'"},
                                                    {"run", "transaction"},
                                                    {"retry", "retry jobs"},
                                                    {"cancel", "cancel jobs"}};
  for (const Command& command : EveryCommand(manifest)) {
    const ChildResult r = RunCommand(command, /*unprivileged=*/true);
    if (command.name == "status" || command.name == "export") {
      EXPECT_EQ(r.exit_code, kExitOk) << command.name << ": " << r.err;
      if (command.name == "export") {
        EXPECT_EQ(r.err, "exported 2 rows to stdout\n");
      }
      continue;
    }
    EXPECT_EQ(r.exit_code, kExitIoErr) << command.name << ": " << r.err;
    EXPECT_EQ(r.err, "gridbatch: database " + db_path_ + ": " + doing.at(command.name) +
                         ": attempt to write a readonly database\n");
  }
  EXPECT_EQ(Snapshot(db_path_), before);
}

TEST_F(BadDatabaseTest, ADatabaseInAReadOnlyDirectoryIsRefusedWithTheReason) {
  UseSubdirectory("rodir", fs::perms::all);
  LoadExistingRows();
  const DbSnapshot before = Snapshot(db_path_);
  // The snapshot's read-only connection leaves an empty -wal and -shm behind;
  // with them there, SQLite would not need the directory.
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(db_path_ + suffix);
  fs::permissions(db_path_, fs::perms::all);
  fs::permissions(dir_ / "rodir", fs::perms::owner_all | fs::perms::group_read |
                                      fs::perms::group_exec | fs::perms::others_read |
                                      fs::perms::others_exec);
  const std::string manifest = Write("capitals.yaml", kManifest);
  for (const Command& command : EveryCommand(manifest)) {
    const ChildResult r = RunCommand(command, /*unprivileged=*/true);
    EXPECT_EQ(r.exit_code, kExitIoErr) << command.name << ": " << r.err;
    // `run` without a manifest reads the database (has it jobs?) before it
    // takes the lock, so it says the same.
    EXPECT_EQ(r.err, "gridbatch: database " + db_path_ +
                         ": open: its directory is read-only, and SQLite must create "
                         "jobs.db-wal and jobs.db-shm beside it, even to read it\n")
        << command.name;
  }
  EXPECT_EQ(Snapshot(db_path_), before);
  fs::permissions(dir_ / "rodir", fs::perms::all);
}

// A filesystem of 2 MiB, mounted for the test: the only way to make a disk
// full for real. Needs root (and a kernel that lets it mount tmpfs).
class FullDiskTest : public BinaryFixture {
 protected:
  void SetUp() override {
    BinaryFixture::SetUp();
    mount_point_ = dir_ / "small";
    fs::create_directories(mount_point_);
    if (!IsRoot()) GTEST_SKIP() << "a full disk needs a tmpfs mount, which needs root";
    if (mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, MountOptions()) != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs (" << MountOptions() << "): " << std::strerror(errno);
    }
    mounted_ = true;
    db_path_ = (mount_point_ / "jobs.db").string();
  }
  void TearDown() override {
    if (mounted_) umount2(mount_point_.c_str(), MNT_DETACH);
    BinaryFixture::TearDown();
  }

  virtual const char* MountOptions() const { return "size=2m"; }

  // Fills the small filesystem with one file until `leave` bytes are free.
  fs::path FillDiskLeaving(std::uintmax_t leave) {
    struct statvfs fs_stat {};
    EXPECT_EQ(statvfs(mount_point_.c_str(), &fs_stat), 0);
    const std::uintmax_t free_bytes = std::uintmax_t{fs_stat.f_bavail} * fs_stat.f_frsize;
    const fs::path filler = mount_point_ / "filler";
    if (free_bytes > leave) {
      std::ofstream out(filler, std::ios::binary);
      out << std::string(free_bytes - leave, 'f');
    }
    return filler;
  }

  fs::path mount_point_;
  bool mounted_ = false;
};

TEST_F(FullDiskTest, ALoadTooBigForTheDiskFailsCleanlyAndKeepsTheOldRows) {
  LoadExistingRows();
  const DbSnapshot before = Snapshot(db_path_);
  {
    std::ofstream prompts(dir_ / "many.txt", std::ios::binary);
    for (int i = 0; i < 20'000; ++i) {
      prompts << "Prompt " << i << " that takes room: " << std::string(200, 'z') << "\n";
    }
  }
  const std::string manifest =
      Write("big.yaml", "name: big\nmodels: [gemma:2b]\nprompt_files:\n  - path: many.txt\n");
  const ChildResult r = Gridbatch({"load", manifest, "--db", db_path_});
  EXPECT_EQ(r.exit_code, kExitIoErr) << r.err;
  EXPECT_EQ(r.err,
            "gridbatch: database " + db_path_ + ": load batch 'big': database or disk is full\n");
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(Snapshot(db_path_), before);
  // And the database still works: the old rows can be read and exported.
  const ChildResult status = Gridbatch({"export", "--format", "jsonl", "--db", db_path_});
  EXPECT_EQ(status.exit_code, kExitOk) << status.err;
  EXPECT_EQ(status.err, "exported 2 rows to stdout\n");
}

// Room for a WAL that grows to SQLite's checkpoint size (1,000 pages) once
// the disk has been freed again.
class FullDiskRunTest : public FullDiskTest {
 protected:
  const char* MountOptions() const override { return "size=16m"; }
};

// The disk fills while `run` writes outputs: it must stop with the reason,
// leave a sound database, and, once there is room again, a second `run`
// must finish every job with its own output.
TEST_F(FullDiskRunTest, ARunThatFillsTheDiskStopsCleanlyAndResumesOnceThereIsRoom) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05, .jitter = 0, .seed = 5});
  std::vector<std::string> prompts;
  for (int i = 0; i < 300; ++i) {
    // The simulator's output repeats the prompt, so outputs take room.
    prompts.push_back("Prompt " + std::to_string(i) + ": " + std::string(1500, 'w'));
  }
  Load("fills", prompts, {"gemma:2b"});
  const fs::path filler = FillDiskLeaving(1024 * 1024);
  const std::vector<std::string> run_args = {
      "run",        "--db", db_path_,          "--endpoint", sim_->Endpoint(), "--rate", "0",
      "--progress", "none", "--poll-interval", "0.05"};
  ChildOptions options;
  options.env = {{"GRIDREPUBLIC_TOKEN", "test-token-7f3a"}};

  const ChildResult full = Gridbatch(run_args, options);
  EXPECT_EQ(full.exit_code, kExitIoErr) << full.err;
  EXPECT_NE(full.err.find("gridbatch: database " + db_path_ + ": "), std::string::npos) << full.err;
  EXPECT_NE(full.err.find("database or disk is full"), std::string::npos) << full.err;
  EXPECT_EQ(full.err.find("test-token-7f3a"), std::string::npos);
  fs::remove(filler);
  EXPECT_EQ(Snapshot(db_path_).integrity, "ok");
  std::map<std::string, int> at_full = StateCounts();
  EXPECT_LT(at_full["completed"], 300) << "the disk never filled: nothing was tested";
  EXPECT_LT(at_full["pending"], 300) << "the disk was full before the first submit";
  std::cout << "full disk | run stopped (exit " << full.exit_code << ") with "
            << at_full["completed"] << " completed, " << at_full["submitted"] + at_full["running"]
            << " in flight, " << at_full["submitting"] << " submitting, " << at_full["pending"]
            << " pending of 300\n";

  const ChildResult resumed = Gridbatch(run_args, options);
  EXPECT_EQ(resumed.exit_code, kExitOk) << resumed.err;
  if (at_full["submitting"] > 0) {
    EXPECT_NE(resumed.err.find(std::to_string(at_full["submitting"]) +
                               " job(s) were left 'submitting' by an interrupted run"),
              std::string::npos)
        << resumed.err;
  }
  const auto rows = Rows();
  ASSERT_EQ(rows.size(), 300u);
  for (const auto& row : rows) {
    ASSERT_EQ(row.state, "completed") << row.prompt.substr(0, 12) << ": " << row.error;
    ASSERT_EQ(row.output, sim::FinalLog(row.model, row.prompt));
  }
  std::cout << "full disk | resumed once there was room: 300 completed, outputs correct\n";
}

}  // namespace
}  // namespace gridbatch::reliability
