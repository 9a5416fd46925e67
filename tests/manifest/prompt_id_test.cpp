// Generated prompt ids: their exact form, and their stability. Re-loading a
// manifest must add nothing and editing one must add only the new jobs, so
// an id may depend only on what identifies the prompt, never on its place.
#include <gtest/gtest.h>

#include <algorithm>

#include "test_support.hpp"

namespace gridbatch::manifest {
namespace {

using testing::JobsOf;
using Lines = std::vector<std::string>;

Lines Sorted(Lines lines) {
  std::sort(lines.begin(), lines.end());
  return lines;
}

// The jobs without their variables, whose order follows the manifest's.
Lines WithoutVars(const Lines& jobs) {
  Lines out;
  for (const std::string& job : jobs) out.push_back(job.substr(0, job.rfind(" |")));
  return Sorted(out);
}

// Whether every job of `before` is also in `after`.
bool Includes(Lines after, Lines before) {
  after = Sorted(after);
  before = Sorted(before);
  return std::includes(after.begin(), after.end(), before.begin(), before.end());
}

TEST(PromptIdTest, GeneratedIdsHaveAPrefixAndSixteenHexDigits) {
  testing::TempDir dir;
  dir.Write("q.txt", "Hi\n");
  EXPECT_EQ(JobsOf(R"y(name: b
model: m
prompts: [Hi]
sweeps:
  - {id: cap, template: "{x}", vars: {x: [Hi]}}
  - {template: "{x}", vars: {x: [Hi]}}
prompt_files:
  - {path: q.txt}
  - {path: q.txt, id_prefix: other}
)y",
                   dir.path()),
            (Lines{"p-8b4e01034ae93905 | Hi | m | 0 |", "cap-790829c2b3fb687b | Hi | m | 0 | x=Hi",
                   "s1a91f382-790829c2b3fb687b | Hi | m | 0 | x=Hi",
                   "q-8b4e01034ae93905 | Hi | m | 0 |", "other-8b4e01034ae93905 | Hi | m | 0 |"}));
}

TEST(PromptIdTest, IdsDoNotChangeWhenTheManifestIsReordered) {
  testing::TempDir dir;
  dir.Write("a.jsonl",
            "{\"prompt\": \"A\", \"vars\": {\"x\": \"1\", \"y\": \"2\"}}\n{\"prompt\": \"B\"}\n");
  dir.Write("b.jsonl",
            "{\"prompt\": \"B\"}\n{\"vars\": {\"y\": \"2\", \"x\": \"1\"}, \"prompt\": \"A\"}\n");
  const Lines before = JobsOf(R"y(name: b
models: [m1, m2]
prompts: [One, Two]
sweeps:
  - template: "{a} and {b} ({c})"
    vars: {a: [1, 2], b: [x, y]}
    zip: [{c: [k]}]
prompt_files: [{path: a.jsonl, id_prefix: f}]
)y",
                              dir.path());
  const Lines after = JobsOf(R"y(prompt_files: [{id_prefix: f, path: b.jsonl}]
sweeps:
  - zip: [{c: [k]}]
    vars: {b: [y, x], a: [2, 1]}
    template: "{a} and {b} ({c})"
prompts: [Two, One]
models: [m2, m1]
name: b
)y",
                             dir.path());
  ASSERT_EQ(before.size(), 16u);
  EXPECT_EQ(WithoutVars(before), WithoutVars(after));
}

TEST(PromptIdTest, EditingAManifestKeepsTheIdsOfWhatDidNotChange) {
  const Lines before = JobsOf(R"y(name: b
model: m
prompts: [One]
sweeps:
  - {id: s, template: "{a}", vars: {a: [1, 2]}}
)y");
  const Lines after = JobsOf(R"y(name: b
model: m
prompts: [Zero, One, Two]
sweeps:
  - {id: s, template: "{a}", vars: {a: [0, 1, 2, 3]}}
)y");
  EXPECT_EQ(after.size(), before.size() + 4);
  EXPECT_TRUE(Includes(after, before));
}

TEST(PromptIdTest, SweepIdsDependOnTheValuesNotOnTheTemplate) {
  const Lines v1 =
      JobsOf("name: b\nmodel: m\nsweeps: [{id: s, template: \"A {a}\", vars: {a: [1]}}]\n");
  const Lines v2 =
      JobsOf("name: b\nmodel: m\nsweeps: [{id: s, template: \"B {a}\", vars: {a: [1]}}]\n");
  ASSERT_EQ(v1.size(), 1u);
  ASSERT_EQ(v2.size(), 1u);
  EXPECT_EQ(v1[0].substr(0, v1[0].find(' ')), v2[0].substr(0, v2[0].find(' ')));
}

}  // namespace
}  // namespace gridbatch::manifest
