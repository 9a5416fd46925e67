// The manifest's basic shape: batch settings, models, the `prompts` list,
// job order, and the file-level entry points.
#include "gridbatch/manifest.hpp"

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

}  // namespace
}  // namespace gridbatch::manifest
