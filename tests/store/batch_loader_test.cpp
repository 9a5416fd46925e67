#include "gridbatch/store/batch_loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "gridbatch/error.hpp"
#include "job_store_impl.hpp"
#include "store_test_util.hpp"

namespace gridbatch::store {
namespace {

using testing::Batch;
using testing::Exec;
using testing::Job;
using testing::Load;
using testing::QueryInt;
using testing::QueryText;
using testing::TempDir;
using Tracking = LoadOptions::SeenTracking;

std::string CountsOf(const LoadCounts& c) {
  return std::to_string(c.added) + " new, " + std::to_string(c.already_present) + " present, " +
         std::to_string(c.no_longer_listed) + " gone, " + std::to_string(c.listed) + " listed";
}

std::vector<JobSpec> Jobs(const std::vector<std::string>& ids) {
  std::vector<JobSpec> jobs;
  for (const auto& id : ids) jobs.push_back(Job(id, "gemma:2b"));
  return jobs;
}

TEST(BatchLoaderTest, StoresEachJobWithItsFieldsAndTimes) {
  TempDir dir;
  const auto path = dir.File("jobs.db");
  auto store = JobStore::Open(path);
  const FakeClock clock(1700000000.25);
  BatchSpec batch = Batch("capitals");
  batch.hours = 2;
  batch.manifest_path = "capitals.yaml";
  BatchLoader loader(*store, batch, clock);
  loader.Add(Job("q1", "llama3:8b", "What is the capital of Peru?", 1));
  EXPECT_EQ(CountsOf(loader.Commit()), "1 new, 0 present, 0 gone, 1 listed");
  EXPECT_EQ(QueryText(path,
                      "SELECT b.name || '|' || j.prompt_id || '|' || j.model || '|' || "
                      "j.prompt || '|' || j.repeat_index || '|' || s.state || '|' || "
                      "s.attempts || '|' || ifnull(j.vars, 'NULL') || '|' || j.created_at "
                      "|| '|' || s.updated_at || '|' || typeof(j.content_key) || "
                      "length(j.content_key) || '|' || s.batch_id || s.model FROM jobs j "
                      "JOIN batches b ON b.id = j.batch_id JOIN job_state s ON s.job_id = j.id"),
            "capitals|q1|llama3:8b|What is the capital of Peru?|1|pending|0|NULL|"
            "2023-11-14T22:13:20.250Z|2023-11-14T22:13:20.250Z|blob16|1llama3:8b");
  EXPECT_EQ(QueryText(path,
                      "SELECT name || '|' || app || '|' || hours || '|' || manifest_path "
                      "|| '|' || created_at || '|' || load_serial FROM batches"),
            "capitals|gridrepublic:text-inference|2.0|capitals.yaml|2023-11-14T22:13:20.250Z|1");
}

TEST(BatchLoaderTest, ContentKeyIsTheDocumentedHash) {
  TempDir dir;
  const auto path = dir.File("key.db");
  auto store = JobStore::Open(path);
  Load(*store, Batch("capitals"), {Job("q1", "gemma:2b", "What is the capital of France?")});
  EXPECT_EQ(QueryText(path, "SELECT lower(hex(content_key)) FROM jobs"),
            "57889e4418652d7a43b68f69962f8a50");
}

TEST(BatchLoaderTest, StoresVarsAsAJsonObjectInDeclarationOrder) {
  TempDir dir;
  const auto path = dir.File("vars.db");
  auto store = JobStore::Open(path);
  JobSpec job = Job("v1", "gemma:2b");
  job.vars = {{"zeta", "Z"}, {"alpha", "say \"hi\"\\\n\t\x01 é"}};
  Load(*store, Batch("sweep"), {job});
  const std::string text = QueryText(path, "SELECT vars FROM jobs");
  EXPECT_EQ(text, "{\"zeta\":\"Z\",\"alpha\":\"say \\\"hi\\\"\\\\\\n\\t\\u0001 é\"}");
  const auto parsed = nlohmann::ordered_json::parse(text);
  EXPECT_EQ(parsed.begin().key(), "zeta");
  EXPECT_EQ(parsed["alpha"], "say \"hi\"\\\n\t\x01 é");
}

TEST(BatchLoaderTest, StoresNumbersAndBooleansWithTheirJsonTypes) {
  TempDir dir;
  const auto path = dir.File("typed.db");
  auto store = JobStore::Open(path);
  JobSpec job = Job("v1", "gemma:2b");
  job.vars = {{"expected", "107", VarType::kNumber},
              {"label", "107"},
              {"t", "0.7", VarType::kNumber},
              {"ok", "True", VarType::kBoolean},
              {"no", "FALSE", VarType::kBoolean}};
  Load(*store, Batch("sweep"), {job});
  EXPECT_EQ(QueryText(path, "SELECT vars FROM jobs"),
            R"({"expected":107,"label":"107","t":0.7,"ok":true,"no":false})");
  EXPECT_EQ(QueryText(path,
                      "SELECT json_type(vars, '$.expected') || ',' || "
                      "json_type(vars, '$.label') || ',' || json_type(vars, '$.ok') FROM jobs"),
            "integer,text,true");
}

// A job loaded again keeps its content key (the variables are not part of
// it), adds nothing, and takes the manifest's variables: a database that an
// earlier gridbatch loaded with every value as a string gets their types.
TEST(BatchLoaderTest, ReloadingAddsNothingAndGivesStoredVariablesTheirTypes) {
  TempDir dir;
  const auto path = dir.File("retype.db");
  auto store = JobStore::Open(path);
  JobSpec job = Job("v1", "gemma:2b");
  job.vars = {{"words", "20", VarType::kNumber}};
  Load(*store, Batch("sweep"), {job});
  const std::string key = QueryText(path, "SELECT hex(content_key) FROM jobs");
  EXPECT_EQ(CountsOf(Load(*store, Batch("sweep"), {job})), "0 new, 1 present, 0 gone, 1 listed");
  Exec(path, R"(UPDATE jobs SET vars = '{"words":"20"}')");  // as version 2 stored it
  EXPECT_EQ(CountsOf(Load(*store, Batch("sweep"), {job})), "0 new, 1 present, 0 gone, 1 listed");
  EXPECT_EQ(QueryText(path, "SELECT vars FROM jobs"), R"({"words":20})");
  EXPECT_EQ(QueryText(path, "SELECT hex(content_key) FROM jobs"), key);
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM jobs"), 1);
}

class SeenTrackingTest : public ::testing::TestWithParam<Tracking> {
 protected:
  LoadOptions Options() const { return LoadOptions{.seen_tracking = GetParam()}; }
};

TEST_P(SeenTrackingTest, ReloadingTheSameJobsAddsNothing) {
  TempDir dir;
  const auto path = dir.File("again.db");
  auto store = JobStore::Open(path);
  const auto jobs = Jobs({"a", "b", "c"});
  EXPECT_EQ(CountsOf(Load(*store, Batch("b1"), jobs, Options())),
            "3 new, 0 present, 0 gone, 3 listed");
  EXPECT_EQ(CountsOf(Load(*store, Batch("b1"), jobs, Options())),
            "0 new, 3 present, 0 gone, 3 listed");
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM jobs"), 3);
}

TEST_P(SeenTrackingTest, AnEditedManifestAddsOnlyItsNewJobsAndLeavesDroppedOnesAlone) {
  TempDir dir;
  const auto path = dir.File("edit.db");
  auto store = JobStore::Open(path);
  Load(*store, Batch("b1"), Jobs({"a", "b", "c"}), Options());
  Exec(path,
       "UPDATE jobs SET output = 'done' WHERE prompt_id = 'a'; UPDATE job_state SET state = "
       "'completed' WHERE job_id = (SELECT id FROM jobs WHERE prompt_id = 'a')");
  EXPECT_EQ(CountsOf(Load(*store, Batch("b1"), Jobs({"b", "c", "d", "e"}), Options())),
            "2 new, 2 present, 1 gone, 4 listed");
  EXPECT_EQ(QueryText(path,
                      "SELECT group_concat(prompt_id || ':' || state, ' ') FROM "
                      "(SELECT * FROM jobs JOIN job_state ON job_id = id ORDER BY prompt_id)"),
            "a:completed b:pending c:pending d:pending e:pending");
  EXPECT_EQ(QueryText(path, "SELECT output FROM jobs WHERE prompt_id = 'a'"), "done");
}

TEST_P(SeenTrackingTest, AChangedPromptIsANewJob) {
  TempDir dir;
  auto store = JobStore::Open(dir.File("changed.db"));
  Load(*store, Batch("b1"), {Job("a", "m", "old text")}, Options());
  EXPECT_EQ(CountsOf(Load(*store, Batch("b1"), {Job("a", "m", "new text")}, Options())),
            "1 new, 0 present, 1 gone, 1 listed");
}

TEST_P(SeenTrackingTest, AJobListedTwiceInOneLoadCountsOnce) {
  TempDir dir;
  auto store = JobStore::Open(dir.File("twice.db"));
  EXPECT_EQ(CountsOf(Load(*store, Batch("b1"), Jobs({"a", "a", "b"}), Options())),
            "2 new, 0 present, 0 gone, 2 listed");
  EXPECT_EQ(CountsOf(Load(*store, Batch("b1"), Jobs({"a", "a"}), Options())),
            "0 new, 1 present, 1 gone, 1 listed");
}

TEST_P(SeenTrackingTest, BatchesWithTheSameJobsAreKeptApart) {
  TempDir dir;
  const auto path = dir.File("two.db");
  auto store = JobStore::Open(path);
  Load(*store, Batch("first"), Jobs({"a", "b"}), Options());
  EXPECT_EQ(CountsOf(Load(*store, Batch("second"), Jobs({"a"}), Options())),
            "1 new, 0 present, 0 gone, 1 listed");
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM jobs"), 3);
}

TEST_P(SeenTrackingTest, LoadsAHundredThousandJobsAndReloadsThemIdempotently) {
  TempDir dir;
  const auto path = dir.File("large.db");
  auto store = JobStore::Open(path);
  constexpr int kJobs = 100'000;
  const auto load = [&] {
    BatchLoader loader(*store, Batch("sweep"), SystemClock::Instance(), Options());
    JobSpec job = Job("", "gemma:2b");
    job.vars = {{"n", ""}};
    for (int i = 0; i < kJobs; ++i) {
      job.prompt_id = "p" + std::to_string(i);
      job.prompt = "What is " + std::to_string(i) + " squared?";
      job.vars[0].value = std::to_string(i);
      loader.Add(job);
    }
    return loader.Commit();
  };
  EXPECT_EQ(CountsOf(load()), "100000 new, 0 present, 0 gone, 100000 listed");
  EXPECT_EQ(CountsOf(load()), "0 new, 100000 present, 0 gone, 100000 listed");
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM jobs"), kJobs);
  EXPECT_EQ(QueryText(path, "SELECT vars FROM jobs WHERE prompt_id = 'p99999'"),
            "{\"n\":\"99999\"}");
}

// A first load inserts 32 jobs per statement and the rest one by one: jobs
// listed twice within a statement, across two, and among the last few count
// once, and every row keeps its own fields, in the order listed.
TEST_P(SeenTrackingTest, AFirstLoadOfManyJobsKeepsEachRowAndCountsRepeatsOnce) {
  TempDir dir;
  const auto path = dir.File("batched.db");
  auto store = JobStore::Open(path);
  std::vector<JobSpec> jobs;
  for (int i = 0; i < 100; ++i) {
    JobSpec job =
        Job("p" + std::to_string(i), i % 2 ? "m1" : "m2", "prompt " + std::to_string(i), i % 3);
    if (i % 5 == 0) job.vars = {{"i", std::to_string(i)}};
    jobs.push_back(job);
    // Again at once (same statement), after a statement's end, among the last.
    if (i == 3 || i == 30 || i == 98) jobs.push_back(job);
  }
  jobs.push_back(jobs[0]);
  ASSERT_EQ(jobs.size(), 104u);
  EXPECT_EQ(CountsOf(Load(*store, Batch("b"), jobs, Options())),
            "100 new, 0 present, 0 gone, 100 listed");
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM jobs"), 100);
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM job_state WHERE state = 'pending'"), 100);
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    expected += (i ? ";p" : "p") + std::to_string(i) + "|" + (i % 2 ? "m1" : "m2") + "|prompt " +
                std::to_string(i) + "|" + std::to_string(i % 3) + "|" +
                (i % 5 == 0 ? "{\"i\":\"" + std::to_string(i) + "\"}" : "NULL");
  }
  EXPECT_EQ(QueryText(path,
                      "SELECT group_concat(prompt_id || '|' || model || '|' || prompt || "
                      "'|' || repeat_index || '|' || ifnull(vars, 'NULL'), ';') "
                      "FROM (SELECT * FROM jobs ORDER BY id)"),
            expected);
  EXPECT_EQ(CountsOf(Load(*store, Batch("b"), jobs, Options())),
            "0 new, 100 present, 0 gone, 100 listed");
}

INSTANTIATE_TEST_SUITE_P(BothStrategies, SeenTrackingTest,
                         ::testing::Values(Tracking::kTempTable, Tracking::kLoadSerial),
                         [](const ::testing::TestParamInfo<Tracking>& param_info) {
                           return param_info.param == Tracking::kTempTable
                                      ? std::string("TempTable")
                                      : std::string("LoadSerial");
                         });

TEST(BatchLoaderTest, ReloadingUpdatesTheBatchSettingsAndKeepsItsCreationTime) {
  TempDir dir;
  const auto path = dir.File("settings.db");
  auto store = JobStore::Open(path);
  BatchSpec batch = Batch("b1");
  batch.hours = 1.5;
  batch.manifest_path = "old.yaml";
  { BatchLoader(*store, batch, FakeClock(1700000000)).Commit(); }
  batch.app = "other:app";
  batch.hours.reset();
  batch.manifest_path = "new.yaml";
  { BatchLoader(*store, batch, FakeClock(1700000060)).Commit(); }
  EXPECT_EQ(QueryText(path,
                      "SELECT app || '|' || ifnull(hours, 'NULL') || '|' || manifest_path "
                      "|| '|' || created_at || '|' || updated_at || '|' || load_serial "
                      "FROM batches"),
            "other:app|NULL|new.yaml|2023-11-14T22:13:20.000Z|2023-11-14T22:14:20.000Z|2");
}

TEST(BatchLoaderTest, ALoaderDestroyedWithoutCommitLeavesNoTrace) {
  TempDir dir;
  const auto path = dir.File("abandoned.db");
  auto store = JobStore::Open(path);
  Load(*store, Batch("kept"), Jobs({"a"}));
  {
    BatchLoader loader(*store, Batch("abandoned"));
    loader.Add(Job("x", "m"));
    loader.Add(Job("y", "m"));
  }
  {
    BatchLoader loader(*store, Batch("kept"));
    loader.Add(Job("z", "m"));
  }
  EXPECT_EQ(QueryText(path, "SELECT group_concat(name) FROM batches"), "kept");
  EXPECT_EQ(QueryText(path, "SELECT group_concat(prompt_id) FROM jobs"), "a");
  EXPECT_EQ(QueryInt(path, "SELECT load_serial FROM batches"), 1);
}

// Bytes this process has passed to write(2) and pwrite(2) so far.
std::uint64_t BytesWritten() {
  std::ifstream io("/proc/self/io");
  for (std::string key; io >> key;) {
    std::uint64_t value = 0;
    io >> value;
    if (key == "wchar:") return value;
  }
  return 0;
}

// An insert that could fail midway needs a statement journal: SQLite saves
// each existing page it touches, per insert, and past the page cache writes
// them to a temporary file (1.46 million writes for 300,000 jobs). The
// loader's inserts cannot fail midway, so a load writes its pages to the WAL
// and the checkpoint copies them once: about twice the file, not 20 times.
TEST(BatchLoaderTest, ALoadPastItsPageCacheWritesAboutTwiceWhatTheFileHolds) {
  TempDir dir;
  const auto path = dir.File("spill.db");
  auto store = JobStore::Open(path);
  LoadOptions options;
  options.cache_kib = 2048;  // the page cache is full after about 7,000 jobs
  const std::uint64_t before = BytesWritten();
  {
    BatchLoader loader(*store, Batch("b"), SystemClock::Instance(), options);
    JobSpec job = Job("", "gemma:2b");
    for (int i = 0; i < 20'000; ++i) {
      job.prompt_id = "p" + std::to_string(i);
      job.prompt = "Question " + std::to_string(i) + ": what is the square root of " +
                   std::to_string(i * 7919) + ", to three decimals?";
      loader.Add(job);
    }
    loader.Commit();
  }
  store.reset();  // the last connection checkpoints the WAL into the file
  const std::uint64_t written = BytesWritten() - before;
  const auto file_bytes = static_cast<std::uint64_t>(std::filesystem::file_size(path));
  EXPECT_GT(file_bytes, 2'000'000u);
  EXPECT_LT(written, 3 * file_bytes) << written << " bytes written for a file of " << file_bytes;
}

// The load turns foreign-key enforcement off for its own inserts only.
TEST(BatchLoaderTest, ForeignKeysAreEnforcedAgainAfterALoadCommittedOrNot) {
  TempDir dir;
  auto store = JobStore::Open(dir.File("fk.db"));
  SQLite::Database& db = store->impl().db;
  ASSERT_EQ(db.execAndGet("PRAGMA foreign_keys").getInt(), 1);
  Load(*store, Batch("kept"), Jobs({"a", "b"}));
  EXPECT_EQ(db.execAndGet("PRAGMA foreign_keys").getInt(), 1);
  {
    BatchLoader loader(*store, Batch("abandoned"));
    loader.Add(Job("x", "m"));
    EXPECT_EQ(db.execAndGet("PRAGMA foreign_keys").getInt(), 0);
  }
  EXPECT_EQ(db.execAndGet("PRAGMA foreign_keys").getInt(), 1);
  EXPECT_THROW(db.exec("INSERT INTO jobs (batch_id, content_key, prompt_id, model, prompt, "
                       "created_at) VALUES (99, x'00', 'p', 'm', 'q', 't')"),
               SQLite::Exception);
}

TEST(BatchLoaderTest, ADiskFullDuringALoadThrowsNamingTheFileAndKeepsEarlierLoads) {
  TempDir dir;
  const auto path = dir.File("full.db");
  auto store = JobStore::Open(path);
  Load(*store, Batch("kept"), Jobs({"a", "b"}));
  // SQLite reports SQLITE_FULL once the file would pass max_page_count,
  // exactly as for a full disk.
  const auto pages = store->impl().db.execAndGet("PRAGMA page_count").getInt();
  store->impl().db.exec("PRAGMA max_page_count = " + std::to_string(pages + 2));
  std::string message;
  try {
    BatchLoader loader(*store, Batch("big"));
    for (int i = 0; i < 10000; ++i) loader.Add(Job("p" + std::to_string(i), "m"));
    loader.Commit();
  } catch (const Error& e) {
    message = std::to_string(e.exit_code()) + " " + e.what();
  }
  EXPECT_EQ(message, "74 database " + path + ": load batch 'big': database or disk is full");
  store.reset();
  EXPECT_EQ(QueryText(path, "SELECT group_concat(name) FROM batches"), "kept");
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM jobs"), 2);
  EXPECT_EQ(QueryText(path, "PRAGMA integrity_check"), "ok");
}

TEST(BatchLoaderTest, AReadOnlyDatabaseThrowsNamingTheFileAndKeepsItsRows) {
  TempDir dir;
  const auto path = dir.File("readonly.db");
  auto store = JobStore::Open(path);
  Load(*store, Batch("kept"), Jobs({"a"}));
  // What a read-only file gives; file permissions cannot show it to root.
  store->impl().db.exec("PRAGMA query_only = ON");
  std::string message;
  try {
    BatchLoader loader(*store, Batch("kept"));
    loader.Add(Job("b", "m"));
    loader.Commit();
  } catch (const Error& e) {
    message = std::to_string(e.exit_code()) + " " + e.what();
  }
  EXPECT_EQ(message,
            "74 database " + path + ": load batch 'kept': attempt to write a readonly database");
  store.reset();
  EXPECT_EQ(QueryText(path, "SELECT group_concat(prompt_id) FROM jobs"), "a");
}

}  // namespace
}  // namespace gridbatch::store
