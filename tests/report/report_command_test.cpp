// `gridbatch report` end to end: the real binary on real database files,
// hostile text in prompts, outputs and errors, the refusals and their exit
// codes, and a report taken while a run writes.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "binary_fixture.hpp"
#include "report_page_check.hpp"

namespace gridbatch::reliability {
namespace {

class ReportCommandTest : public BinaryFixture {
 protected:
  std::string ReportPath() const { return PathOf("report.html"); }

  ChildResult Report(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"report", "--db", db_path_, "-o", ReportPath()};
    args.insert(args.end(), extra.begin(), extra.end());
    return Gridbatch(args);
  }

  void Exec(const std::string& sql) {
    SQLite::Database db(db_path_, SQLite::OPEN_READWRITE);
    db.exec(sql);
  }

  std::vector<std::string> Listing() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
};

std::size_t Occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

TEST_F(ReportCommandTest, WritesOnePageWithEveryHostileTextEscaped) {
  Load("hostile", {"</script><script>alert(1)</script>", "<img src=x onerror=alert(2)>", "plain"},
       {"gemma:2b", "<b>model</b>"});
  Exec(
      "UPDATE jobs SET output = '<img src=y onerror=alert(3)></script><!--' WHERE prompt = "
      "'plain'");
  Exec(
      "UPDATE job_state SET state = 'failed', last_error = '<svg onload=alert(4)>'"
      " WHERE job_id IN (SELECT id FROM jobs WHERE prompt LIKE '<img%')");
  const ChildResult r = Report();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "report: 6 job(s), 3 of 3 result row(s) shown, written to " + ReportPath() + "\n");
  const std::string page = ReadFile(ReportPath());
  // Four script elements: the error collector, the data, Chart.js, the page's own.
  EXPECT_EQ(Occurrences(page, "<script"), 4u);
  EXPECT_EQ(Occurrences(page, "</script>"), 4u);
  for (const char* raw : {"<img", "<svg", "<b>model", "<script>alert", "<!--"}) {
    EXPECT_EQ(page.find(raw), std::string::npos) << raw;
  }
  EXPECT_NE(page.find("&lt;img src=x onerror=alert(2)&gt;"), std::string::npos);
  EXPECT_NE(page.find("&lt;svg onload=alert(4)&gt;"), std::string::npos);
  EXPECT_NE(page.find("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.find("\\u003cb\\u003emodel\\u003c/b\\u003e"),
            std::string::npos);  // in the chart data
  testing::ExpectNoNetworkReference(page);
}

TEST_F(ReportCommandTest, CountsEqualStatusJson) {
  Load("b1", {"one", "two", "three"}, {"gemma:2b", "llama3:8b"});
  Load("b2", {"four"}, {"gemma:2b"});
  Exec("UPDATE job_state SET state = 'completed' WHERE job_id % 3 = 0");
  Exec("UPDATE job_state SET state = 'running' WHERE job_id % 3 = 1");
  ASSERT_EQ(Report().exit_code, 0);
  const ChildResult status = Gridbatch({"status", "--json", "--db", db_path_});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  testing::ExpectCountsEqualStatus(ReadFile(ReportPath()), status.out);
}

TEST_F(ReportCommandTest, ShowsHowManyRowsOfHowMany) {
  std::vector<std::string> prompts;
  for (int i = 0; i < 25; ++i) prompts.push_back("prompt " + std::to_string(i));
  Load("many", prompts, {"gemma:2b"});
  ASSERT_EQ(Report({"--max-rows", "10"}).exit_code, 0);
  const std::string page = ReadFile(ReportPath());
  EXPECT_NE(page.find("data-shown=\"10\" data-total=\"25\">showing 10 of 25 rows"),
            std::string::npos);
  EXPECT_EQ(Occurrences(page, "<tr data-states="), 10u);
}

TEST_F(ReportCommandTest, RefusesAMissingDatabaseAndWritesNothing) {
  const ChildResult r = Gridbatch({"report", "--db", PathOf("none.db"), "-o", ReportPath()});
  EXPECT_EQ(r.exit_code, 66);
  EXPECT_EQ(r.err, "gridbatch: database " + PathOf("none.db") + ": no such file\n");
  EXPECT_FALSE(std::filesystem::exists(ReportPath()));
}

TEST_F(ReportCommandTest, RefusesAnUnknownBatchAndLeavesTheOldReport) {
  LoadExistingRows();
  Write("report.html", "old report");
  const ChildResult r = Report({"--batch", "nope"});
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_EQ(r.err,
            "gridbatch: database " + db_path_ + ": no batch named 'nope' (batches: existing)\n");
  EXPECT_EQ(ReadFile(ReportPath()), "old report");
  for (const std::string& name : Listing()) {
    EXPECT_EQ(name.find(".report.html.tmp"), std::string::npos) << "left behind: " << name;
  }
}

TEST_F(ReportCommandTest, RefusesBadOptions) {
  LoadExistingRows();
  EXPECT_EQ(Report({"--max-rows", "0"}).exit_code, 64);
  const ChildResult over = Gridbatch({"report", "--db", db_path_, "-o", db_path_});
  EXPECT_EQ(over.exit_code, 64);
  EXPECT_EQ(over.err, "gridbatch: -o " + db_path_ + ": that is the database being reported on\n");
  EXPECT_EQ(Snapshot(db_path_).jobs, 2);
}

TEST_F(ReportCommandTest, HelpExplainsThePage) {
  const ChildResult r = Gridbatch({"report", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* text : {"--max-rows", "--batch", "-o,--output", "suspected duplicate submits",
                           "no network request", "chosen evenly"}) {
    EXPECT_NE(r.out.find(text), std::string::npos) << text;
  }
}

// A report taken mid-run: a consistent snapshot whose counts add up, while
// the run carries on undisturbed to the end.
TEST_F(ReportCommandTest, WorksWhileARunWrites) {
  std::vector<std::string> prompts;
  for (int i = 0; i < 40; ++i) prompts.push_back("question " + std::to_string(i));
  Load("live", prompts, {"gemma:2b", "llama3:8b"});
  StartSim({.queue_seconds = 0.05, .run_seconds = 0.4});
  std::atomic<int> stop{0};
  run::RunOptions options = FastOptions();
  options.rate_per_second = 40;
  options.burst = 1;
  run::RunResult result;
  std::thread runner([&] { result = Run(options, stop); });
  // Wait for the run to be under way: some jobs final, some not.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    auto counts = StateCounts();
    if (counts["completed"] > 0 && counts["completed"] < 80) break;
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const ChildResult r = Report();
  runner.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string page = ReadFile(ReportPath());
  const std::map<std::string, std::uint64_t> cells = testing::PageCounts(page);
  EXPECT_EQ(cells.at("live|*|total"), 80u);
  std::uint64_t sum = 0;
  for (const char* state :
       {"pending", "submitting", "submitted", "running", "completed", "failed", "cancelled"}) {
    sum += cells.at(std::string("live|*|") + state);
  }
  EXPECT_EQ(sum, 80u);
  EXPECT_LT(cells.at("live|*|completed"), 80u) << "the report came after the run";
  EXPECT_NE(page.find("wall time so far"), std::string::npos);
  EXPECT_EQ(StateCounts()["completed"], 80);
}

}  // namespace
}  // namespace gridbatch::reliability
