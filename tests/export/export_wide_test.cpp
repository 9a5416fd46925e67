// `gridbatch export --wide`: one record per prompt and repeat with each
// model's state, output, runtime and error side by side, in CSV and JSONL,
// with the filters of export; and the reader under it.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gridbatch/store/export_reader.hpp"
#include "gridbatch/store/job_store.hpp"
#include "test_db.hpp"

namespace gridbatch {
namespace {

using testing::JobRow;
using testing::ReadFile;
using testing::TempDir;
using testing::TestDb;

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Result Export(const TempDir& dir, const std::filesystem::path& db,
              const std::vector<std::string>& args) {
  std::string command = std::string(GRIDBATCH_BIN) + " export --db '" + db.string() + "'";
  for (const std::string& arg : args) command += " '" + arg + "'";
  const std::filesystem::path out = dir / "wide.stdout";
  const std::filesystem::path err = dir / "wide.stderr";
  const int status =
      std::system((command + " >'" + out.string() + "' 2>'" + err.string() + "'").c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(out), ReadFile(err)};
}

class ExportWideTest : public ::testing::Test {
 protected:
  // Two models, first loaded m2 (for p2); p1 twice (repeats 0 and 1).
  void SetUp() override {
    Add("p2", "m2", "completed", 0, "two", 5, std::nullopt, R"({"lang":"de"})");
    Add("p1", "m1", "completed", 0, "=one", 3, std::nullopt, R"({"lang":"fr","words":20})");
    Add("p1", "m2", "failed", 0, std::nullopt, std::nullopt, "boom", R"({"lang":"fr","words":20})");
    Add("p1", "m1", "running", 1, "par", std::nullopt, std::nullopt, R"({"lang":"fr","words":20})");
  }

  void Add(const std::string& id, const std::string& model, const std::string& state, int repeat,
           std::optional<std::string> output, std::optional<std::int64_t> runtime,
           std::optional<std::string> error, const std::string& vars) {
    JobRow row;
    row.prompt_id = id;
    row.model = model;
    row.state = state;
    row.repeat = repeat;
    row.output = std::move(output);
    row.runtime = runtime;
    row.error = std::move(error);
    row.vars = vars;
    db_.Insert(row);
  }

  TempDir dir_;
  TestDb db_{dir_ / "jobs.db"};
};

TEST_F(ExportWideTest, CsvHasOneRowPerPromptAndRepeatAndColumnsPerModel) {
  const Result result = Export(dir_, db_.path(), {"--format", "csv", "--wide"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "exported 3 rows to stdout\n");
  EXPECT_EQ(result.out,
            "batch,prompt_id,repeat,prompt,var.lang,var.words,"
            "state.m2,output.m2,runtime.m2,error.m2,state.m1,output.m1,runtime.m1,error.m1\r\n"
            "b1,p1,0,hello,fr,20,failed,,,boom,completed,'=one,3,\r\n"
            "b1,p1,1,hello,fr,20,,,,,running,par,,\r\n"
            "b1,p2,0,hello,de,,completed,two,5,,,,,\r\n");
  const Result raw = Export(dir_, db_.path(), {"--format", "csv", "--wide", "--raw"});
  EXPECT_NE(raw.out.find(",completed,=one,3,"), std::string::npos) << raw.out;
}

TEST_F(ExportWideTest, JsonlNestsEachModelsJobAndGivesNullForAModelWithout) {
  const Result result = Export(dir_, db_.path(), {"--format", "jsonl", "--wide"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::istringstream lines(result.out);
  std::vector<std::string> records;
  for (std::string line; std::getline(lines, line);) records.push_back(line);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0], R"({"batch":"b1","prompt_id":"p1","repeat":0,"prompt":"hello",)"
                        R"("vars":{"lang":"fr","words":20},"models":{)"
                        R"("m2":{"state":"failed","output":null,"runtime":null,"error":"boom"},)"
                        R"("m1":{"state":"completed","output":"=one","runtime":3,"error":null}}})");
  const auto last = nlohmann::json::parse(records[2]);
  EXPECT_TRUE(last.at("models").at("m1").is_null());
  EXPECT_EQ(last.at("models").at("m2").at("output"), "two");
  const auto schema = nlohmann::json::parse(ReadFile(EXPORT_SCHEMA)).at("$defs");
  const auto record_keys = schema.at("wide_record").at("required").get<std::vector<std::string>>();
  const auto job_keys = schema.at("wide_job").at("required").get<std::vector<std::string>>();
  for (const std::string& line : records) {
    const auto record = nlohmann::ordered_json::parse(line);
    std::vector<std::string> keys;
    for (const auto& item : record.items()) keys.push_back(item.key());
    EXPECT_EQ(keys, record_keys);
    EXPECT_EQ(record.at("models").begin().key(), "m2");
    for (const auto& job : record.at("models")) {
      if (job.is_null()) continue;
      std::vector<std::string> fields;
      for (const auto& item : job.items()) fields.push_back(item.key());
      EXPECT_EQ(fields, job_keys);
    }
  }
}

TEST_F(ExportWideTest, FiltersSelectTheJobsAndTheModelColumns) {
  const Result m1 = Export(dir_, db_.path(), {"--format", "csv", "--wide", "--model", "m1"});
  ASSERT_EQ(m1.exit_code, 0) << m1.err;
  EXPECT_EQ(m1.out,
            "batch,prompt_id,repeat,prompt,var.lang,var.words,"
            "state.m1,output.m1,runtime.m1,error.m1\r\n"
            "b1,p1,0,hello,fr,20,completed,'=one,3,\r\n"
            "b1,p1,1,hello,fr,20,running,par,,\r\n");
  const Result completed =
      Export(dir_, db_.path(), {"--format", "csv", "--wide", "--state", "completed"});
  ASSERT_EQ(completed.exit_code, 0) << completed.err;
  EXPECT_EQ(completed.out,
            "batch,prompt_id,repeat,prompt,var.lang,var.words,"
            "state.m2,output.m2,runtime.m2,error.m2,state.m1,output.m1,runtime.m1,error.m1\r\n"
            "b1,p1,0,hello,fr,20,,,,,completed,'=one,3,\r\n"
            "b1,p2,0,hello,de,,completed,two,5,,,,,\r\n");
  const Result none = Export(dir_, db_.path(), {"--format", "jsonl", "--wide", "--batch", "zz"});
  EXPECT_EQ(none.exit_code, 64) << none.err;  // a batch no job has is an error, as in export
  EXPECT_EQ(none.out, "");
}

// Prompt ids in byte order across batches made in order: a then b, and
// within a batch "P" < "p10" < "p9"; each group passed on once.
TEST_F(ExportWideTest, ReaderGroupsByBatchThenPromptIdThenRepeat) {
  for (const char* id : {"p9", "P", "p10"}) {
    JobRow row;
    row.batch = "b2";
    row.prompt_id = id;
    row.model = "m1";
    db_.Insert(row);
    row.model = "m3";
    db_.Insert(row);
  }
  store::OpenOptions options;
  options.mode = store::OpenOptions::Mode::kReadOnly;
  auto store = store::JobStore::Open(db_.path().string(), options);
  store::ExportReader reader(*store, {});
  EXPECT_EQ(reader.Models(), (std::vector<std::string>{"m2", "m1", "m3"}));
  std::vector<std::string> groups;
  const std::int64_t count = reader.ForEachWideRow([&](const store::WideRow& row) {
    std::string line = row.batch + "/" + row.prompt_id + "/" + std::to_string(row.repeat) + ":";
    for (const auto& job : row.jobs) line += " " + job.model;
    groups.push_back(line);
  });
  EXPECT_EQ(count, 6);
  EXPECT_EQ(groups,
            (std::vector<std::string>{"b1/p1/0: m1 m2", "b1/p1/1: m1", "b1/p2/0: m2",
                                      "b2/P/0: m1 m3", "b2/p10/0: m1 m3", "b2/p9/0: m1 m3"}));
}

}  // namespace
}  // namespace gridbatch
