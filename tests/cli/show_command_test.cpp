// `gridbatch show`: one prompt's jobs, as text and as JSON, and the usage
// errors for what is not there; run as the built binary on a database that
// `load` made and SQL then moved along, as a run would have.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli_test.hpp"

namespace gridbatch::cli {
namespace {

class ShowCommandTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    const std::string manifest =
        Write("rivers.yaml",
              "name: rivers\nmodels: [gemma:2b, llama3:8b]\nsweeps:\n  - id: river\n"
              "    template: \"Which river flows through {city}? In {words} words.\"\n"
              "    zip:\n      - city: [Paris]\n        words: [20]\n");
    ASSERT_EQ(Run({"load", manifest, "--db", db_}).exit_code, 0);
    SQLite::Database db(db_, SQLite::OPEN_READWRITE);
    prompt_id_ = db.execAndGet("SELECT prompt_id FROM jobs LIMIT 1").getString();
    db.exec(R"sql(
      UPDATE jobs SET created_at = '2024-05-06T21:00:00.000Z';
      UPDATE jobs SET output = 'The Seine.' || char(10) || 'Done' || char(27) || '[31m',
                      runtime = 12 WHERE model = 'gemma:2b';
      UPDATE job_state SET state = 'completed', attempts = 2, remote_id = 'r-1',
        remote_status = 'COMPLETED', vm_status = 'running',
        previous_error = 'HTTP 429: service said: Too many requests',
        submitted_at = '2024-05-06T21:01:00.000Z', finished_at = '2024-05-06T21:02:00.000Z',
        updated_at = '2024-05-06T21:02:00.000Z' WHERE model = 'gemma:2b';
      UPDATE job_state SET state = 'failed', attempts = 1, remote_id = 'r-2',
        remote_status = 'ABORTED', last_error = 'aborted by the service',
        submitted_at = '2024-05-06T21:01:00.000Z', finished_at = '2024-05-06T21:03:00.000Z',
        updated_at = '2024-05-06T21:03:00.000Z' WHERE model = 'llama3:8b';
    )sql");
  }

  std::string prompt_id_;
};

TEST_F(ShowCommandTest, PrintsThePromptOnceAndEachModelsJobOnAnEightyColumnTerminal) {
  const Outcome shown = Run({"show", prompt_id_, "--db", db_});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.out,
            "batch rivers, prompt " + prompt_id_ +
                ": 2 jobs\n"
                "prompt:\n"
                "  Which river flows through Paris? In 20 words.\n"
                "vars: city=Paris, words=20\n"
                "\n"
                "model                    repeat  state      attempts  runtime  remote status\n"
                "gemma:2b                      0  completed         2     12 s  COMPLETED\n"
                "llama3:8b                     0  failed            1        -  ABORTED\n"
                "\n"
                "== gemma:2b, repeat 0: completed ==\n"
                "  remote id      r-1\n"
                "  remote status  COMPLETED\n"
                "  vm status      running\n"
                "  attempts       2\n"
                "  error          -\n"
                "  previous error HTTP 429: service said: Too many requests\n"
                "  created        2024-05-06T21:00:00.000Z\n"
                "  submitted      2024-05-06T21:01:00.000Z\n"
                "  finished       2024-05-06T21:02:00.000Z\n"
                "  updated        2024-05-06T21:02:00.000Z\n"
                "  runtime        12 s\n"
                "output:\n"
                "  The Seine.\n"
                "  Done?[31m\n"
                "\n"
                "== llama3:8b, repeat 0: failed ==\n"
                "  remote id      r-2\n"
                "  remote status  ABORTED\n"
                "  vm status      -\n"
                "  attempts       1\n"
                "  error          aborted by the service\n"
                "  created        2024-05-06T21:00:00.000Z\n"
                "  submitted      2024-05-06T21:01:00.000Z\n"
                "  finished       2024-05-06T21:03:00.000Z\n"
                "  updated        2024-05-06T21:03:00.000Z\n"
                "  runtime        -\n"
                "output: -\n");
  std::istringstream lines(shown.out);
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 80u) << line;
}

TEST_F(ShowCommandTest, JsonHasEveryFieldOfEachJobWithItsType) {
  const Outcome shown = Run({"show", prompt_id_, "--db", db_, "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  const auto object = nlohmann::ordered_json::parse(shown.out);
  EXPECT_EQ(object.at("batch"), "rivers");
  EXPECT_EQ(object.at("prompt_id"), prompt_id_);
  const auto& jobs = object.at("jobs");
  ASSERT_EQ(jobs.size(), 2u);
  std::vector<std::string> keys;
  for (const auto& item : jobs[0].items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"model", "repeat", "prompt", "vars", "state",
                                            "remote_id", "remote_status", "vm_status", "attempts",
                                            "error", "previous_error", "created", "submitted_at",
                                            "finished_at", "updated_at", "runtime", "output"}));
  EXPECT_EQ(jobs[0].at("model"), "gemma:2b");
  EXPECT_EQ(jobs[0].at("vars"), nlohmann::ordered_json::parse(R"({"city":"Paris","words":20})"));
  EXPECT_EQ(jobs[0].at("runtime"), 12);
  EXPECT_EQ(jobs[0].at("output"), "The Seine.\nDone\x1b[31m");
  EXPECT_TRUE(jobs[0].at("error").is_null());
  EXPECT_EQ(jobs[0].at("previous_error"), "HTTP 429: service said: Too many requests");
  EXPECT_EQ(jobs[1].at("state"), "failed");
  EXPECT_EQ(jobs[1].at("error"), "aborted by the service");
  EXPECT_TRUE(jobs[1].at("output").is_null());
}

TEST_F(ShowCommandTest, ModelNarrowsToOneJob) {
  const Outcome shown = Run({"show", prompt_id_, "--db", db_, "--model", "llama3:8b", "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  const auto jobs = nlohmann::json::parse(shown.out).at("jobs");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].at("model"), "llama3:8b");
}

TEST_F(ShowCommandTest, WhatIsNotThereIsAUsageErrorNamingIt) {
  const Outcome no_prompt = Run({"show", "nope", "--db", db_});
  EXPECT_EQ(no_prompt.exit_code, 64);
  EXPECT_EQ(no_prompt.err, "gridbatch: database " + db_ + ": no prompt 'nope' in any batch\n");
  EXPECT_EQ(no_prompt.out, "");
  const Outcome no_batch = Run({"show", prompt_id_, "--db", db_, "--batch", "lakes"});
  EXPECT_EQ(no_batch.exit_code, 64);
  EXPECT_EQ(no_batch.err,
            "gridbatch: database " + db_ + ": no batch named 'lakes' (batches: rivers)\n");
  const Outcome no_model = Run({"show", prompt_id_, "--db", db_, "--model", "phi3"});
  EXPECT_EQ(no_model.exit_code, 64);
  EXPECT_EQ(no_model.err, "gridbatch: database " + db_ + ": prompt '" + prompt_id_ +
                              "' of batch 'rivers' has no job on model 'phi3' (models: "
                              "gemma:2b, llama3:8b)\n");
  const std::string other =
      Write("lakes.yaml", "name: lakes\nmodel: m\nprompts: [\"Deepest lake?\"]\n");
  ASSERT_EQ(Run({"load", other, "--db", db_}).exit_code, 0);
  const Outcome not_in_batch = Run({"show", prompt_id_, "--db", db_, "--batch", "lakes"});
  EXPECT_EQ(not_in_batch.exit_code, 64);
  EXPECT_EQ(not_in_batch.err,
            "gridbatch: database " + db_ + ": no prompt '" + prompt_id_ + "' in batch 'lakes'\n");
  const Outcome no_db = Run({"show", prompt_id_, "--db", (dir_ / "missing.db").string()});
  EXPECT_EQ(no_db.exit_code, 66);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "missing.db"));
}

TEST_F(ShowCommandTest, AnIdInSeveralBatchesNeedsBatch) {
  const std::string other =
      Write("again.yaml", "name: again\nmodel: gemma:2b\nprompts:\n  - id: " + prompt_id_ +
                              "\n    prompt: \"Which river flows through Lima?\"\n");
  ASSERT_EQ(Run({"load", other, "--db", db_}).exit_code, 0);
  const Outcome both = Run({"show", prompt_id_, "--db", db_});
  EXPECT_EQ(both.exit_code, 64);
  EXPECT_EQ(both.err, "gridbatch: database " + db_ + ": prompt '" + prompt_id_ +
                          "' is in several batches (rivers, again); choose one with --batch\n");
  const Outcome one = Run({"show", prompt_id_, "--db", db_, "--batch", "again", "--json"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const auto jobs = nlohmann::json::parse(one.out).at("jobs");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].at("prompt"), "Which river flows through Lima?");
}

// Defect A end to end: a sweep's plain numbers and a JSONL file's numbers
// are exported as JSON numbers, quoted values as strings; CSV as text.
TEST_F(ShowCommandTest, ExportKeepsTheVariablesJsonTypes) {
  const std::string jsonl = Write("t.jsonl",
                                  "{\"id\": \"t1\", \"prompt\": \"Boiling point?\", \"vars\": "
                                  "{\"expected\": 100, \"unit\": \"C\", \"exact\": true}}\n");
  const std::string manifest =
      Write("trivia.yaml", "name: trivia\nmodel: m\nprompt_files:\n  - path: " + jsonl + "\n");
  ASSERT_EQ(Run({"load", manifest, "--db", db_}).exit_code, 0);
  const Outcome exported = Run({"export", "--db", db_, "--format", "jsonl"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::istringstream lines(exported.out);
  std::vector<nlohmann::json> records;
  for (std::string line; std::getline(lines, line);) records.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].at("vars"), nlohmann::json::parse(R"({"city":"Paris","words":20})"));
  EXPECT_EQ(records[2].at("vars"),
            nlohmann::json::parse(R"({"expected":100,"unit":"C","exact":true})"));
  const Outcome csv = Run({"export", "--db", db_, "--format", "csv", "--batch", "trivia"});
  EXPECT_NE(csv.out.find(",true,100,C\r\n"), std::string::npos) << csv.out;
  // Loading again adds nothing.
  const Outcome again = Run({"load", manifest, "--db", db_});
  EXPECT_EQ(again.err, "trivia: 0 new, 1 already present, 0 no longer in the manifest (1 jobs)\n");
}

}  // namespace
}  // namespace gridbatch::cli
