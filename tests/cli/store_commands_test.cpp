// `load`, `status`, `retry` and `cancel`, run as the built binary.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_fixture.hpp"
#include "gridbatch/manifest/manifest.hpp"

namespace gridbatch::cli {
namespace {

using testing::Outcome;
using testing::ReadFile;
namespace fs = std::filesystem;

class StoreCommandsTest : public testing::CliFixture {};

constexpr const char* kTwoPrompts =
    "  - id: fr\n    prompt: \"What is the capital of France?\"\n"
    "  - id: pe\n    prompt: \"What is the capital of Peru?\"\n";

TEST_F(StoreCommandsTest, LoadPrintsItsCountsAndReloadingAddsNothing) {
  const auto manifest = Capitals(kTwoPrompts);
  Outcome first = Run({"load", manifest, "--db", db_});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "");  // a message, not data
  EXPECT_EQ(first.err,
            "capitals: 4 new, 0 already present, 0 no longer in the manifest (4 jobs)\n");
  Outcome again = Run({"load", manifest, "--db", db_});
  EXPECT_EQ(again.err,
            "capitals: 0 new, 4 already present, 0 no longer in the manifest (4 jobs)\n");
}

TEST_F(StoreCommandsTest, LoadingAnEditedManifestAddsOnlyTheNewJobs) {
  Run({"load", Capitals(kTwoPrompts), "--db", db_});
  const auto edited = Capitals(
      "  - id: pe\n    prompt: \"What is the capital of Peru?\"\n"
      "  - id: jp\n    prompt: \"What is the capital of Japan?\"\n");
  Outcome outcome = Run({"load", edited, "--db", db_});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.err,
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
  EXPECT_EQ(cancel.out, "");
  EXPECT_EQ(cancel.err, "cancelled 2 pending job(s)\n");
  Outcome retry_failed = Run({"retry", "--db", db_});
  EXPECT_EQ(retry_failed.err, "retried 0 job(s): pending again\n");
  Outcome retry = Run({"retry", "--db", db_, "--state", "cancelled", "--batch", "capitals"});
  EXPECT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_EQ(retry.err, "retried 2 job(s): pending again\n");
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

TEST_F(StoreCommandsTest, RetryAcceptsOnlyFailedCancelledOrCompleted) {
  Outcome outcome = Run({"retry", "--db", db_, "--state", "running"});
  EXPECT_EQ(outcome.exit_code, 64);
  EXPECT_NE(outcome.err.find("--state: running not in {failed,cancelled,completed}"),
            std::string::npos)
      << outcome.err;
  EXPECT_FALSE(fs::exists(db_));
}

TEST_F(StoreCommandsTest, AModelNoJobHasIsAnErrorInEveryCommandThatFilters) {
  Run({"load", Capitals(kTwoPrompts), "--db", db_});
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"cancel"}, {"retry"}, {"export", "--format", "csv"}}) {
    std::vector<std::string> args = command;
    for (const char* arg : {"--db", db_.c_str(), "--model", "nosuch"}) args.push_back(arg);
    Outcome outcome = Run(args);
    EXPECT_EQ(outcome.exit_code, 64) << command[0];
    EXPECT_EQ(outcome.err, "gridbatch: database " + db_ +
                               ": no job has model 'nosuch' (models: gemma:2b, llama3:8b)\n")
        << command[0];
    EXPECT_EQ(outcome.out, "") << command[0];
  }
  Outcome state = Run({"status", "--db", db_, "--json"});
  EXPECT_EQ(nlohmann::json::parse(state.out)["totals"]["pending"], 4);
}

// Jobs of kTwoPrompts with states, errors and outputs set directly.
class RetryFiltersTest : public StoreCommandsTest {
 protected:
  void SetUp() override {
    StoreCommandsTest::SetUp();
    ASSERT_EQ(Run({"load", Capitals(kTwoPrompts), "--db", db_}).exit_code, 0);
    SQLite::Database db(db_, SQLite::OPEN_READWRITE);
    db.exec(R"sql(
      UPDATE job_state SET state = 'failed', last_error = 'HTTP 500: server error'
        WHERE job_id IN (SELECT id FROM jobs WHERE prompt_id = 'fr');
      UPDATE job_state SET state = 'failed', last_error = 'timed out after 60 s'
        WHERE job_id IN (SELECT id FROM jobs WHERE prompt_id = 'pe' AND model = 'gemma:2b');
      UPDATE job_state SET state = 'completed'
        WHERE job_id IN (SELECT id FROM jobs WHERE prompt_id = 'pe' AND model = 'llama3:8b');
      UPDATE jobs SET output = 'Lima', runtime = 3, remote_created = 'c1'
        WHERE prompt_id = 'pe' AND model = 'llama3:8b';
      UPDATE jobs SET output = 'partial' WHERE prompt_id = 'fr';)sql");
  }

  // "prompt_id/model:state[:output]" of every job, in a stable order.
  std::string Jobs() {
    SQLite::Database db(db_);
    return db
        .execAndGet(
            "SELECT group_concat(x, ' ') FROM (SELECT j.prompt_id || '/' || j.model || ':' || "
            "s.state || ifnull(':' || j.output, '') AS x FROM jobs j JOIN job_state s "
            "ON s.job_id = j.id ORDER BY 1)")
        .getString();
  }
};

TEST_F(RetryFiltersTest, RetryByPromptIdTakesOnlyThosePrompts) {
  Outcome outcome = Run({"retry", "--db", db_, "--prompt-id", "pe"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.err, "retried 1 job(s): pending again\n");
  EXPECT_EQ(Jobs(),
            "fr/gemma:2b:failed:partial fr/llama3:8b:failed:partial pe/gemma:2b:pending "
            "pe/llama3:8b:completed:Lima");
  EXPECT_EQ(Run({"retry", "--db", db_, "--prompt-id", "pe", "--prompt-id", "fr"}).err,
            "retried 2 job(s): pending again\n");
}

TEST_F(RetryFiltersTest, RetryByErrorTextMatchesAnyOfTheTextsGiven) {
  EXPECT_EQ(Run({"retry", "--db", db_, "--error", "HTTP 5"}).err,
            "retried 2 job(s): pending again\n");
  EXPECT_EQ(Jobs(),
            "fr/gemma:2b:pending fr/llama3:8b:pending pe/gemma:2b:failed "
            "pe/llama3:8b:completed:Lima");
  EXPECT_EQ(Run({"retry", "--db", db_, "--error", "nothing like it"}).err,
            "retried 0 job(s): pending again\n");
  EXPECT_EQ(Run({"retry", "--db", db_, "--error", "nothing like it", "--error", "timed out"}).err,
            "retried 1 job(s): pending again\n");
}

TEST_F(RetryFiltersTest, RetryingCompletedJobsKeepsTheirOutput) {
  Outcome outcome = Run({"retry", "--db", db_, "--state", "completed"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.err, "retried 1 job(s): pending again\n");
  EXPECT_EQ(Jobs(),
            "fr/gemma:2b:failed:partial fr/llama3:8b:failed:partial pe/gemma:2b:failed "
            "pe/llama3:8b:pending:Lima");
}

// A batch loaded from one manifest, then the manifest edited.
class PruneTest : public StoreCommandsTest {
 protected:
  void SetUp() override {
    StoreCommandsTest::SetUp();
    manifest_ = Capitals(kTwoPrompts);
    ASSERT_EQ(Run({"load", manifest_, "--db", db_}).exit_code, 0);
    Capitals("  - id: pe\n    prompt: \"What is the capital of Peru?\"\n");  // fr dropped
  }

  std::string PromptIds() {
    SQLite::Database db(db_);
    return db.execAndGet("SELECT group_concat(prompt_id || '/' || model, ' ') FROM jobs")
        .getString();
  }

  std::string manifest_;
};

TEST_F(PruneTest, DeletesTheJobsTheManifestNoLongerLists) {
  Outcome outcome = Run({"prune", "--db", db_, "--batch", "capitals"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.err,
            "capitals: deleted 2 job(s) no longer in " + manifest_ + " (0 with results)\n");
  EXPECT_EQ(PromptIds(), "pe/gemma:2b pe/llama3:8b");
  SQLite::Database db(db_);
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM job_state").getInt(), 2);
  EXPECT_EQ(Run({"load", manifest_, "--db", db_}).err,
            "capitals: 0 new, 2 already present, 0 no longer in the manifest (2 jobs)\n");
}

TEST_F(PruneTest, AsksForYesBeforeDeletingJobsWithResults) {
  {
    SQLite::Database db(db_, SQLite::OPEN_READWRITE);
    db.exec("UPDATE jobs SET output = 'Paris' WHERE prompt_id = 'fr' AND model = 'gemma:2b'");
  }
  Outcome refused = Run({"prune", "--db", db_, "--batch", "capitals"});
  EXPECT_EQ(refused.exit_code, 64);
  EXPECT_EQ(refused.err, "gridbatch: prune would delete 2 job(s) no longer in " + manifest_ +
                             ", 1 of them with results; nothing was deleted. Export them first if "
                             "they matter, then run again with --yes\n");
  EXPECT_EQ(PromptIds(), "fr/gemma:2b fr/llama3:8b pe/gemma:2b pe/llama3:8b");
  Outcome done = Run({"prune", "--db", db_, "--batch", "capitals", "--yes"});
  EXPECT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(done.err,
            "capitals: deleted 2 job(s) no longer in " + manifest_ + " (1 with results)\n");
  EXPECT_EQ(PromptIds(), "pe/gemma:2b pe/llama3:8b");
}

TEST_F(PruneTest, TakesAnotherManifestAndRefusesOneOfAnotherBatch) {
  const std::string other = Write("other.yaml", "name: other\nmodel: m\nprompts: [x]\n");
  Outcome wrong = Run({"prune", "--db", db_, "--batch", "capitals", "--manifest", other});
  EXPECT_EQ(wrong.exit_code, 64);
  EXPECT_EQ(wrong.err, "gridbatch: manifest " + other + " is batch 'other', not 'capitals'\n");
  const std::string all = Write("all.yaml",
                                "name: capitals\nmodels: [gemma:2b, llama3:8b]\n"
                                "prompts:\n" +
                                    std::string(kTwoPrompts));
  Outcome none = Run({"prune", "--db", db_, "--batch", "capitals", "--manifest", all});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.err, "capitals: deleted 0 job(s) no longer in " + all + " (0 with results)\n");
  EXPECT_EQ(PromptIds(), "fr/gemma:2b fr/llama3:8b pe/gemma:2b pe/llama3:8b");
  Outcome unknown = Run({"prune", "--db", db_, "--batch", "capitols"});
  EXPECT_EQ(unknown.exit_code, 64);
  EXPECT_EQ(unknown.err,
            "gridbatch: database " + db_ + ": no batch named 'capitols' (batches: capitals)\n");
}

}  // namespace
}  // namespace gridbatch::cli
