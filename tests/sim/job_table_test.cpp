#include "job_table.hpp"

#include <gtest/gtest.h>

#include <set>

namespace gridbatch::sim {
namespace {

NewJob Job(std::string_view model, std::string_view prompt, double at = 0) {
  return NewJob{"gridrepublic:text-inference", model, prompt, at, Outcome::kCompleted};
}

TEST(JobTableTest, IssuesDistinctIdsOf32LowercaseHexCharacters) {
  JobTable table(1, 0.2, 1.0, 0.25);
  std::set<std::string> ids;
  for (int i = 0; i < 2000; ++i) {
    const std::string id = table.Add(Job("m", "p" + std::to_string(i))).id;
    ASSERT_EQ(id.size(), 32u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 2000u);
  EXPECT_EQ(table.size(), 2000u);
}

TEST(JobTableTest, FindsWhatWasAddedWithItsJitteredTiming) {
  JobTable table(1, 2.0, 10.0, 0.25);
  const auto added = table.Add({"app-x", "gemma:2b", "hello", 3.5, Outcome::kAborted});
  const auto view = table.Find(added.id);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->app, "app-x");
  EXPECT_EQ(view->model, "gemma:2b");
  EXPECT_EQ(view->prompt, "hello");
  EXPECT_EQ(view->submitted, 3.5);
  EXPECT_EQ(view->outcome, Outcome::kAborted);
  EXPECT_FLOAT_EQ(static_cast<float>(view->timing.queue_seconds),
                  static_cast<float>(Jittered(2.0, 0.25, 1, 0, 0)));
  EXPECT_FLOAT_EQ(static_cast<float>(view->timing.run_seconds),
                  static_cast<float>(Jittered(10.0, 0.25, 1, 0, 1)));
}

TEST(JobTableTest, UnknownAndMalformedIdsAreNotFound) {
  JobTable table(1, 0, 0, 0);
  const std::string id = table.Add(Job("m", "p")).id;
  std::string other = id;
  other[0] = other[0] == '0' ? '1' : '0';
  EXPECT_FALSE(table.Find(other));
  EXPECT_FALSE(table.Find(""));
  EXPECT_FALSE(table.Find(id.substr(1)));
  std::string upper = id;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper != id) {
    EXPECT_FALSE(table.Find(upper));
  }
  EXPECT_TRUE(table.Find(id));
}

TEST(JobTableTest, FlagsTheSameModelAndPromptSubmittedAgainAsDuplicate) {
  JobTable table(1, 0, 0, 0);
  EXPECT_FALSE(table.Add(Job("a", "p")).duplicate);
  EXPECT_FALSE(table.Add(Job("b", "p")).duplicate);
  EXPECT_FALSE(table.Add(Job("a", "q")).duplicate);
  EXPECT_TRUE(table.Add(Job("a", "p")).duplicate);
  // The separator keeps ("ab", "c") apart from ("a", "bc").
  EXPECT_FALSE(table.Add(Job("ab", "c")).duplicate);
  EXPECT_FALSE(table.Add(Job("a", "bc")).duplicate);
}

TEST(JobTableTest, HoldsAHundredThousandJobsAndFindsEachByItsId) {
  JobTable table(3, 0.2, 1.0, 0.25);
  std::vector<std::string> ids;
  ids.reserve(100'000);
  for (int i = 0; i < 100'000; ++i)
    ids.push_back(table.Add(Job("m", "prompt " + std::to_string(i))).id);
  EXPECT_EQ(table.size(), 100'000u);
  for (int i = 0; i < 100'000; i += 997) {
    const auto view = table.Find(ids[static_cast<std::size_t>(i)]);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->prompt, "prompt " + std::to_string(i));
  }
}

TEST(JobTableTest, IdsDependOnTheSeed) {
  JobTable a(1, 0, 0, 0);
  JobTable b(2, 0, 0, 0);
  EXPECT_NE(a.Add(Job("m", "p")).id, b.Add(Job("m", "p")).id);
}

}  // namespace
}  // namespace gridbatch::sim
