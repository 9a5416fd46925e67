#include "csv_writer.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <streambuf>

#include "gridbatch/error.hpp"
#include "test_db.hpp"

namespace gridbatch::exporter {
namespace {

constexpr const char* kHeader =
    "batch,prompt_id,model,prompt,state,output,runtime,remote_id,attempts,error,previous_error,"
    "created,"
    "submitted_at,finished_at,repeat";

store::ExportRow PlainRow() {
  return testing::PlainExportRow();
}

std::string WriteCsv(const std::vector<store::ExportRow>& rows,
                     std::vector<std::string> variable_names = {}, CsvOptions options = {}) {
  std::ostringstream out;
  CsvWriter writer(out, "test.csv", std::move(variable_names), options);
  for (const store::ExportRow& row : rows) writer.Write(row);
  writer.Finish();
  return out.str();
}

// The CSV of a row whose prompt is `prompt`: only that cell varies.
std::string PromptCell(std::string_view prompt, CsvOptions options = {}) {
  store::ExportRow row = PlainRow();
  row.prompt = prompt;
  const std::string csv = WriteCsv({row}, {}, options);
  const std::string before = "\r\nb1,p1,gemma:2b,";
  const std::string after =
      ",completed,2,23,9f22,1,,,2024-05-06T21:26:00.000Z,"
      "2024-05-06T21:27:00.000Z,2024-05-06T21:28:00.000Z,0\r\n";
  const std::size_t start = csv.find(before);
  const std::size_t end = csv.rfind(after);
  if (start == std::string::npos || end == std::string::npos) return "unexpected: " + csv;
  return csv.substr(start + before.size(), end - start - before.size());
}

TEST(CsvWriterTest, WritesTheHeaderEvenWithoutRows) {
  EXPECT_EQ(WriteCsv({}), std::string(kHeader) + "\r\n");
}

TEST(CsvWriterTest, WritesAPlainRowUnquotedWithCrlf) {
  EXPECT_EQ(WriteCsv({PlainRow()}),
            std::string(kHeader) +
                "\r\nb1,p1,gemma:2b,What is 1+1?,completed,2,23,9f22,1,,,2024-05-06T21:26:00.000Z,"
                "2024-05-06T21:27:00.000Z,2024-05-06T21:28:00.000Z,0\r\n");
}

TEST(CsvWriterTest, WritesNullsAsEmptyCellsAndEmptyStringsAsTwoQuotes) {
  store::ExportRow row = PlainRow();
  row.output = "";
  row.runtime.reset();
  row.remote_id.reset();
  row.submitted_at.reset();
  row.finished_at.reset();
  EXPECT_EQ(WriteCsv({row}), std::string(kHeader) +
                                 "\r\nb1,p1,gemma:2b,What is 1+1?,completed,\"\",,,1,,,"
                                 "2024-05-06T21:26:00.000Z,,,0\r\n");
}

TEST(CsvWriterTest, QuotesFieldsWithCommasQuotesAndLineBreaks) {
  EXPECT_EQ(PromptCell("a,b"), "\"a,b\"");
  EXPECT_EQ(PromptCell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(PromptCell("\"\""), "\"\"\"\"\"\"");
  EXPECT_EQ(PromptCell("a\nb"), "\"a\nb\"");
  EXPECT_EQ(PromptCell("a\rb"), "\"a\rb\"");
  EXPECT_EQ(PromptCell("a\r\nb"), "\"a\r\nb\"");
  EXPECT_EQ(PromptCell("a\tb"), "a\tb");
}

TEST(CsvWriterTest, NeutralisesCellsASpreadsheetWouldRunAsFormulas) {
  EXPECT_EQ(PromptCell("=1+2"), "'=1+2");
  EXPECT_EQ(PromptCell("+1"), "'+1");
  EXPECT_EQ(PromptCell("-1"), "'-1");
  EXPECT_EQ(PromptCell("@SUM(A1:A2)"), "'@SUM(A1:A2)");
  EXPECT_EQ(PromptCell("\tx"), "'\tx");
  EXPECT_EQ(PromptCell("\rx"), "\"'\rx\"");
  EXPECT_EQ(PromptCell("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  EXPECT_EQ(PromptCell("a=b"), "a=b");
  EXPECT_EQ(PromptCell("'quoted"), "'quoted");
}

TEST(CsvWriterTest, KeepsFormulasAsTheyAreWhenAskedForRawOutput) {
  const CsvOptions raw{.formulas = CsvOptions::Formulas::kKeep};
  EXPECT_EQ(PromptCell("=1+2", raw), "=1+2");
  EXPECT_EQ(PromptCell("-1", raw), "-1");
  EXPECT_EQ(PromptCell("\rx", raw), "\"\rx\"");
}

TEST(CsvWriterTest, NeutralisesEveryTextColumnButNoNumber) {
  store::ExportRow row;
  row.batch = "=b";
  row.prompt_id = "+p";
  row.model = "-m";
  row.prompt = "@x";
  row.state = "=s";
  row.output = "=o";
  row.runtime = -5;
  row.remote_id = "=r";
  row.attempts = -1;
  row.error = "=e";
  row.previous_error = "@pe";
  row.created = "=c";
  row.submitted_at = "=sa";
  row.finished_at = "=fa";
  row.repeat = -2;
  EXPECT_EQ(
      WriteCsv({row}),
      std::string(kHeader) + "\r\n'=b,'+p,'-m,'@x,'=s,'=o,-5,'=r,-1,'=e,'@pe,'=c,'=sa,'=fa,-2\r\n");
}

TEST(CsvWriterTest, ReplacesInvalidUtf8AndKeepsValidMultibyteText) {
  EXPECT_EQ(PromptCell("ok\xFF\xFE end \xC3"), "ok\xEF\xBF\xBD\xEF\xBF\xBD end \xEF\xBF\xBD");
  EXPECT_EQ(PromptCell("\xE5\x8C\x97\xE4\xBA\xAC \xF0\x9F\x98\x80"),
            "\xE5\x8C\x97\xE4\xBA\xAC \xF0\x9F\x98\x80");
}

TEST(CsvWriterTest, WritesOneColumnPerVariableInTheGivenOrder) {
  store::ExportRow first = PlainRow();
  first.vars = R"({"lang":"fr","temp":0.7,"n":-3,"flag":true,"list":[1,"a,b"],"none":null})";
  store::ExportRow second = PlainRow();
  second.vars = R"({"lang":"=cmd","extra":{"k":1}})";
  store::ExportRow third = PlainRow();
  third.vars.reset();
  const std::string csv =
      WriteCsv({first, second, third}, {"extra", "flag", "lang", "list", "n", "none", "temp"});
  const std::string common =
      "b1,p1,gemma:2b,What is 1+1?,completed,2,23,9f22,1,,,2024-05-06T21:26:00.000Z,"
      "2024-05-06T21:27:00.000Z,2024-05-06T21:28:00.000Z,0,";
  EXPECT_EQ(csv, std::string(kHeader) +
                     ",var.extra,var.flag,var.lang,var.list,var.n,var.none,var.temp\r\n" + common +
                     ",true,fr,\"[1,\"\"a,b\"\"]\",-3,,0.7\r\n" +   //
                     common + "\"{\"\"k\"\":1}\",,'=cmd,,,,\r\n" +  //
                     common + ",,,,,,\r\n");
}

TEST(CsvWriterTest, TreatsVariablesThatAreNotAJsonObjectAsNone) {
  store::ExportRow array = PlainRow();
  array.vars = "[1,2]";
  store::ExportRow broken = PlainRow();
  broken.vars = "{\"a\":";
  const std::string row_text =
      "b1,p1,gemma:2b,What is 1+1?,completed,2,23,9f22,1,,,2024-05-06T21:26:00.000Z,"
      "2024-05-06T21:27:00.000Z,2024-05-06T21:28:00.000Z,0,\r\n";
  EXPECT_EQ(WriteCsv({array, broken}, {"a"}),
            std::string(kHeader) + ",var.a\r\n" + row_text + row_text);
}

// A stream that refuses every byte, like a full disk.
class FailingBuffer : public std::streambuf {
 protected:
  int_type overflow(int_type) override { return traits_type::eof(); }
  std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
};

TEST(CsvWriterTest, ThrowsAnIoErrorNamingTheDestinationWhenTheStreamFails) {
  FailingBuffer buffer;
  std::ostream out(&buffer);
  CsvWriter writer(out, "results.csv", {});
  writer.Write(PlainRow());
  try {
    writer.Finish();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitIoErr);
    EXPECT_STREQ(e.what(), "cannot write results.csv: write failed");
  }
}

}  // namespace
}  // namespace gridbatch::exporter
