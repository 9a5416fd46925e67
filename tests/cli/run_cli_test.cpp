// `gridbatch run` as a user starts it, against the simulator on loopback:
// what it does with nothing to do, which batch it drives, where its lines go,
// and the manifest's `run:` section.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_fixture.hpp"
#include "gridbatch/store/job_store.hpp"
#include "sim_server.hpp"

namespace gridbatch::cli {
namespace {

using testing::Outcome;
namespace fs = std::filesystem;
using testing::RunSetup;

constexpr const char* kToken = "test-token-5c1d";

class RunCliTest : public testing::CliFixture {
 protected:
  void TearDown() override {
    if (sim_) sim_->Stop();
    CliFixture::TearDown();
  }

  void StartSim(sim::SimOptions options = {.queue_seconds = 0.02, .run_seconds = 0.05}) {
    options.token = kToken;
    sim_ = std::make_unique<sim::SimServer>(options);
    sim_->Start();
  }

  // `gridbatch run <args> --db DB --endpoint SIM --poll-interval 0.05` with the token set.
  Outcome RunJobs(std::vector<std::string> args) {
    args.insert(args.begin(), "run");
    for (const char* arg : {"--db", db_.c_str(), "--poll-interval", "0.05"}) args.push_back(arg);
    args.push_back("--endpoint");
    args.push_back(sim_->Endpoint());
    return Run(args, {.env = {{"GRIDREPUBLIC_TOKEN", kToken}}});
  }

  std::string Manifest(const std::string& name, const std::string& extra = "") {
    return Write(name + ".yaml", "name: " + name + "\nmodels: [m]\n" + extra +
                                     "prompts:\n  - \"first " + name + "\"\n  - \"second " + name +
                                     "\"\n");
  }

  // "batch:state" counts, e.g. {"one:completed": 2}.
  std::map<std::string, int> States() {
    SQLite::Database db(db_);
    SQLite::Statement query(db,
                            "SELECT b.name || ':' || s.state, count(*) FROM job_state s"
                            " JOIN batches b ON b.id = s.batch_id GROUP BY 1");
    std::map<std::string, int> states;
    while (query.executeStep())
      states[query.getColumn(0).getString()] = query.getColumn(1).getInt();
    return states;
  }

  std::unique_ptr<sim::SimServer> sim_;
};

TEST_F(RunCliTest, WithNoManifestAndNoDatabaseItSaysSoExits66AndCreatesNoFile) {
  const fs::path empty = dir_ / "empty";
  fs::create_directories(empty);
  const Outcome outcome =
      Run({"run"}, {.cwd = empty.string(), .env = {{"GRIDREPUBLIC_TOKEN", kToken}}});
  EXPECT_EQ(outcome.exit_code, 66);
  EXPECT_EQ(outcome.err,
            "gridbatch: nothing to run: database gridbatch.db does not exist; give a MANIFEST to "
            "load (gridbatch run sweep.yaml)\n");
  EXPECT_TRUE(fs::is_empty(empty));
}

TEST_F(RunCliTest, WithNoManifestAndNoJobsItSaysSoAndTakesNoLock) {
  StartSim();
  store::JobStore::Open(db_);  // a new database: the schema, no jobs
  const Outcome outcome = RunJobs({});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.err, "gridbatch: nothing to run: database " + db_ +
                             " has no jobs; give a MANIFEST to load (gridbatch run sweep.yaml)\n");
  EXPECT_FALSE(fs::exists(db_ + ".lock"));
}

TEST_F(RunCliTest, RunManifestDrivesOnlyThatManifestsBatchUnlessAll) {
  StartSim();
  ASSERT_EQ(Run({"load", Manifest("one"), "--db", db_}).exit_code, 0);
  const Outcome second = RunJobs({Manifest("two"), "--progress", "json"});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(States(), (std::map<std::string, int>{{"one:pending", 2}, {"two:completed", 2}}));
  // Its progress counts only its batch.
  const auto summary = nlohmann::json::parse(second.err.substr(second.err.rfind("{\"event\"")));
  EXPECT_EQ(summary["completed"], 2);
  EXPECT_EQ(summary["pending"], 0);
  EXPECT_EQ(RunJobs({Manifest("two"), "--all"}).exit_code, 0);
  EXPECT_EQ(States(), (std::map<std::string, int>{{"one:completed", 2}, {"two:completed", 2}}));
}

TEST_F(RunCliTest, ProgressJsonPutsTheLoadLineAndEveryEventOnStderrAndNothingOnStdout) {
  StartSim();
  const Outcome outcome = RunJobs({Manifest("json"), "--progress", "json"});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "");
  std::istringstream lines(outcome.err);
  std::vector<nlohmann::json> events;
  for (std::string line; std::getline(lines, line);) {
    events.push_back(nlohmann::json::parse(line));  // throws on a line that is not JSON
  }
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.front().dump(),
            R"({"already_present":0,"batch":"json","event":"load","jobs":2,"new":2,)"
            R"("no_longer_listed":0})");
  const nlohmann::json& summary = events.back();
  EXPECT_EQ(summary["event"], "summary");
  EXPECT_EQ(summary["finished"], 2);
  // Over the whole run, however short: finished / elapsed, to the printed precision.
  const double elapsed = summary["elapsed"];
  ASSERT_GT(elapsed, 0);
  EXPECT_NEAR(summary["finish_rate"].get<double>(), 2 / elapsed, 0.01 + 2 / elapsed * 0.01);
  EXPECT_GT(summary["finish_rate"].get<double>(), 0);
}

TEST_F(RunCliTest, ProgressNoneKeepsTheSummaryAndQuietDropsIt) {
  StartSim();
  const Outcome none = RunJobs({Manifest("none"), "--progress", "none"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "");
  EXPECT_NE(none.err.find("none: 2 new, 0 already present"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("gridbatch: run ended after "), std::string::npos) << none.err;
  const Outcome quiet = RunJobs({Manifest("none"), "-q"});
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
  EXPECT_EQ(quiet.out, "");
}

TEST_F(RunCliTest, TheManifestsRunSectionSetsMaxAttemptsAndAFlagOverridesIt) {
  sim::SimOptions options{.queue_seconds = 0.02, .run_seconds = 0.05};
  options.faults.p_5xx = 1;  // every submit fails, retryably
  StartSim(options);
  const std::vector<std::string> fast = {"--backoff-base", "0.01", "--backoff-cap", "0.02"};
  std::vector<std::string> args = {Manifest("twice", "run:\n  max_attempts: 2\n  rate: 0\n")};
  args.insert(args.end(), fast.begin(), fast.end());
  EXPECT_EQ(RunJobs(args).exit_code, 0);
  SQLite::Database db(db_);
  EXPECT_EQ(db.execAndGet("SELECT group_concat(attempts) FROM job_state").getString(), "2,2");
  ASSERT_EQ(Run({"retry", "--db", db_}).exit_code, 0);
  args.push_back("--max-attempts");
  args.push_back("3");
  EXPECT_EQ(RunJobs(args).exit_code, 0);
  EXPECT_EQ(db.execAndGet("SELECT group_concat(attempts) FROM job_state").getString(), "3,3");
}

}  // namespace
}  // namespace gridbatch::cli
