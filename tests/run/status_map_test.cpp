#include "gridbatch/run/status_map.hpp"

#include <gtest/gtest.h>

namespace gridbatch::run {
namespace {

using Meaning = StatusMap::Meaning;

TEST(StatusMapTest, DefaultsFollowTheKnownLifecycleInAnyCase) {
  StatusMap map;
  EXPECT_EQ(map.Map("completed"), Meaning::kCompleted);
  EXPECT_EQ(map.Map("Completed"), Meaning::kCompleted);
  EXPECT_EQ(map.Map("COMPLETED"), Meaning::kCompleted);
  for (const char* s : {"failed", "Aborted", "error", "cancelled", "canceled", "TIMEOUT"}) {
    EXPECT_EQ(map.Map(s), Meaning::kFailed) << s;
  }
  for (const char* s : {"provisioning", "Downloading", "running"}) {
    EXPECT_EQ(map.Map(s), Meaning::kRunning) << s;
  }
  EXPECT_EQ(map.Map("hibernating"), Meaning::kUnknown);
  EXPECT_EQ(map.Map(""), Meaning::kUnknown);
}

TEST(StatusMapTest, CustomListsReplaceTheDefaults) {
  StatusMap map({"done"}, {"Broken"}, {"busy"});
  EXPECT_EQ(map.Map("DONE"), Meaning::kCompleted);
  EXPECT_EQ(map.Map("broken"), Meaning::kFailed);
  EXPECT_EQ(map.Map("busy"), Meaning::kRunning);
  EXPECT_EQ(map.Map("completed"), Meaning::kUnknown);
}

TEST(StatusMapTest, SplitListTrimsLowersAndDropsEmptyEntries) {
  EXPECT_EQ(StatusMap::SplitList(" Done, failed ,,X "),
            (std::vector<std::string>{"done", "failed", "x"}));
  EXPECT_TRUE(StatusMap::SplitList("").empty());
}

}  // namespace
}  // namespace gridbatch::run
