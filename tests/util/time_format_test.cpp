#include "gridbatch/util/time_format.hpp"

#include <gtest/gtest.h>

namespace gridbatch {
namespace {

TEST(TimeFormatTest, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(FormatIsoUtc(1700000000.25), "2023-11-14T22:13:20.250Z");
  EXPECT_EQ(FormatIsoUtc(0), "1970-01-01T00:00:00.000Z");
}

TEST(TimeFormatTest, ParsesOffsetsFractionsAndDates) {
  EXPECT_DOUBLE_EQ(*ParseIsoTime("2023-11-14T22:13:20Z"), 1700000000.0);
  EXPECT_DOUBLE_EQ(*ParseIsoTime("2023-11-14T22:13:20+00:00"), 1700000000.0);
  EXPECT_DOUBLE_EQ(*ParseIsoTime("2023-11-14T23:13:20+01:00"), 1700000000.0);
  EXPECT_DOUBLE_EQ(*ParseIsoTime("2023-11-14T22:13:20.250Z"), 1700000000.25);
  EXPECT_DOUBLE_EQ(*ParseIsoTime("2023-11-14 22:13:20"), 1700000000.0);
  EXPECT_DOUBLE_EQ(*ParseIsoTime("2023-11-14"), 1699920000.0);
  EXPECT_EQ(ParseIsoTime(FormatIsoUtc(1234567.5)), 1234567.5);
}

TEST(TimeFormatTest, RejectsMalformedTimes) {
  EXPECT_FALSE(ParseIsoTime(""));
  EXPECT_FALSE(ParseIsoTime("yesterday"));
  EXPECT_FALSE(ParseIsoTime("2023-13-01"));
  EXPECT_FALSE(ParseIsoTime("2023-11-14T22:13"));
  EXPECT_FALSE(ParseIsoTime("2023-11-14T22:13:20Zjunk"));
}

TEST(TimeFormatTest, ParsesDurationsWithUnits) {
  EXPECT_DOUBLE_EQ(*ParseDuration("0.2"), 0.2);
  EXPECT_DOUBLE_EQ(*ParseDuration("500ms"), 0.5);
  EXPECT_DOUBLE_EQ(*ParseDuration("5s"), 5);
  EXPECT_DOUBLE_EQ(*ParseDuration("2m"), 120);
  EXPECT_DOUBLE_EQ(*ParseDuration("1h"), 3600);
  EXPECT_FALSE(ParseDuration("-1"));
  EXPECT_FALSE(ParseDuration("5x"));
  EXPECT_FALSE(ParseDuration("ms"));
  EXPECT_FALSE(ParseDuration(""));
}

TEST(TimeFormatTest, ParsesRatesPerSecondMinuteAndHour) {
  EXPECT_DOUBLE_EQ(*ParseRate("40/s"), 40);
  EXPECT_DOUBLE_EQ(*ParseRate("300/min"), 5);
  EXPECT_DOUBLE_EQ(*ParseRate("3600/h"), 1);
  EXPECT_DOUBLE_EQ(*ParseRate("12.5"), 12.5);
  EXPECT_DOUBLE_EQ(*ParseRate("0"), 0);
  EXPECT_FALSE(ParseRate("fast"));
  EXPECT_FALSE(ParseRate("10/week"));
  EXPECT_FALSE(ParseRate("-3/s"));
}

}  // namespace
}  // namespace gridbatch
