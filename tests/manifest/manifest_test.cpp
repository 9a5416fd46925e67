// The manifest's basic shape: batch settings, models, the `prompts` list,
// job order, and the file-level entry points.
#include "gridbatch/manifest/manifest.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace gridbatch::manifest {
namespace {

using testing::JobsOf;
using testing::Messages;
using testing::Parse;
using Lines = std::vector<std::string>;

constexpr std::string_view kDesignExample = R"y(name: capitals                 # batch name
models: [gemma:2b, llama3:8b]  # or: model: gemma:2b
prompts:
  - "What is the capital of France?"
  - id: q2
    prompt: "What is the capital of Peru?"
)y";

TEST(ManifestTest, DesignExampleRunsEveryPromptOnEveryModel) {
  EXPECT_EQ(JobsOf(kDesignExample),
            (Lines{"p-99841a4b9513591b | What is the capital of France? | gemma:2b | 0 |",
                   "p-99841a4b9513591b | What is the capital of France? | llama3:8b | 0 |",
                   "q2 | What is the capital of Peru? | gemma:2b | 0 |",
                   "q2 | What is the capital of Peru? | llama3:8b | 0 |"}));
}

TEST(ManifestTest, BatchSettingsHaveDefaults) {
  const ParseResult result = Parse(kDesignExample);
  ASSERT_NE(result.manifest, nullptr);
  const BatchSpec& batch = Batch(*result.manifest);
  EXPECT_EQ(batch.name, "capitals");
  EXPECT_EQ(batch.app, "gridrepublic:text-inference");
  EXPECT_EQ(batch.hours, std::nullopt);
  EXPECT_EQ(batch.manifest_path, "m.yaml");
  EXPECT_EQ(CountJobs(*result.manifest), 4u);
  EXPECT_EQ(Messages(result.warnings), Lines{});
}

TEST(ManifestTest, BatchSettingsCanBeGiven) {
  const ParseResult result = Parse("name: b\napp: other:app\nhours: 1.5\nmodel: m\nprompts: [x]\n");
  ASSERT_NE(result.manifest, nullptr);
  const BatchSpec& batch = Batch(*result.manifest);
  EXPECT_EQ(batch.app, "other:app");
  EXPECT_EQ(batch.hours, 1.5);
}

TEST(ManifestTest, SingleModelKeyActsAsAListOfOne) {
  EXPECT_EQ(JobsOf("name: b\nmodel: gemma:2b\nprompts: [Hi]\n"),
            Lines{"p-8b4e01034ae93905 | Hi | gemma:2b | 0 |"});
}

TEST(ManifestTest, PromptCanNarrowTheModelsAndKeepsTheBatchOrder) {
  EXPECT_EQ(JobsOf(R"y(name: b
models: [a, b, c]
prompts:
  - {id: one, prompt: One, models: [c, a]}
  - {id: two, prompt: Two, model: b}
)y"),
            (Lines{"one | One | a | 0 |", "one | One | c | 0 |", "two | Two | b | 0 |"}));
}

TEST(ManifestTest, RepeatNumbersRunsFromZeroAndPromptsOverrideTheBatchDefault) {
  EXPECT_EQ(JobsOf(R"y(name: b
models: [a, b]
repeat: 2
prompts:
  - {id: one, prompt: One}
  - {id: two, prompt: Two, repeat: 1, model: b}
)y"),
            (Lines{"one | One | a | 0 |", "one | One | a | 1 |", "one | One | b | 0 |",
                   "one | One | b | 1 |", "two | Two | b | 0 |"}));
}

TEST(ManifestTest, MultiLinePromptsKeepTheirNewlines) {
  EXPECT_EQ(
      JobsOf("name: b\nmodel: m\nprompts:\n  - id: q\n    prompt: |\n      line 1\n      line 2\n"),
      Lines{"q | line 1\nline 2\n | m | 0 |"});
}

TEST(ManifestTest, ByteOrderMarkAndCrlfLineEndsAreAccepted) {
  EXPECT_EQ(JobsOf("\xEF\xBB\xBFname: b\r\nmodel: m\r\nprompts:\r\n  - {id: q, prompt: Hi}\r\n"),
            Lines{"q | Hi | m | 0 |"});
}

TEST(ManifestTest, PromptsComeFirstThenSweepsThenFilesWhateverTheKeyOrder) {
  testing::TempDir dir;
  dir.Write("f.txt", "From file\n");
  EXPECT_EQ(JobsOf(R"y(prompt_files: [{path: f.txt}]
sweeps: [{id: s, template: "Sweep {x}", vars: {x: [1]}}]
prompts: [{id: q, prompt: Listed}]
name: b
model: m
)y",
                   dir.path()),
            (Lines{"q | Listed | m | 0 |", "s-43b43fba2410d228 | Sweep 1 | m | 0 | x=1",
                   "f-7426be5ad193d2dd | From file | m | 0 |"}));
}

TEST(ManifestTest, RepeatedPromptWithoutIdIsSkippedWithAWarning) {
  const ParseResult result = Parse("name: b\nmodel: m\nprompts:\n  - Hi\n  - Bye\n  - Hi\n");
  ASSERT_NE(result.manifest, nullptr);
  EXPECT_EQ(Messages(result.warnings),
            Lines{"m.yaml:6:5: same prompt as m.yaml:4:5 (so the same generated id "
                  "'p-8b4e01034ae93905'); skipped (use 'repeat' to run a prompt more than once)"});
  EXPECT_EQ(CountJobs(*result.manifest), 2u);
  EXPECT_EQ(testing::JobLines(*result.manifest),
            (Lines{"p-8b4e01034ae93905 | Hi | m | 0 |", "p-3f7a06116e599c31 | Bye | m | 0 |"}));
}

TEST(ManifestTest, LoadManifestFileFindsPromptFilesBesideTheManifest) {
  testing::TempDir dir;
  const auto path = dir.Write("sub/m.yaml", "name: b\nmodel: m\nprompt_files: [{path: p.txt}]\n");
  dir.Write("sub/p.txt", "Hello\n");
  const ParseResult result = LoadManifestFile(path);
  ASSERT_EQ(Messages(result.errors), Lines{});
  EXPECT_EQ(Batch(*result.manifest).manifest_path, path.string());
  EXPECT_EQ(testing::JobLines(*result.manifest), Lines{"p-4a0f7a06fa652676 | Hello | m | 0 |"});
}

TEST(ManifestTest, LoadManifestFileReportsAMissingFile) {
  testing::TempDir dir;
  const ParseResult result = LoadManifestFile(dir.path() / "none.yaml");
  EXPECT_EQ(result.manifest, nullptr);
  EXPECT_EQ(Messages(result.errors), Lines{(dir.path() / "none.yaml").string() +
                                           ": cannot open: No such file or directory"});
}

TEST(ManifestTest, LoadManifestFileReportsADirectory) {
  testing::TempDir dir;
  const ParseResult result = LoadManifestFile(dir.path());
  EXPECT_EQ(Messages(result.errors), Lines{dir.path().string() + ": cannot open: is a directory"});
}

TEST(ManifestTest, TheRunSectionHoldsRunSettings) {
  const ParseResult result = Parse(
      "name: b\nmodel: m\nprompts: [x]\nrun:\n  rate: 300/min\n  burst: 4\n"
      "  max_attempts: 7\n  poll_interval: 500ms\n  hours: 1.5\n");
  ASSERT_NE(result.manifest, nullptr) << Messages(result.errors).front();
  const RunSettings& run = RunSettingsOf(*result.manifest);
  EXPECT_EQ(run.rate_per_second, 5.0);
  EXPECT_EQ(run.burst, 4.0);
  EXPECT_EQ(run.max_attempts, 7);
  EXPECT_EQ(run.poll_interval, 0.5);
  EXPECT_EQ(Batch(*result.manifest).hours, 1.5);  // run.hours is the batch's hours
  const ParseResult none = Parse(kDesignExample);
  ASSERT_NE(none.manifest, nullptr);
  EXPECT_EQ(RunSettingsOf(*none.manifest).rate_per_second, std::nullopt);
  EXPECT_EQ(RunSettingsOf(*none.manifest).max_attempts, std::nullopt);
}

TEST(ManifestTest, TheRunSectionHoldsThePollSchedule) {
  const ParseResult result =
      Parse("name: b\nmodel: m\nprompts: [x]\nrun:\n  poll_max: 2m\n  poll: fixed\n");
  ASSERT_NE(result.manifest, nullptr) << Messages(result.errors).front();
  EXPECT_EQ(RunSettingsOf(*result.manifest).poll_max, 120.0);
  EXPECT_EQ(RunSettingsOf(*result.manifest).poll_fixed, true);
  EXPECT_EQ(testing::ErrorsOf("name: b\nmodel: m\nprompts: [x]\nrun:\n  poll_max: later\n"
                              "  poll: sometimes\n"),
            (Lines{"m.yaml:5:13: run: 'poll_max' must be a duration longer than 0, such as 30s, "
                   "1m or 5m",
                   "m.yaml:6:9: run: 'poll' must be 'adaptive' or 'fixed'"}));
  // A wait of 0 would poll every job on every turn of the loop.
  EXPECT_EQ(testing::ErrorsOf("name: b\nmodel: m\nprompts: [x]\nrun:\n  poll_max: 0\n"
                              "  poll_interval: 0s\n"),
            (Lines{"m.yaml:5:13: run: 'poll_max' must be a duration longer than 0, such as 30s, "
                   "1m or 5m",
                   "m.yaml:6:18: run: 'poll_interval' must be a duration longer than 0, such as "
                   "0.2, 500ms, 5s or 2m"}));
}

TEST(ManifestTest, TheRunSectionsValuesAreChecked) {
  EXPECT_EQ(testing::ErrorsOf("name: b\nmodel: m\nhours: 2\nprompts: [x]\nrun:\n  rate: fast\n"
                              "  burst: -1\n  max_attempts: 0\n  poll_interval: soon\n"
                              "  hours: 1\n  retries: 3\n"),
            (Lines{"m.yaml:6:9: run: 'rate' must be a rate such as 40/s, 300/min, or 0 for "
                   "unlimited",
                   "m.yaml:7:10: run: 'burst' must be a number greater than 0",
                   "m.yaml:8:17: run: 'max_attempts' must be a whole number from 1 to 1000000",
                   "m.yaml:9:18: run: 'poll_interval' must be a duration longer than 0, such as "
                   "0.2, 500ms, 5s or 2m",
                   "m.yaml:10:3: run: 'hours' is given at the top level already; give it once",
                   "m.yaml:11:3: run: unknown key 'retries'"}));
  EXPECT_EQ(testing::ErrorsOf("name: b\nmodel: m\nprompts: [x]\nrun: 5\n"),
            Lines{"m.yaml:4:6: 'run' must be a map of keys such as 'rate' and 'max_attempts'"});
}

}  // namespace
}  // namespace gridbatch::manifest
