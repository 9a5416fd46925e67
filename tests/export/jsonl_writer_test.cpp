#include "jsonl_writer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "test_db.hpp"

namespace gridbatch::exporter {
namespace {

store::ExportRow PlainRow() {
  store::ExportRow row = testing::PlainExportRow();
  row.repeat = 2;
  return row;
}

std::string WriteJsonl(const std::vector<store::ExportRow>& rows) {
  std::ostringstream out;
  JsonlWriter writer(out, "test.jsonl");
  for (const store::ExportRow& row : rows) writer.Write(row);
  writer.Finish();
  return out.str();
}

// The output of a one-row export whose prompt is `prompt`, parsed back.
std::string PromptRoundTrip(std::string_view prompt) {
  store::ExportRow row = PlainRow();
  row.prompt = prompt;
  const std::string line = WriteJsonl({row});
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one record, one line";
  return nlohmann::json::parse(line).at("prompt").get<std::string>();
}

TEST(JsonlWriterTest, WritesNothingForNoRows) {
  EXPECT_EQ(WriteJsonl({}), "");
}

TEST(JsonlWriterTest, WritesOneCompactObjectALine) {
  EXPECT_EQ(WriteJsonl({PlainRow()}),
            R"({"batch":"b1","prompt_id":"p1","model":"gemma:2b","prompt":"What is 1+1?",)"
            R"("state":"completed","output":"2","runtime":23,"remote_id":"9f22","attempts":1,)"
            R"("error":null,"previous_error":null,"created":"2024-05-06T21:26:00.000Z",)"
            R"("submitted_at":"2024-05-06T21:27:00.000Z","finished_at":"2024-05-06T21:28:00.000Z",)"
            R"("repeat":2,"vars":null})"
            "\n");
}

TEST(JsonlWriterTest, WritesKeysInTheOrderOfTheExportFieldsThenVars) {
  const auto record = nlohmann::ordered_json::parse(WriteJsonl({PlainRow()}));
  std::vector<std::string> keys;
  for (const auto& item : record.items()) keys.push_back(item.key());
  std::vector<std::string> expected(std::begin(kExportFields), std::end(kExportFields));
  expected.push_back("vars");
  EXPECT_EQ(keys, expected);
}

TEST(JsonlWriterTest, WritesNullsForNullColumnsAndKeepsEmptyStrings) {
  store::ExportRow row = PlainRow();
  row.output = "";
  row.runtime.reset();
  row.remote_id.reset();
  row.submitted_at.reset();
  row.finished_at.reset();
  row.error = "HTTP 400: bad input";
  const auto record = nlohmann::json::parse(WriteJsonl({row}));
  EXPECT_EQ(record.at("output"), "");
  EXPECT_TRUE(record.at("runtime").is_null());
  EXPECT_TRUE(record.at("remote_id").is_null());
  EXPECT_TRUE(record.at("submitted_at").is_null());
  EXPECT_TRUE(record.at("finished_at").is_null());
  EXPECT_EQ(record.at("error"), "HTTP 400: bad input");
}

TEST(JsonlWriterTest, RoundTripsEveryControlCharacterQuoteAndBackslash) {
  std::string nasty;
  for (int c = 1; c < 0x20; ++c) nasty.push_back(static_cast<char>(c));
  nasty += "\"\\/\x7F end";
  EXPECT_EQ(PromptRoundTrip(nasty), nasty);
  EXPECT_EQ(WriteJsonl({PlainRow()}).find('\r'), std::string::npos);
}

TEST(JsonlWriterTest, EscapesControlCharactersTheShortWayWhereJsonHasOne) {
  store::ExportRow row = PlainRow();
  row.prompt = "a\nb\rc\td\be\ff\x01g\x1F";
  const std::string line = WriteJsonl({row});
  EXPECT_NE(line.find(R"("prompt":"a\nb\rc\td\be\ff\u0001g\u001f")"), std::string::npos) << line;
}

TEST(JsonlWriterTest, KeepsMultibyteTextAndReplacesInvalidUtf8) {
  EXPECT_EQ(PromptRoundTrip("\xE5\x8C\x97\xE4\xBA\xAC \xF0\x9F\x98\x80"),
            "\xE5\x8C\x97\xE4\xBA\xAC \xF0\x9F\x98\x80");
  EXPECT_EQ(PromptRoundTrip("ok\xFF\xFE end \xC3"), "ok\xEF\xBF\xBD\xEF\xBF\xBD end \xEF\xBF\xBD");
  EXPECT_EQ(PromptRoundTrip("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(JsonlWriterTest, WritesTheVariablesAsAnObjectWithTheirTypes) {
  store::ExportRow row = PlainRow();
  row.vars =
      "{ \"lang\" : \"fr\",\n \"temp\": 0.7, \"n\": -3, \"on\": true, \"x\": null, "
      "\"list\": [1, \"a\"], \"bad\": \"\xFF\" }";
  const std::string line = WriteJsonl({row});
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_EQ(nlohmann::json::parse(line).at("vars"),
            nlohmann::json::parse(R"({"lang":"fr","temp":0.7,"n":-3,"on":true,"x":null,)"
                                  R"("list":[1,"a"],"bad":"\ufffd"})"));
}

TEST(JsonlWriterTest, WritesNullForVariablesThatAreNotAJsonObject) {
  store::ExportRow row = PlainRow();
  row.vars = "{\"a\":";
  EXPECT_TRUE(nlohmann::json::parse(WriteJsonl({row})).at("vars").is_null());
  row.vars = "[1]";
  EXPECT_TRUE(nlohmann::json::parse(WriteJsonl({row})).at("vars").is_null());
}

}  // namespace
}  // namespace gridbatch::exporter
