// Every manifest in examples/ loads without a problem and makes the number
// of jobs its comments promise (small enough for the bundled simulator).
#include <gtest/gtest.h>

#include <map>

#include "gridbatch/manifest/manifest.hpp"
#include "test_support.hpp"

namespace gridbatch::manifest {
namespace {

const std::filesystem::path kExamples = std::filesystem::path(GRIDBATCH_SOURCE_DIR) / "examples";

TEST(ExamplesTest, EveryExampleLoadsAndMakesTheJobsItPromises) {
  const std::map<std::string, std::uint64_t> expected = {
      {"capitals.yaml", 4}, {"sweep.yaml", 18}, {"from-file.yaml", 8}, {"from-jsonl.yaml", 12}};
  std::map<std::string, std::uint64_t> found;
  for (const auto& entry : std::filesystem::directory_iterator(kExamples)) {
    if (entry.path().extension() != ".yaml") continue;
    const ParseResult result = LoadManifestFile(entry.path());
    const std::string name = entry.path().filename().string();
    EXPECT_EQ(testing::Messages(result.errors), std::vector<std::string>{}) << name;
    EXPECT_EQ(testing::Messages(result.warnings), std::vector<std::string>{}) << name;
    if (!result.manifest) continue;
    found[name] = CountJobs(*result.manifest);
    EXPECT_EQ(testing::JobLines(*result.manifest).size(), found[name]) << name;
  }
  EXPECT_EQ(found, expected);
}

TEST(ExamplesTest, SweepExampleMakesTheDocumentedPrompts) {
  const ParseResult result = LoadManifestFile(kExamples / "sweep.yaml");
  ASSERT_NE(result.manifest, nullptr);
  const auto jobs = testing::JobLines(*result.manifest);
  ASSERT_EQ(jobs.size(), 18u);
  EXPECT_EQ(jobs[0].substr(jobs[0].find(" | ")),
            " | What is the capital of France? Answer in English, in one word. | gemma:2b | 0 | "
            "country=France,lang=English");
  EXPECT_EQ(jobs[17].substr(jobs[17].find(" | ")),
            " | Which river flows through Tokyo? Reply as JSON: {\"river\": \"<name>\"} | gemma:2b "
            "| 1 | city=Tokyo,expected=Sumida");
}

}  // namespace
}  // namespace gridbatch::manifest
