// Prompt files: the lines and JSONL formats, their line-ending and encoding
// variants, every problem a line can have (at that file's line and column),
// and a file that changes between validation and streaming.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace gridbatch::manifest {
namespace {

using testing::ErrorsOf;
using testing::JobsOf;
using testing::Messages;
using Lines = std::vector<std::string>;

class PromptFileTest : public ::testing::Test {
 protected:
  // A manifest with one prompt file `name` holding `content`, plus `entry`
  // (extra keys of the prompt_files entry, e.g. ", template: ...").
  std::string Manifest(const std::string& name, std::string_view content,
                       const std::string& entry = "") {
    dir_.Write(name, content);
    return "name: b\nmodel: m\nprompt_files:\n  - {path: " + name + entry + "}\n";
  }
  std::string FilePath(const std::string& name) const { return (dir_.path() / name).string(); }

  testing::TempDir dir_;
};

TEST_F(PromptFileTest, LinesFileTakesEveryNonBlankLineAsItIs) {
  const std::string yaml = Manifest("p.txt",
                                    "\xEF\xBB\xBF"
                                    "First\r\n\r\n   \n\t\n  Second  \nThird");
  EXPECT_EQ(JobsOf(yaml, dir_.path()), (Lines{"p-0be3e6096f595111 | First | m | 0 |",
                                              "p-8bc2602e08ddc8c5 |   Second   | m | 0 |",
                                              "p-5b4e01d6d843dabf | Third | m | 0 |"}));
}

TEST_F(PromptFileTest, LinesFileTemplateWrapsEachLine) {
  const std::string yaml = Manifest("q.txt", "Bonjour\nMerci\n",
                                    ", template: \"Translate: {prompt} {{ok}}\", id_prefix: tr");
  EXPECT_EQ(JobsOf(yaml, dir_.path()),
            (Lines{"tr-9b86552b6a5e7049 | Translate: Bonjour {ok} | m | 0 |",
                   "tr-7c3ed7dd040c5247 | Translate: Merci {ok} | m | 0 |"}));
}

TEST_F(PromptFileTest, JsonlFileCarriesIdsAndVariables) {
  const std::string yaml =
      Manifest("data.jsonl",
               "{\"id\": \"a1\", \"prompt\": \"Hi\"}\r\n"
               "\n"
               "{\"prompt\": \"Bye\", \"vars\": {\"z\": \"last\", \"n\": 3, \"ok\": true}}\n"
               "{\"id\": 17, \"prompt\": \"Caf\\u00e9\"}");
  EXPECT_EQ(JobsOf(yaml, dir_.path()),
            (Lines{"a1 | Hi | m | 0 |", "data-c462e154d620ff3d | Bye | m | 0 | z=last,n=3,ok=true",
                   "17 | Café | m | 0 |"}));
}

TEST_F(PromptFileTest, JsonlVariablesKeepTheirJsonTypes) {
  const std::string yaml =
      Manifest("v.jsonl",
               "{\"prompt\": \"a\", \"vars\": {\"expected\": 107, \"s\": \"107\", \"t\": 0.25, "
               "\"ok\": false, \"big\": 1e300, \"neg\": -5}}\n");
  EXPECT_EQ(testing::VarTypesOf(yaml, dir_.path()),
            (Lines{"expected=107:number,s=107:string,t=0.25:number,ok=false:boolean,"
                   "big=1e+300:number,neg=-5:number"}));
}

TEST_F(PromptFileTest, JsonlTemplateTakesThePromptAndTheVariables) {
  const std::string yaml = Manifest("t.jsonl",
                                    "{\"prompt\": \"Hello\", \"vars\": {\"lang\": \"French\"}}\n"
                                    "{\"vars\": {\"lang\": \"German\"}}\n",
                                    ", template: \"In {lang}: {prompt}\"");
  EXPECT_EQ(ErrorsOf(yaml, dir_.path()),
            Lines{FilePath("t.jsonl") +
                  ":2:1: the template uses {prompt}, but this line has no 'prompt'"});
  const std::string without_prompt = Manifest("u.jsonl",
                                              "{\"vars\": {\"lang\": \"French\"}}\n"
                                              "{\"id\": \"g\", \"vars\": {\"lang\": \"German\"}}\n",
                                              ", template: \"Say hello in {lang}\"");
  EXPECT_EQ(JobsOf(without_prompt, dir_.path()),
            (Lines{"u-68f5cd5ce95b2bc0 | Say hello in French | m | 0 | lang=French",
                   "g | Say hello in German | m | 0 | lang=German"}));
}

TEST_F(PromptFileTest, FormatComesFromTheExtensionUnlessGiven) {
  dir_.Write("looks.jsonl", "{\"prompt\": \"x\"}\n");
  EXPECT_EQ(JobsOf("name: b\nmodel: m\nprompt_files:\n  - {path: looks.jsonl, format: lines}\n",
                   dir_.path()),
            Lines{"looks-0a8fcfc511b84575 | {\"prompt\": \"x\"} | m | 0 |"});
  dir_.Write("data.txt", "{\"prompt\": \"x\"}\n");
  EXPECT_EQ(JobsOf("name: b\nmodel: m\nprompt_files:\n  - {path: data.txt, format: jsonl}\n",
                   dir_.path()),
            Lines{"data-4439be6e0a6564de | x | m | 0 |"});
}

TEST_F(PromptFileTest, InvalidUtf8IsReportedAtItsLineAndColumn) {
  const std::string yaml = Manifest("bad.txt", "fine\n\xC3\xA9t\xC3\xA9 \xFF\r\nok\n\xE2\x82\n");
  EXPECT_EQ(ErrorsOf(yaml, dir_.path()), (Lines{FilePath("bad.txt") + ":2:5: invalid UTF-8",
                                                FilePath("bad.txt") + ":4:1: invalid UTF-8"}));
}

TEST_F(PromptFileTest, EveryJsonlProblemIsReportedWithItsLine) {
  const std::string yaml = Manifest("bad.jsonl",
                                    "{\"prompt\": x}\n"                                     // 1
                                    "[\"prompt\"]\n"                                        // 2
                                    "{\"promt\": \"a\"}\n"                                  // 3
                                    "{\"id\": 1.5, \"prompt\": \"a\"}\n"                    // 4
                                    "{\"id\": \"\", \"prompt\": \"a\"}\n"                   // 5
                                    "{\"prompt\": 3}\n"                                     // 6
                                    "{\"prompt\": \"a\", \"vars\": [1]}\n"                  // 7
                                    "{\"prompt\": \"a\", \"vars\": {\"k\": null}}\n"        // 8
                                    "{\"prompt\": \"a\", \"vars\": {\"prompt\": \"b\"}}\n"  // 9
                                    "{\"id\": \"q\"}\n"                                     // 10
                                    "{\"prompt\": \"\"}\n"                                  // 11
                                    "{\"prompt\": \"a\\u0000b\"}\n"                         // 12
                                    "{\"prompt\": \"\xC3\xA9\", x}\n"                       // 13
                                    "{\"prompt\": \" \\t \"}\n");                           // 14
  const std::string f = FilePath("bad.jsonl");
  EXPECT_EQ(
      ErrorsOf(yaml, dir_.path()),
      (Lines{f + ":1:12: invalid JSON: syntax error while parsing value - invalid literal; last "
                 "read: '\"prompt\": x'",
             f + ":2:1: each line must be a JSON object",
             f + ":3:1: unknown key 'promt' (did you mean 'prompt'?)",
             f + ":4:1: 'id' must be a non-empty string (without control characters) or an integer",
             f + ":5:1: 'id' must be a non-empty string (without control characters) or an integer",
             f + ":6:1: 'prompt' must be a string",
             f + ":7:1: 'vars' must be an object of strings, numbers or booleans",
             f + ":8:1: 'vars' value 'k' must be a string, number or boolean",
             f + ":9:1: 'vars' must not define 'prompt' (it is the line's 'prompt')",
             f + ":10:1: missing 'prompt'", f + ":11:1: the prompt is empty",
             f + ":12:1: the prompt contains a NUL character",
             f + ":13:17: invalid JSON: syntax error while parsing object key - invalid literal; "
                 "last read: '\"\xC3\xA9\", x'; expected string literal",
             f + ":14:1: the prompt is only blanks"}));
}

TEST_F(PromptFileTest, NumberBeyondADoubleIsAnErrorNotACrash) {
  EXPECT_EQ(ErrorsOf(Manifest("big.jsonl", "{\"prompt\": \"a\", \"vars\": {\"n\": 1e999}}\n"),
                     dir_.path()),
            Lines{FilePath("big.jsonl") + ":1:1: invalid JSON: number overflow parsing '1e999'"});
}

TEST_F(PromptFileTest, JsonErrorCutInsideACharacterStaysValidUtf8) {
  EXPECT_EQ(ErrorsOf(Manifest("cut.jsonl", "{\"prompt\": \xC3\xA9}\n"), dir_.path()),
            Lines{FilePath("cut.jsonl") +
                  ":1:12: invalid JSON: syntax error while parsing value - invalid literal; last "
                  "read: '\"prompt\": \xEF\xBF\xBD'"});
}

TEST_F(PromptFileTest, JsonlTemplateVariableMissingFromALineIsAnError) {
  const std::string yaml = Manifest(
      "v.jsonl", "{\"prompt\": \"a\", \"vars\": {\"lang\": \"fr\"}}\n{\"prompt\": \"b\"}\n",
      ", template: \"{prompt} in {lang}\"");
  EXPECT_EQ(ErrorsOf(yaml, dir_.path()),
            Lines{FilePath("v.jsonl") +
                  ":2:1: the template uses {lang}, which this line's 'vars' does not define"});
}

TEST_F(PromptFileTest, DuplicateGivenIdsAreFoundAcrossTheManifestAndFiles) {
  dir_.Write("a.jsonl",
             "{\"id\": \"q1\", \"prompt\": \"x\"}\n{\"id\": \"q2\", \"prompt\": \"y\"}\n");
  dir_.Write("b.jsonl", "{\"id\": \"q2\", \"prompt\": \"z\"}\n");
  EXPECT_EQ(ErrorsOf("name: b\nmodel: m\nprompts:\n  - {id: q1, prompt: w}\nprompt_files:\n"
                     "  - {path: a.jsonl}\n  - {path: b.jsonl}\n",
                     dir_.path()),
            (Lines{FilePath("a.jsonl") + ":1:1: duplicate prompt id 'q1' (first at m.yaml:4:10)",
                   FilePath("b.jsonl") + ":1:1: duplicate prompt id 'q2' (first at " +
                       FilePath("a.jsonl") + ":2:1)"}));
}

TEST_F(PromptFileTest, RepeatedLinesAreSkippedWithAWarning) {
  const ParseResult result = testing::Parse(Manifest("r.txt", "a\nb\na\na\n"), dir_.path());
  ASSERT_NE(result.manifest, nullptr);
  const std::string f = FilePath("r.txt");
  EXPECT_EQ(
      Messages(result.warnings),
      (Lines{f + ":3:1: same prompt as " + f +
                 ":1:1 (so the same generated id "
                 "'r-b2a81edc870f611d'); skipped (use 'repeat' to run a prompt more than once)",
             f + ":4:1: same prompt as " + f +
                 ":1:1 (so the same generated id "
                 "'r-b2a81edc870f611d'); skipped (use 'repeat' to run a prompt more than once)"}));
  EXPECT_EQ(CountJobs(*result.manifest), 2u);
  EXPECT_EQ(testing::JobLines(*result.manifest).size(), 2u);
}

TEST_F(PromptFileTest, EmptyFileIsAWarningAndNoJobsAtAllAnError) {
  const std::string yaml = Manifest("empty.txt", "\n\n");
  const ParseResult result = testing::Parse(yaml, dir_.path());
  EXPECT_EQ(Messages(result.errors), Lines{"m.yaml:1:1: the manifest makes no jobs"});
  EXPECT_EQ(
      Messages(result.warnings),
      Lines{"m.yaml:4:12: prompt file 'empty.txt': " + FilePath("empty.txt") + " has no prompts"});
}

TEST_F(PromptFileTest, ManyBadLinesAreCapped) {
  std::string content;
  for (int i = 0; i < 5000; ++i) content += "{\n";
  const auto errors = ErrorsOf(Manifest("many.jsonl", content), dir_.path());
  ASSERT_EQ(errors.size(), 101u);
  EXPECT_EQ(errors.back(), "m.yaml: ... and 4900 more errors");
}

TEST_F(PromptFileTest, FileChangedAfterValidationIsReportedByForEachJob) {
  const ParseResult result = testing::Parse(Manifest("c.txt", "a\nb\n"), dir_.path());
  ASSERT_NE(result.manifest, nullptr);
  dir_.Write("c.txt", "a\nB\n");
  const auto problems = ForEachJob(*result.manifest, [](const JobSpec&) {});
  EXPECT_EQ(Messages(problems),
            Lines{FilePath("c.txt") + ": changed since the manifest was validated; load it again"});
  std::filesystem::remove(dir_.path() / "c.txt");
  EXPECT_EQ(Messages(ForEachJob(*result.manifest, [](const JobSpec&) {})),
            Lines{FilePath("c.txt") + ": cannot open: No such file or directory"});
}

TEST_F(PromptFileTest, LargeFileIsCountedAndStreamed) {
  std::string content;
  constexpr int kLines = 200000;
  for (int i = 0; i < kLines; ++i) content += "Prompt number " + std::to_string(i) + "\n";
  const ParseResult result =
      testing::Parse(Manifest("big.txt", content, ", repeat: 2"), dir_.path());
  ASSERT_EQ(Messages(result.errors), Lines{});
  EXPECT_EQ(CountJobs(*result.manifest), 2u * kLines);
  std::uint64_t jobs = 0;
  std::string last;
  ForEachJob(*result.manifest, [&](const JobSpec& job) {
    ++jobs;
    last = job.prompt;
  });
  EXPECT_EQ(jobs, 2u * kLines);
  EXPECT_EQ(last, "Prompt number 199999");
}

}  // namespace
}  // namespace gridbatch::manifest
