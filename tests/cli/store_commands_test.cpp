// `load`, `status`, `retry` and `cancel`, run as the built binary.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "gridbatch/manifest.hpp"
#include "test_files.hpp"

extern char** environ;

namespace gridbatch::cli {
namespace {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

using gridbatch::testing::ReadFile;

class StoreCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "gridbatch-cli-XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
    db_ = (dir_ / "jobs.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

  // Runs gridbatch with `args`; stdout and stderr go through files.
  Outcome Run(std::vector<std::string> args) {
    args.insert(args.begin(), GRIDBATCH_BIN);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const std::string out_path = (dir_ / "stdout").string();
    const std::string err_path = (dir_ / "stderr").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    pid_t pid = 0;
    Outcome outcome;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0) {
      int status = 0;
      waitpid(pid, &status, 0);
      outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    posix_spawn_file_actions_destroy(&actions);
    outcome.out = ReadFile(out_path);
    outcome.err = ReadFile(err_path);
    return outcome;
  }

  std::string Capitals(const std::string& prompts) {
    return Write("capitals.yaml",
                 "name: capitals\nmodels: [gemma:2b, llama3:8b]\nprompts:\n" + prompts);
  }

  fs::path dir_;
  std::string db_;
};

constexpr const char* kTwoPrompts =
    "  - id: fr\n    prompt: \"What is the capital of France?\"\n"
    "  - id: pe\n    prompt: \"What is the capital of Peru?\"\n";

TEST_F(StoreCommandsTest, LoadPrintsItsCountsAndReloadingAddsNothing) {
  const auto manifest = Capitals(kTwoPrompts);
  Outcome first = Run({"load", manifest, "--db", db_});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out,
            "capitals: 4 new, 0 already present, 0 no longer in the manifest (4 jobs)\n");
  Outcome again = Run({"load", manifest, "--db", db_});
  EXPECT_EQ(again.out,
            "capitals: 0 new, 4 already present, 0 no longer in the manifest (4 jobs)\n");
}

TEST_F(StoreCommandsTest, LoadingAnEditedManifestAddsOnlyTheNewJobs) {
  Run({"load", Capitals(kTwoPrompts), "--db", db_});
  const auto edited = Capitals(
      "  - id: pe\n    prompt: \"What is the capital of Peru?\"\n"
      "  - id: jp\n    prompt: \"What is the capital of Japan?\"\n");
  Outcome outcome = Run({"load", edited, "--db", db_});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out,
            "capitals: 2 new, 2 already present, 2 no longer in the manifest (4 jobs)\n");
}

TEST_F(StoreCommandsTest, AnInvalidManifestPrintsEveryDiagnosticExits65AndCreatesNoDatabase) {
  const auto manifest = Write("bad.yaml",
                              "name: capitals\nmodles: [gemma:2b]\nprompts:\n  - id: 7\n"
                              "    promt: \"x\"\n");
  const auto expected = manifest::LoadManifestFile(manifest).errors;
  ASSERT_GE(expected.size(), 2u);
  std::string expected_err;
  for (const auto& diagnostic : expected) expected_err += diagnostic.ToString() + "\n";
  expected_err +=
      "gridbatch: " + std::to_string(expected.size()) + " error(s); nothing was loaded\n";
  Outcome outcome = Run({"load", manifest, "--db", db_});
  EXPECT_EQ(outcome.exit_code, 65);
  EXPECT_EQ(outcome.err, expected_err);
  EXPECT_EQ(outcome.out, "");
  EXPECT_FALSE(fs::exists(db_));
}

// Jobs from all three sources, with hours, for the dry runs below.
constexpr const char* kMixedManifest =
    "name: mixed\nmodels: [gemma:2b, llama3:8b]\nhours: 0.5\n"
    "prompts:\n  - \"What is the capital of \\\"France\\\"?\"\n"
    "sweeps:\n  - id: cap\n    template: \"Capital of {country}?\"\n"
    "    vars:\n      country: [Peru, Japan]\n    model: gemma:2b\n"
    "prompt_files:\n  - path: lines.txt\n";

constexpr const char* kMixedDryRun =
    "mixed: 10 jobs (dry run, nothing written)\n"
    "  jobs per model:\n    gemma:2b: 6\n    llama3:8b: 4\n"
    "  jobs per source:\n    prompts: 2\n    sweep 'cap': 2\n    prompt file 'lines.txt': 6\n"
    "  first request:\n    POST http://127.0.0.1:9/remotejobs/v2/jobs\n"
    "    Authorization: Bearer (the token, not shown)\n"
    "    {\"app\":\"gridrepublic:text-inference\",\"commandLine\":\"{\\\"inputs\\\":"
    "[\\\"What is the capital of \\\\\\\"France\\\\\\\"?\\\"]}\",\"hours\":0.5,"
    "\"tag\":\"gemma:2b\"}\n"
    "  estimate:\n    submit time: 5s for 10 submits at 2.00/s (before retries)\n"
    "    compute-hours ceiling: 5.0 (10 jobs x 0.50 h, the manifest's hours)\n";

TEST_F(StoreCommandsTest,
       DryRunShowsJobsPerModelAndSourceTheFirstBodyAndEstimatesAndWritesNothing) {
  Write("lines.txt", "one\ntwo\nthree\n");
  const std::string manifest = Write("mixed.yaml", kMixedManifest);
  setenv("GRIDBATCH_ENDPOINT", "http://127.0.0.1:9/remotejobs/v2/", 1);
  Outcome outcome = Run({"load", manifest, "--db", db_, "--dry-run", "--rate", "2/s"});
  unsetenv("GRIDBATCH_ENDPOINT");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, kMixedDryRun);
  EXPECT_FALSE(fs::exists(db_));
}

TEST_F(StoreCommandsTest, DryRunWithoutHoursSaysTheCeilingIsTheServicesOwn) {
  Outcome outcome = Run({"load", Capitals(kTwoPrompts), "--db", db_, "--dry-run"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("capitals: 4 jobs (dry run, nothing written)\n"), std::string::npos);
  EXPECT_NE(outcome.out.find("    POST https://api.gridrepublic.services/remotejobs/v2/jobs\n"),
            std::string::npos)
      << outcome.out;
  EXPECT_NE(outcome.out.find("    submit time: 0s for 4 submits at 20.00/s (before retries)\n"),
            std::string::npos)
      << outcome.out;
  EXPECT_NE(outcome.out.find("    compute-hours ceiling: not set: the manifest gives no hours, so "
                             "the service's own limit applies (4 jobs x 1 h = 4 if it is 1 h)\n"),
            std::string::npos)
      << outcome.out;
  EXPECT_FALSE(fs::exists(db_));
}

TEST_F(StoreCommandsTest, RunDryRunNeedsNoTokenTakesNoLockAndLeavesTheDatabaseAsItWas) {
  Run({"load", Capitals(kTwoPrompts), "--db", db_});
  const std::string before = ReadFile(db_);
  ASSERT_FALSE(before.empty());
  Write("lines.txt", "one\ntwo\nthree\n");
  const std::string manifest = Write("mixed.yaml", kMixedManifest);
  unsetenv("GRIDREPUBLIC_TOKEN");
  Outcome outcome = Run({"run", manifest, "--db", db_, "--dry-run", "--rate", "2/s", "--endpoint",
                         "http://127.0.0.1:9/remotejobs/v2"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, kMixedDryRun);
  EXPECT_EQ(ReadFile(db_), before);
  EXPECT_FALSE(fs::exists(db_ + ".lock"));
  EXPECT_FALSE(fs::exists(db_ + "-wal"));
}

TEST_F(StoreCommandsTest, RunDryRunWithoutAManifestIsAUsageError) {
  Outcome outcome = Run({"run", "--db", db_, "--dry-run"});
  EXPECT_EQ(outcome.exit_code, 64);
  EXPECT_EQ(outcome.err, "gridbatch: --dry-run needs the MANIFEST whose jobs to show\n");
}

TEST_F(StoreCommandsTest, LoadIntoAFileThatIsNotADatabaseFailsAndLeavesItAlone) {
  Write("jobs.db", "not a database at all, just some text that is long enough\n");
  Outcome outcome = Run({"load", Capitals(kTwoPrompts), "--db", db_});
  EXPECT_EQ(outcome.exit_code, 74);
  EXPECT_EQ(outcome.err, "gridbatch: database " + db_ + ": open: file is not a database\n");
  EXPECT_EQ(ReadFile(db_), "not a database at all, just some text that is long enough\n");
}

TEST_F(StoreCommandsTest, StatusOfAMissingDatabaseExits66AndCreatesNothing) {
  Outcome outcome = Run({"status", "--db", db_});
  EXPECT_EQ(outcome.exit_code, 66);
  EXPECT_EQ(outcome.err, "gridbatch: database " + db_ + ": no such file\n");
  EXPECT_FALSE(fs::exists(db_));
}

TEST_F(StoreCommandsTest, StatusPrintsATableOrJson) {
  Run({"load", Capitals(kTwoPrompts), "--db", db_});
  Outcome table = Run({"status", "--db", db_});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("  gemma:2b         2           0"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("\ntotal: 4 job(s): 4 pending\n"), std::string::npos) << table.out;
  Outcome json = Run({"status", "--db", db_, "--json", "--batch", "capitals"});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  const auto parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["totals"]["pending"], 4);
  EXPECT_EQ(parsed["batches"][0]["manifest_path"].is_string(), true);
  EXPECT_EQ(parsed["batches"][0]["models"][1]["model"], "llama3:8b");
}

TEST_F(StoreCommandsTest, CancelAndRetryPrintHowManyJobsChanged) {
  Run({"load", Capitals(kTwoPrompts), "--db", db_});
  Outcome cancel = Run({"cancel", "--db", db_, "--model", "gemma:2b"});
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_EQ(cancel.out, "cancelled 2 pending job(s)\n");
  Outcome retry_failed = Run({"retry", "--db", db_});
  EXPECT_EQ(retry_failed.out, "retried 0 job(s): pending again\n");
  Outcome retry = Run({"retry", "--db", db_, "--state", "cancelled", "--batch", "capitals"});
  EXPECT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_EQ(retry.out, "retried 2 job(s): pending again\n");
  Outcome status = Run({"status", "--db", db_, "--json"});
  EXPECT_EQ(nlohmann::json::parse(status.out)["totals"]["pending"], 4);
}

TEST_F(StoreCommandsTest, AnUnknownBatchIsAnError) {
  Run({"load", Capitals(kTwoPrompts), "--db", db_});
  for (const char* command : {"cancel", "retry", "status"}) {
    Outcome outcome = Run({command, "--db", db_, "--batch", "capitols"});
    EXPECT_EQ(outcome.exit_code, 64) << command;
    EXPECT_EQ(outcome.err,
              "gridbatch: database " + db_ + ": no batch named 'capitols' (batches: capitals)\n")
        << command;
  }
}

TEST_F(StoreCommandsTest, RetryAndCancelDoNotCreateAMissingDatabase) {
  for (const char* command : {"cancel", "retry"}) {
    Outcome outcome = Run({command, "--db", db_});
    EXPECT_EQ(outcome.exit_code, 66) << command;
    EXPECT_EQ(outcome.err, "gridbatch: database " + db_ + ": no such file\n") << command;
  }
  EXPECT_FALSE(fs::exists(db_));
}

TEST_F(StoreCommandsTest, RetryAcceptsOnlyFailedOrCancelled) {
  Outcome outcome = Run({"retry", "--db", db_, "--state", "completed"});
  EXPECT_EQ(outcome.exit_code, 64);
  EXPECT_FALSE(fs::exists(db_));
}

}  // namespace
}  // namespace gridbatch::cli
