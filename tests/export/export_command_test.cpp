// `gridbatch export` end to end: the real binary, run as a child process on
// a real database file; CSV read back by Python's csv module, JSONL by
// nlohmann.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "gridbatch/clock.hpp"
#include "gridbatch/util/time_format.hpp"
#include "test_db.hpp"

namespace gridbatch {
namespace {

using testing::JobRow;
using testing::ReadFile;
using testing::TempDir;
using testing::TestDb;
using testing::WriteFile;

std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `command` through the shell with stdout and stderr captured in files
// of `dir`, unless `stdout_to` names another place for stdout.
Result RunShell(const TempDir& dir, const std::string& command, const std::string& stdout_to = "") {
  const std::filesystem::path out = dir / "captured.stdout";
  const std::filesystem::path err = dir / "captured.stderr";
  const std::string line = command + " >" +
                           ShellQuote(stdout_to.empty() ? out.string() : stdout_to) + " 2>" +
                           ShellQuote(err.string());
  const int status = std::system(line.c_str());
  Result result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (stdout_to.empty()) result.out = ReadFile(out);
  result.err = ReadFile(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return result;
}

Result Export(const TempDir& dir, const std::filesystem::path& db,
              const std::vector<std::string>& args, const std::string& stdout_to = "") {
  std::string command = ShellQuote(GRIDBATCH_BIN) + " export --db " + ShellQuote(db.string());
  for (const std::string& arg : args) command += " " + ShellQuote(arg);
  return RunShell(dir, command, stdout_to);
}

std::vector<nlohmann::json> ParseLines(const std::string& jsonl) {
  std::vector<nlohmann::json> records;
  std::istringstream lines(jsonl);
  for (std::string line; std::getline(lines, line);) records.push_back(nlohmann::json::parse(line));
  return records;
}

std::vector<std::string> PromptIds(const std::string& jsonl) {
  std::vector<std::string> ids;
  for (const nlohmann::json& record : ParseLines(jsonl)) ids.push_back(record.at("prompt_id"));
  return ids;
}

std::vector<std::string> Listing(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class ExportCommandTest : public ::testing::Test {
 protected:
  void Add(const std::string& id, const std::string& batch, const std::string& model,
           const std::string& state, const std::string& updated) {
    JobRow row;
    row.prompt_id = id;
    row.batch = batch;
    row.model = model;
    row.state = state;
    row.updated = updated;
    row.output = "out " + id;
    db_.Insert(row);
  }

  void AddFewJobs() {
    Add("a1", "sweep-a", "gemma:2b", "completed", "2024-05-06T21:26:00.000Z");
    Add("a2", "sweep-a", "llama3:8b", "failed", "2024-05-06T22:00:00.000Z");
    Add("b1", "sweep-b", "gemma:2b", "completed", "2024-05-07T00:00:00.000Z");
    Add("b2", "sweep-b", "gemma:2b", "running", "2024-05-07T01:00:00.000Z");
  }

  TempDir dir_;
  TestDb db_{dir_ / "jobs.db"};
};

TEST_F(ExportCommandTest, WritesTheSameBytesToStdoutAndToAFile) {
  AddFewJobs();
  const Result to_stdout = Export(dir_, db_.path(), {"--format", "csv", "-o", "-"});
  EXPECT_EQ(to_stdout.exit_code, 0) << to_stdout.err;
  EXPECT_EQ(to_stdout.err, "exported 4 rows to stdout\n");
  const Result by_default = Export(dir_, db_.path(), {"--format", "csv"});
  EXPECT_EQ(by_default.out, to_stdout.out);

  const std::string target = (dir_ / "out.csv").string();
  const Result to_file = Export(dir_, db_.path(), {"--format", "csv", "-o", target});
  EXPECT_EQ(to_file.exit_code, 0) << to_file.err;
  EXPECT_EQ(to_file.out, "");
  EXPECT_EQ(to_file.err, "exported 4 rows to " + target + "\n");
  EXPECT_EQ(ReadFile(target), to_stdout.out);
  EXPECT_EQ(to_stdout.out.substr(0, 6), "batch,");
  EXPECT_EQ(Listing(dir_.path()),
            (std::vector<std::string>{"jobs.db", "jobs.db-shm", "jobs.db-wal", "out.csv"}));
}

TEST_F(ExportCommandTest, AppliesEachFilterAndTheirCombination) {
  AddFewJobs();
  const auto ids = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--format", "jsonl"});
    const Result result = Export(dir_, db_.path(), args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return PromptIds(result.out);
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(ids({}), (Ids{"a1", "a2", "b1", "b2"}));
  EXPECT_EQ(ids({"--batch", "sweep-b"}), (Ids{"b1", "b2"}));
  EXPECT_EQ(ids({"--model", "llama3:8b"}), (Ids{"a2"}));
  EXPECT_EQ(ids({"--state", "completed"}), (Ids{"a1", "b1"}));
  EXPECT_EQ(ids({"--state", "completed", "--state", "failed"}), (Ids{"a1", "a2", "b1"}));
  EXPECT_EQ(ids({"--since", "2024-05-06T22:00:00Z"}), (Ids{"a2", "b1", "b2"}));
  EXPECT_EQ(ids({"--since", "2024-05-07T02:00:00+02:00"}), (Ids{"b1", "b2"}));
  EXPECT_EQ(ids({"--batch", "sweep-a", "--batch", "sweep-b", "--model", "gemma:2b", "--state",
                 "completed", "--since", "2024-05-06T21:26:00.001Z"}),
            (Ids{"b1"}));
}

TEST_F(ExportCommandTest, RejectsAnUnknownStateOrTimeAsAUsageError) {
  AddFewJobs();
  const Result state = Export(dir_, db_.path(), {"--format", "csv", "--state", "done"});
  EXPECT_EQ(state.exit_code, 64);
  EXPECT_EQ(state.err,
            "gridbatch: --state: 'done' is not a job state (one of pending, submitting, "
            "submitted, running, completed, failed, cancelled)\n");
  const Result since = Export(dir_, db_.path(), {"--format", "csv", "--since", "yesterday"});
  EXPECT_EQ(since.exit_code, 64);
  EXPECT_EQ(since.err,
            "gridbatch: --since: 'yesterday' is not an ISO-8601 time (e.g. "
            "2024-05-06T21:26:00Z) or a duration (e.g. 30m, 2h)\n");
  const Result xml = Export(dir_, db_.path(), {"--format", "xml"});
  EXPECT_EQ(xml.exit_code, 64);
  EXPECT_EQ(xml.err, "gridbatch: --format: 'xml' is not csv or jsonl\n");
}

TEST_F(ExportCommandTest, TheFormatComesFromTheOutputsExtensionAndIsSpelledInAnyCase) {
  AddFewJobs();
  const Result reference = Export(dir_, db_.path(), {"--format", "csv"});
  const Result reference_jsonl = Export(dir_, db_.path(), {"--format", "jsonl"});
  ASSERT_EQ(reference.exit_code, 0) << reference.err;
  for (const char* name : {"out.csv", "OUT.CSV"}) {
    const std::string target = (dir_ / name).string();
    const Result result = Export(dir_, db_.path(), {"-o", target});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(ReadFile(target), reference.out) << name;
  }
  for (const char* name : {"out.jsonl", "out.ndjson", "out.JSONL"}) {
    const std::string target = (dir_ / name).string();
    const Result result = Export(dir_, db_.path(), {"-o", target});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(ReadFile(target), reference_jsonl.out) << name;
  }
  EXPECT_EQ(Export(dir_, db_.path(), {"--format", "CSV"}).out, reference.out);
  EXPECT_EQ(Export(dir_, db_.path(), {"--format", "Jsonl"}).out, reference_jsonl.out);
  // --format wins over the extension.
  const std::string odd = (dir_ / "rows.csv").string();
  EXPECT_EQ(Export(dir_, db_.path(), {"--format", "jsonl", "-o", odd}).exit_code, 0);
  EXPECT_EQ(ReadFile(odd), reference_jsonl.out);
  const std::string text = (dir_ / "out.txt").string();
  const Result unknown = Export(dir_, db_.path(), {"-o", text});
  EXPECT_EQ(unknown.exit_code, 64);
  EXPECT_EQ(unknown.err, "gridbatch: -o " + text +
                             ": cannot tell the format from the extension (.csv, .jsonl or "
                             ".ndjson); give --format csv or jsonl\n");
  EXPECT_FALSE(std::filesystem::exists(text));
  const Result to_stdout = Export(dir_, db_.path(), {});
  EXPECT_EQ(to_stdout.exit_code, 64);
  EXPECT_EQ(to_stdout.err, "gridbatch: --format csv or jsonl is needed with -o -\n");
}

TEST_F(ExportCommandTest, SinceTakesADurationBackFromNow) {
  const auto ago = [](double seconds) {
    return FormatIsoUtc(SystemClock::Instance().Now() - seconds);
  };
  Add("hour", "b", "m", "completed", ago(3600));
  Add("day", "b", "m", "completed", ago(86400));
  const auto ids = [&](const std::string& since) {
    const Result result = Export(dir_, db_.path(), {"--format", "jsonl", "--since", since});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return PromptIds(result.out);
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(ids("2h"), Ids{"hour"});
  EXPECT_EQ(ids("30m"), Ids{});
  EXPECT_EQ(ids("25h"), (Ids{"hour", "day"}));
}

TEST_F(ExportCommandTest, ABatchOrModelNoJobHasIsAUsageErrorNotAnEmptyExport) {
  AddFewJobs();
  const std::string target = (dir_ / "out.csv").string();
  const Result batch = Export(dir_, db_.path(), {"--batch", "nosuch", "-o", target});
  EXPECT_EQ(batch.exit_code, 64);
  EXPECT_EQ(batch.err, "gridbatch: database " + db_.path().string() +
                           ": no batch named 'nosuch' (batches: sweep-a, sweep-b)\n");
  const Result model = Export(dir_, db_.path(), {"--model", "nosuch", "-o", target});
  EXPECT_EQ(model.exit_code, 64);
  EXPECT_EQ(model.err, "gridbatch: database " + db_.path().string() +
                           ": no job has model 'nosuch' (models: gemma:2b, llama3:8b)\n");
  EXPECT_FALSE(std::filesystem::exists(target));
}

TEST_F(ExportCommandTest, NeutralisesFormulasUnlessAskedForRawCells) {
  JobRow row;
  row.prompt = "=HYPERLINK(\"http://evil\")";
  row.output = "@cmd";
  db_.Insert(row);
  const Result safe = Export(dir_, db_.path(), {"--format", "csv"});
  EXPECT_NE(safe.out.find(",\"'=HYPERLINK(\"\"http://evil\"\")\",completed,'@cmd,"),
            std::string::npos)
      << safe.out;
  const Result raw = Export(dir_, db_.path(), {"--format", "csv", "--raw"});
  EXPECT_NE(raw.out.find(",\"=HYPERLINK(\"\"http://evil\"\")\",completed,@cmd,"), std::string::npos)
      << raw.out;
}

TEST_F(ExportCommandTest, WritesOneColumnPerVariableOfTheExportedRows) {
  JobRow row;
  row.prompt_id = "v1";
  row.vars = R"({"lang":"fr","temp":0.5})";
  db_.Insert(row);
  row.prompt_id = "v2";
  row.model = "other";
  row.vars = R"({"lang":"de","size":"XL"})";
  db_.Insert(row);
  const auto header = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--format", "csv"});
    const std::string out = Export(dir_, db_.path(), args).out;
    return out.substr(0, out.find("\r\n"));
  };
  const std::string fixed =
      "batch,prompt_id,model,prompt,state,output,runtime,remote_id,attempts,error,previous_error,"
      "created,submitted_at,finished_at,repeat";
  EXPECT_EQ(header({}), fixed + ",var.lang,var.size,var.temp");
  EXPECT_EQ(header({"--model", "other"}), fixed + ",var.lang,var.size");
  EXPECT_EQ(header({"--state", "failed"}), fixed);  // no rows, no variables
}

TEST_F(ExportCommandTest, LeavesAnExistingTargetUntouchedWhenTheQueryFails) {
  AddFewJobs();
  db_.Exec("ALTER TABLE batches RENAME TO old_batches");
  WriteFile(dir_ / "out.csv", "previous export\n");
  const Result result =
      Export(dir_, db_.path(), {"--format", "csv", "-o", (dir_ / "out.csv").string()});
  EXPECT_EQ(result.exit_code, 74);
  EXPECT_EQ(result.err, "gridbatch: database " + db_.path().string() +
                            ": list the sweep variables: no such table: batches\n");
  EXPECT_EQ(ReadFile(dir_ / "out.csv"), "previous export\n");
  EXPECT_EQ(Listing(dir_.path()),
            (std::vector<std::string>{"jobs.db", "jobs.db-shm", "jobs.db-wal", "out.csv"}));
}

TEST_F(ExportCommandTest, LeavesAnExistingTargetUntouchedWhenTheDatabaseIsNotSqlite) {
  WriteFile(dir_ / "notes.db", "this is not a database, just text that is long enough\n");
  WriteFile(dir_ / "out.jsonl", "previous export\n");
  const Result result =
      Export(dir_, dir_ / "notes.db", {"--format", "jsonl", "-o", (dir_ / "out.jsonl").string()});
  EXPECT_EQ(result.exit_code, 74);
  EXPECT_EQ(result.err, "gridbatch: database " + (dir_ / "notes.db").string() +
                            ": open: file is not a database\n");
  EXPECT_EQ(ReadFile(dir_ / "out.jsonl"), "previous export\n");
}

TEST_F(ExportCommandTest, ReportsATargetThatCannotBeCreated) {
  AddFewJobs();
  const std::string target = (dir_ / "no-such-dir" / "out.csv").string();
  const Result result = Export(dir_, db_.path(), {"--format", "csv", "-o", target});
  EXPECT_EQ(result.exit_code, 73);
  EXPECT_EQ(result.err, "gridbatch: cannot create " + target + ": No such file or directory\n");
}

TEST_F(ExportCommandTest, RefusesToWriteOverTheDatabaseItself) {
  AddFewJobs();
  const Result result = Export(dir_, db_.path(), {"--format", "csv", "-o", db_.path().string()});
  EXPECT_EQ(result.exit_code, 64);
  EXPECT_EQ(result.err,
            "gridbatch: -o " + db_.path().string() + ": that is the database being exported\n");
  EXPECT_EQ(db_.Count("SELECT count(*) FROM jobs"), 4);
}

TEST_F(ExportCommandTest, ReportsAFullDiskOnStdout) {
  AddFewJobs();
  const Result result = Export(dir_, db_.path(), {"--format", "jsonl"}, "/dev/full");
  EXPECT_EQ(result.exit_code, 74);
  EXPECT_EQ(result.err, "gridbatch: cannot write stdout: No space left on device\n");
}

// Prompts and outputs that break naive CSV and JSON writers.
struct NastyCase {
  std::string name;
  std::string text;         // stored as prompt, output and a variable
  std::string csv_cell;     // as Python's csv module reads it back
  std::string json_string;  // as nlohmann reads it back from JSONL
};

std::vector<NastyCase> NastyCases() {
  const std::string fffd = "\xEF\xBF\xBD";
  std::string control;
  for (int c = 1; c < 0x20; ++c) control.push_back(static_cast<char>(c));
  control += "\x7F";
  std::string big;
  while (big.size() < (1 << 20)) big += "A line of a long model output, with \"quotes\",\r\n";
  return {
      {"comma", "Paris, France", "Paris, France", "Paris, France"},
      {"quotes", "say \"hi\" \"\"", "say \"hi\" \"\"", "say \"hi\" \"\""},
      {"cr", "a\rb", "a\rb", "a\rb"},
      {"lf", "a\nb\n", "a\nb\n", "a\nb\n"},
      {"crlf", "a\r\nb\r\n", "a\r\nb\r\n", "a\r\nb\r\n"},
      {"tab", "a\tb", "a\tb", "a\tb"},
      {"equals", "=1+2", "'=1+2", "=1+2"},
      {"plus", "+33 1 23", "'+33 1 23", "+33 1 23"},
      {"minus", "-5", "'-5", "-5"},
      {"at", "@SUM(A1:A9)", "'@SUM(A1:A9)", "@SUM(A1:A9)"},
      {"leading tab", "\t=x", "'\t=x", "\t=x"},
      {"leading cr", "\r=x", "'\r=x", "\r=x"},
      {"emoji", "\xF0\x9F\x98\x80 \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",
       "\xF0\x9F\x98\x80 \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",
       "\xF0\x9F\x98\x80 \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"},
      {"cjk", "\xE5\x8C\x97\xE4\xBA\xAC\xE6\x98\xAF\xE9\xA6\x96\xE9\x83\xBD",
       "\xE5\x8C\x97\xE4\xBA\xAC\xE6\x98\xAF\xE9\xA6\x96\xE9\x83\xBD",
       "\xE5\x8C\x97\xE4\xBA\xAC\xE6\x98\xAF\xE9\xA6\x96\xE9\x83\xBD"},
      {"control", "x" + control, "x" + control, "x" + control},
      {"invalid utf-8", "ok\xFF\xFE end \xC3", "ok" + fffd + fffd + " end " + fffd,
       "ok" + fffd + fffd + " end " + fffd},
      {"1 MB", big, big, big},
      {"empty", "", "", ""},
  };
}

// Every nasty case as prompt, output and variable, plus a row with NULLs.
void InsertNastyRows(TestDb& db) {
  int index = 0;
  for (const NastyCase& c : NastyCases()) {
    JobRow row;
    row.batch = "nasty";
    row.prompt_id = "case-" + std::to_string(index++);
    row.prompt = c.text;
    row.output = c.text;
    row.vars = nlohmann::json{{"label", c.name}, {"text", c.text}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::ignore);
    db.Insert(row);
  }
  JobRow nulls;
  nulls.batch = "nasty";
  nulls.prompt_id = "nulls";
  nulls.state = "pending";
  db.Insert(nulls);
}

TEST_F(ExportCommandTest, RoundTripsNastyTextThroughCsvAsReadByPython) {
  InsertNastyRows(db_);
  const std::string csv = (dir_ / "nasty.csv").string();
  const Result result = Export(dir_, db_.path(), {"--format", "csv", "-o", csv});
  ASSERT_EQ(result.exit_code, 0) << result.err;

  nlohmann::json expected;
  expected["header"] = {"batch",          "prompt_id", "model",        "prompt",      "state",
                        "output",         "runtime",   "remote_id",    "attempts",    "error",
                        "previous_error", "created",   "submitted_at", "finished_at", "repeat",
                        "var.label",      "var.text"};
  int index = 0;
  for (const NastyCase& c : NastyCases()) {
    // The invalid bytes were dropped from the stored variable (see InsertNastyRows).
    const std::string var_text = c.name == "invalid utf-8" ? "ok end " : c.csv_cell;
    expected["rows"].push_back({"nasty", "case-" + std::to_string(index++), "m1", c.csv_cell,
                                "completed", c.csv_cell, "", "", "0", "", "",
                                "2024-05-06T21:26:00.000Z", "", "", "0", c.name, var_text});
  }
  expected["rows"].push_back({"nasty", "nulls", "m1", "hello", "pending", "", "", "", "0", "", "",
                              "2024-05-06T21:26:00.000Z", "", "", "0", "", ""});
  const std::filesystem::path expected_path = dir_ / "expected.json";
  WriteFile(expected_path, expected.dump());

  const Result check =
      RunShell(dir_, "python3 " + ShellQuote(CSV_ROUNDTRIP_SCRIPT) + " " + ShellQuote(csv) + " " +
                         ShellQuote(expected_path.string()));
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(check.out, std::to_string(NastyCases().size() + 1) + " rows match\n");
}

TEST_F(ExportCommandTest, RoundTripsNastyTextThroughJsonl) {
  InsertNastyRows(db_);
  const Result result = Export(dir_, db_.path(), {"--format", "jsonl"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::vector<nlohmann::json> records = ParseLines(result.out);
  const std::vector<NastyCase> cases = NastyCases();
  ASSERT_EQ(records.size(), cases.size() + 1);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].name);
    EXPECT_EQ(records[i].at("prompt"), cases[i].json_string);
    EXPECT_EQ(records[i].at("output"), cases[i].json_string);
    EXPECT_EQ(records[i].at("vars").at("label"), cases[i].name);
  }
  const nlohmann::json& nulls = records.back();
  EXPECT_EQ(nulls.at("state"), "pending");
  for (const char* key : {"output", "runtime", "remote_id", "error", "previous_error",
                          "submitted_at", "finished_at", "vars"}) {
    EXPECT_TRUE(nulls.at(key).is_null()) << key;
  }
}

// The JSON type names of `value` as JSON Schema spells them.
std::string SchemaType(const nlohmann::json& value) {
  if (value.is_null()) return "null";
  if (value.is_string()) return "string";
  if (value.is_number_integer()) return "integer";
  if (value.is_object()) return "object";
  return value.type_name();
}

TEST_F(ExportCommandTest, EveryRecordHasTheFieldsAndTypesOfTheSchemaInItsOrder) {
  InsertNastyRows(db_);
  JobRow full;
  full.prompt_id = "full";
  full.state = "failed";
  full.output = "partial";
  full.runtime = 12;
  full.remote_id = "9f22";
  full.attempts = 3;
  full.error = "HTTP 400";
  full.submitted_at = "2024-05-06T21:27:00.000Z";
  full.finished_at = "2024-05-06T21:28:00.000Z";
  full.repeat = 1;
  full.vars = R"({"lang":"fr"})";
  db_.Insert(full);
  const nlohmann::json schema = nlohmann::json::parse(ReadFile(EXPORT_SCHEMA));
  const Result result = Export(dir_, db_.path(), {"--format", "jsonl"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    const auto record = nlohmann::ordered_json::parse(line);
    std::vector<std::string> keys;
    for (const auto& item : record.items()) {
      keys.push_back(item.key());
      const nlohmann::json& property = schema.at("properties").at(item.key());
      const nlohmann::json value = item.value();
      if (property.contains("enum")) {
        EXPECT_NE(std::find(property["enum"].begin(), property["enum"].end(), value),
                  property["enum"].end())
            << item.key() << " = " << value;
        continue;
      }
      const nlohmann::json types = property["type"].is_array()
                                       ? property["type"]
                                       : nlohmann::json::array({property["type"]});
      EXPECT_NE(std::find(types.begin(), types.end(), SchemaType(value)), types.end())
          << item.key() << " is " << SchemaType(value);
    }
    EXPECT_EQ(keys, schema.at("required").get<std::vector<std::string>>());
  }
}

// A writer keeps committing while the export runs in another process: every
// transaction sets one generation number on all rows and adds ten rows, so
// a consistent snapshot has a single generation N and 2000 + 10 N rows.
TEST_F(ExportCommandTest, ExportsAConsistentSnapshotWhileAnotherProcessWrites) {
  db_.Exec("BEGIN");
  JobRow row;
  row.state = "running";
  row.output = std::string(2000, 'x');
  for (int i = 0; i < 2000; ++i) {
    row.prompt_id = "p" + std::to_string(i);
    db_.Insert(row);
  }
  db_.Exec("COMMIT");

  std::atomic<bool> export_done = false;
  std::atomic<int> generation = 0;
  std::thread writer([&] {
    // Bounded: stops when the export is done, or after 400 transactions.
    for (int n = 1; n <= 400 && !export_done; ++n) {
      db_.Exec("BEGIN IMMEDIATE");
      db_.Exec("UPDATE job_state SET attempts = " + std::to_string(n));
      JobRow extra = row;
      extra.attempts = n;
      for (int k = 0; k < 10; ++k) {
        extra.prompt_id = "g" + std::to_string(n) + "-" + std::to_string(k);
        db_.Insert(extra);
      }
      db_.Exec("COMMIT");
      generation = n;
    }
  });
  while (generation == 0) std::this_thread::yield();
  const Result result = Export(dir_, db_.path(), {"--format", "jsonl"});
  export_done = true;
  writer.join();

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::vector<nlohmann::json> records = ParseLines(result.out);
  ASSERT_FALSE(records.empty());
  const int seen = records.front().at("attempts");
  EXPECT_GE(seen, 1);
  std::size_t other_generations = 0;
  for (const nlohmann::json& record : records) other_generations += record.at("attempts") != seen;
  EXPECT_EQ(other_generations, 0u);
  EXPECT_EQ(records.size(), 2000u + 10u * static_cast<std::size_t>(seen));
  EXPECT_EQ(result.err, "exported " + std::to_string(records.size()) + " rows to stdout\n");
  // Not asserted (timing decides): how far the writer got past the snapshot.
  std::cout << "snapshot at generation " << seen << "; writer reached " << generation << "\n";
}

}  // namespace
}  // namespace gridbatch
