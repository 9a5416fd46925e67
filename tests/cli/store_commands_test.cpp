// `load`, `status`, `retry` and `cancel`, run as the built binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_test.hpp"
#include "gridbatch/manifest.hpp"

namespace gridbatch::cli {
namespace {

namespace fs = std::filesystem;

using gridbatch::testing::ReadFile;

class StoreCommandsTest : public CliTest {
 protected:
  std::string Capitals(const std::string& prompts) {
    return Write("capitals.yaml",
                 "name: capitals\nmodels: [gemma:2b, llama3:8b]\nprompts:\n" + prompts);
  }
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

TEST_F(StoreCommandsTest, DryRunCountsAndWritesNothing) {
  Outcome outcome = Run({"load", Capitals(kTwoPrompts), "--db", db_, "--dry-run"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "capitals: 4 jobs (dry run, nothing written)\n");
  EXPECT_FALSE(fs::exists(db_));
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
