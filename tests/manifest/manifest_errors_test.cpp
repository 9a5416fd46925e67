// Every problem the YAML part of a manifest can have, each with its whole
// message and position; and how several problems are reported together.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace gridbatch::manifest {
namespace {

using testing::ErrorsOf;
using Lines = std::vector<std::string>;

// A valid head for manifests whose problem is further down.
constexpr std::string_view kHead = "name: b\nmodels: [a, b]\n";

std::vector<std::string> ErrorsAfterHead(std::string_view rest) {
  return ErrorsOf(std::string(kHead) + std::string(rest));
}

TEST(ManifestErrorsTest, YamlSyntaxErrorHasItsPosition) {
  EXPECT_EQ(ErrorsOf("name: b\nmodels: [a, b]\nprompts: [x]]\n"),
            Lines{"m.yaml:3:13: YAML syntax error: illegal flow end"});
}

TEST(ManifestErrorsTest, AnUnclosedBracketIsReportedWhereItOpens) {
  // yaml-cpp notices it only on the next line ("3:8: end of sequence flow not found").
  EXPECT_EQ(ErrorsOf("name: b\nmodels: [a, b\nprompts: [x]\n"),
            Lines{"m.yaml:2:9: YAML syntax error: '[' is never closed"});
  EXPECT_EQ(ErrorsOf("name: b\nmodel: m\nprompts:\n  - {id: q, prompt: \"a [b\"\n  - c\n"),
            Lines{"m.yaml:4:5: YAML syntax error: '{' is never closed"});
  // Brackets inside plain and quoted scalars open nothing.
  EXPECT_EQ(ErrorsOf("name: b\nmodel: m\nprompts:\n  - what is a[0\n  - 'it''s [x'\n  - [y\n"),
            Lines{"m.yaml:6:5: YAML syntax error: '[' is never closed"});
}

TEST(ManifestErrorsTest, ATabInTheIndentationSaysTab) {
  // yaml-cpp says "illegal block entry" (or worse) and points past the tab.
  EXPECT_EQ(ErrorsOf("name: b\nmodel: m\nprompts:\n  - x\n\t- y\n"),
            Lines{"m.yaml:5:1: YAML syntax error: a tab in the indentation (YAML indents with "
                  "spaces only)"});
  EXPECT_EQ(ErrorsOf("name: b\nmodel: m\nprompts:\n  - x\n  \t- y\n"),
            Lines{"m.yaml:5:3: YAML syntax error: a tab in the indentation (YAML indents with "
                  "spaces only)"});
}

TEST(ManifestErrorsTest, YamlErrorQuotingPartOfACharacterStaysValidUtf8) {
  // yaml-cpp quotes the first byte of the escaped 'é', and places the error
  // just after it.
  EXPECT_EQ(ErrorsOf("name: \"\\\xC3\xA9\"\nmodel: m\nprompts: [x]\n"),
            Lines{"m.yaml:1:10: YAML syntax error: unknown escape character: \xEF\xBF\xBD"});
}

TEST(ManifestErrorsTest, InvalidUtf8IsFoundBeforeTheYamlParserWithItsColumn) {
  EXPECT_EQ(ErrorsOf("name: b\nmodel: m\nprompts: [\"caf\xC3\xA9 \xFF\", \"\xC3\"]\n"),
            Lines{"m.yaml:3:17: invalid UTF-8"});
  EXPECT_EQ(ErrorsOf("name: \xE9t\xE9\nmodel: m\nprompts: [x, \"\xC0\xAF\"]\n"),
            (Lines{"m.yaml:1:7: invalid UTF-8", "m.yaml:3:15: invalid UTF-8"}));
}

TEST(ManifestErrorsTest, StrayCommaIsASyntaxErrorNotAnEndlessLoop) {
  // yaml-cpp 0.7's LoadAll never returns on these (yaml-cpp issue #1040).
  EXPECT_EQ(ErrorsOf(","), Lines{"m.yaml:1:1: YAML syntax error: unexpected ','"});
  EXPECT_EQ(ErrorsOf("# comment\n  , x\n"), Lines{"m.yaml:2:3: YAML syntax error: unexpected ','"});
  EXPECT_EQ(ErrorsOf("name: b\n...\n,\n"), Lines{"m.yaml:3:1: YAML syntax error: unexpected ','"});
}

TEST(ManifestErrorsTest, ManifestMustBeOneMap) {
  EXPECT_EQ(ErrorsOf(""), Lines{"m.yaml:1:1: the manifest is empty"});
  EXPECT_EQ(ErrorsOf("# nothing but a comment\n"), Lines{"m.yaml:1:1: the manifest is empty"});
  EXPECT_EQ(ErrorsOf("- a\n- b\n"),
            Lines{"m.yaml:1:1: the manifest must be a map of keys such as 'name', 'models' and "
                  "'prompts'"});
  EXPECT_EQ(ErrorsOf("name: a\n---\nname: b\n"),
            Lines{"m.yaml:3:1: expected one YAML document, found 2"});
}

TEST(ManifestErrorsTest, UnknownKeysAreReportedWithASuggestionWhenOneIsClose) {
  EXPECT_EQ(ErrorsOf("name: b\nmodles: [a]\nprompts: [x]\ncolour: red\n"),
            (Lines{"m.yaml:1:1: missing 'models' (or 'model')",
                   "m.yaml:2:1: unknown key 'modles' (did you mean 'models'?)",
                   "m.yaml:4:1: unknown key 'colour'"}));
}

TEST(ManifestErrorsTest, RepeatedKeyIsAnError) {
  EXPECT_EQ(ErrorsOf("name: b\nmodel: a\nprompts: [x]\nname: c\n"),
            Lines{"m.yaml:4:1: duplicate key 'name' (first at line 1)"});
}

TEST(ManifestErrorsTest, NameIsARequiredSingleLineString) {
  EXPECT_EQ(ErrorsOf("model: a\nprompts: [x]\n"), Lines{"m.yaml:1:1: missing 'name'"});
  EXPECT_EQ(ErrorsOf("name:\nmodel: a\nprompts: [x]\n"),
            Lines{"m.yaml:1:1: 'name' must not be empty"});
  EXPECT_EQ(ErrorsOf("name: \"\"\nmodel: a\nprompts: [x]\n"),
            Lines{"m.yaml:1:7: 'name' must not be empty"});
  EXPECT_EQ(ErrorsOf("name: \"a\\tb\"\nmodel: a\nprompts: [x]\n"),
            Lines{"m.yaml:1:7: 'name' must not contain control characters"});
  EXPECT_EQ(ErrorsOf("name: [a]\nmodel: a\nprompts: [x]\n"),
            Lines{"m.yaml:1:7: 'name' must be a string"});
}

TEST(ManifestErrorsTest, HoursMustBeAPositiveNumber) {
  for (const char* hours : {"0", "-1", "two", "\"\"", "[1]", ".inf", "1e999"}) {
    EXPECT_EQ(ErrorsAfterHead("prompts: [x]\nhours: " + std::string(hours) + "\n"),
              Lines{"m.yaml:4:8: 'hours' must be a number greater than 0"})
        << hours;
  }
}

TEST(ManifestErrorsTest, RepeatMustBeAWholeNumberInRange) {
  for (const char* repeat : {"0", "1.5", "-2", "1000001", "many"}) {
    EXPECT_EQ(ErrorsAfterHead("prompts: [x]\nrepeat: " + std::string(repeat) + "\n"),
              Lines{"m.yaml:4:9: 'repeat' must be a whole number from 1 to 1000000"})
        << repeat;
  }
}

TEST(ManifestErrorsTest, ModelsMustBeANonEmptyListOfDistinctStrings) {
  EXPECT_EQ(ErrorsOf("name: b\nprompts: [x]\n"),
            Lines{"m.yaml:1:1: missing 'models' (or 'model')"});
  EXPECT_EQ(ErrorsOf("name: b\nmodel: a\nmodels: [a]\nprompts: [x]\n"),
            Lines{"m.yaml:3:1: use either 'model' or 'models', not both"});
  EXPECT_EQ(ErrorsOf("name: b\nmodels: []\nprompts: [x]\n"),
            Lines{"m.yaml:2:9: 'models' must not be empty"});
  EXPECT_EQ(ErrorsOf("name: b\nmodels: gemma\nprompts: [x]\n"),
            Lines{"m.yaml:2:9: 'models' must be a list of strings"});
  EXPECT_EQ(ErrorsOf("name: b\nmodels: [a, [b]]\nprompts: [x]\n"),
            Lines{"m.yaml:2:13: 'models' must be a list of strings"});
  EXPECT_EQ(ErrorsOf("name: b\nmodels: [a, \"\"]\nprompts: [x]\n"),
            Lines{"m.yaml:2:13: 'models' entries must not be empty"});
  EXPECT_EQ(ErrorsOf("name: b\nmodels:\n  - a\n  - b\n  - a\nprompts: [x]\n"),
            Lines{"m.yaml:5:5: duplicate model 'a' in 'models'"});
  EXPECT_EQ(ErrorsOf("name: b\nmodel: [a]\nprompts: [x]\n"),
            Lines{"m.yaml:2:8: 'model' must be a string"});
}

TEST(ManifestErrorsTest, SomePromptSourceIsRequired) {
  EXPECT_EQ(ErrorsOf("name: b\nmodel: a\n"),
            Lines{"m.yaml:1:1: no prompts: add 'prompts', 'sweeps' or 'prompt_files'"});
  EXPECT_EQ(ErrorsOf("name: b\nmodel: a\nprompts: []\n"),
            Lines{"m.yaml:3:10: 'prompts' must not be empty"});
  EXPECT_EQ(ErrorsOf("name: b\nmodel: a\nprompts: x\n"),
            Lines{"m.yaml:3:10: 'prompts' must be a list"});
  EXPECT_EQ(ErrorsOf("name: b\nmodel: a\nsweeps: {}\n"),
            Lines{"m.yaml:3:9: 'sweeps' must be a list"});
}

TEST(ManifestErrorsTest, ListedPromptsMustBeTextOrMaps) {
  EXPECT_EQ(ErrorsAfterHead("prompts:\n  - \"\"\n  - [a]\n  - {id: q1}\n  - {prompt: \"\\0\"}\n"),
            (Lines{"m.yaml:4:5: prompt 1 must not be empty",
                   "m.yaml:5:5: prompt 2 must be a string, or a map with 'prompt' (and 'id', "
                   "'models', 'repeat')",
                   "m.yaml:6:5: prompt 'q1': missing 'prompt'",
                   "m.yaml:7:14: prompt 4: 'prompt' must not contain a NUL character"}));
}

TEST(ManifestErrorsTest, APromptOfOnlyBlanksIsAnErrorAsInPromptFiles) {
  EXPECT_EQ(ErrorsAfterHead("prompts:\n  - \"   \"\n  - {id: q, prompt: \" \\t\\n\"}\n  - ok\n"),
            (Lines{"m.yaml:4:5: prompt 1 must not be only blanks",
                   "m.yaml:5:21: prompt 'q': 'prompt' must not be only blanks"}));
}

TEST(ManifestErrorsTest, EmptyItemsAreReportedAtTheDashOrCommaBeforeThem) {
  EXPECT_EQ(
      ErrorsAfterHead("prompts:\n  -\n  - x\n  - \n  - ~\nsweeps:\n  - template: \"{a}\"\n"
                      "    vars: {a: [1, ]}\n    models: [a,  ,b]\n"),
      (Lines{"m.yaml:4:3: prompt 1 must not be empty", "m.yaml:6:3: prompt 3 must not be empty",
             "m.yaml:7:5: prompt 4 must not be empty",
             "m.yaml:11:15: sweep 1: 'models' entries must not be empty"}));
}

TEST(ManifestErrorsTest, PromptSettingsAreCheckedWithThePromptNamed) {
  EXPECT_EQ(ErrorsAfterHead(R"y(prompts:
  - id: q7
    prompt: Hi
    models: a
  - id: q8
    prompt: Hi
    model: c
  - id: "q9"
    prompt: Hi
    repeat: 0
    colour: red
  - id: [x]
    prompt: Hi
)y"),
            (Lines{"m.yaml:6:13: prompt 'q7': 'models' must be a list of strings",
                   "m.yaml:9:12: prompt 'q8': model 'c' is not one of the batch's models (a, b)",
                   "m.yaml:12:13: prompt 'q9': 'repeat' must be a whole number from 1 to 1000000",
                   "m.yaml:13:5: prompt 'q9': unknown key 'colour'",
                   "m.yaml:14:9: prompt 4: 'id' must be a string"}));
}

TEST(ManifestErrorsTest, DuplicateIdsAreErrorsAtTheLaterUse) {
  EXPECT_EQ(ErrorsAfterHead("prompts:\n  - {id: q1, prompt: A}\n  - {id: q1, prompt: B}\n"),
            Lines{"m.yaml:5:10: duplicate prompt id 'q1' (first at m.yaml:4:10)"});
}

TEST(ManifestErrorsTest, GivenIdMayNotLookLikeASweepsGeneratedId) {
  EXPECT_EQ(ErrorsAfterHead(R"y(prompts:
  - {id: cap-0123456789abcdef, prompt: A}
  - {id: other-0123456789abcdef, prompt: B}
sweeps:
  - {id: cap, template: "{x}", vars: {x: [1]}}
)y"),
            Lines{"m.yaml:4:10: prompt id 'cap-0123456789abcdef' has the form of the ids sweep "
                  "'cap' generates; choose another"});
}

TEST(ManifestErrorsTest, SweepNeedsATemplateAndVariables) {
  EXPECT_EQ(ErrorsAfterHead("sweeps:\n  - id: s\n  - template: x\n  - x\n"),
            (Lines{"m.yaml:4:5: sweep 's': missing 'template'",
                   "m.yaml:4:5: sweep 's': missing 'vars' (or 'zip')",
                   "m.yaml:5:5: sweep 2: missing 'vars' (or 'zip')",
                   "m.yaml:6:5: sweep 3 must be a map with 'template' and 'vars'"}));
}

TEST(ManifestErrorsTest, MalformedTemplatesSayWhereAndHowToEscape) {
  EXPECT_EQ(
      ErrorsAfterHead(R"y(sweeps:
  - {id: a, template: "Capital of {country", vars: {country: [x]}}
  - {id: b, template: "é} {country}", vars: {country: [x]}}
  - {id: c, template: "{} {country}", vars: {country: [x]}}
  - {id: d, template: "{my var}", vars: {country: [x]}}
)y"),
      (Lines{"m.yaml:4:23: sweep 'a': in 'template', '{' at character 12 is not closed "
             "(write '{{' for a literal brace)",
             "m.yaml:5:23: sweep 'b': in 'template', '}' at character 2 has no matching '{' "
             "(write '}}' for a literal brace)",
             "m.yaml:6:23: sweep 'c': in 'template', placeholder '{}' at character 1 is not a "
             "variable name (letters, digits and '_'; write '{{' for a literal brace)",
             "m.yaml:7:23: sweep 'd': in 'template', placeholder '{my var}' at character 1 "
             "is not a variable name (letters, digits and '_'; write '{{' for a literal brace)"}));
}

TEST(ManifestErrorsTest, TemplateVariablesNeedValuesAndValuesNeedUse) {
  EXPECT_EQ(
      ErrorsAfterHead(R"y(sweeps:
  - id: s
    template: "{country} in {lang}"
    vars:
      country: [France]
  - id: t
    template: "{country}"
    vars:
      country: [France]
      lang: [en]
    zip:
      - {city: [Paris], river: [Seine]}
)y"),
      (Lines{"m.yaml:5:15: sweep 's': 'template' uses {lang}, which 'vars' and 'zip' do not define",
             "m.yaml:12:7: sweep 't': variable 'lang' is not used in 'template'",
             "m.yaml:14:9: sweep 't': zip group 1: none of its variables (city, river) is "
             "used in 'template'"}));
}

TEST(ManifestErrorsTest, SweepValuesAreCheckedOneByOne) {
  EXPECT_EQ(
      ErrorsAfterHead(R"y(sweeps:
  - id: s
    template: "{a} {b} {c} {d} {e}"
    vars:
      a: [x, y, x]
      b: []
      c: x
      d: [[x]]
      my var: [x]
      e: [1]
    zip:
      - {e: [2]}
)y"),
      (Lines{"m.yaml:7:17: sweep 's': duplicate value 'x' in 'a'",
             "m.yaml:8:10: sweep 's': 'b' must be a non-empty list of values",
             "m.yaml:9:10: sweep 's': 'c' must be a non-empty list of values",
             "m.yaml:10:11: sweep 's': 'd' values must be strings or numbers",
             "m.yaml:11:7: sweep 's': variable name 'my var' must be letters, digits and '_', "
             "not starting with a digit",
             "m.yaml:14:10: sweep 's': zip group 1: variable 'e' is defined twice (first at "
             "line 12)"}));
}

TEST(ManifestErrorsTest, ZipGroupsNeedEqualLengthsAndDistinctRows) {
  EXPECT_EQ(ErrorsAfterHead(R"y(sweeps:
  - id: s
    template: "{city} {river}"
    zip:
      - city: [Paris, Lima, Rome]
        river: [Seine, Rimac]
  - id: t
    template: "{city} {river}"
    zip:
      - city: [Paris, Lima, Paris]
        river: [Seine, Rimac, Seine]
  - id: u
    template: "{city}"
    zip: [city]
)y"),
            (Lines{"m.yaml:8:16: sweep 's': zip group 1: 'river' has 2 values but 'city' has 3",
                   "m.yaml:12:9: sweep 't': zip group 1: value set 3 repeats value set 1",
                   "m.yaml:16:11: sweep 'u': zip group 1 must be a map of variable names to lists "
                   "of values"}));
}

TEST(ManifestErrorsTest, SweepIdsMustBeDistinctPrefixes) {
  EXPECT_EQ(ErrorsAfterHead(R"y(sweeps:
  - {id: s, template: "{x}", vars: {x: [1]}}
  - {id: s, template: "{x}!", vars: {x: [1]}}
  - {template: "{x}?", vars: {x: [1]}}
  - {template: "{x}?", vars: {x: [2]}}
  - {id: p, template: "{x}", vars: {x: [1]}}
  - {id: data, template: "{x}", vars: {x: [1]}}
prompt_files:
  - path: data.txt
)y"),
            (Lines{"m.yaml:5:10: sweep 's': duplicate sweep id 's' (first at line 4)",
                   "m.yaml:7:5: sweep 4: same template as sweep 3; give one of them an 'id'",
                   "m.yaml:8:10: sweep 'p': id 'p' is reserved for the ids of 'prompts' entries "
                   "without one",
                   "m.yaml:9:10: sweep 'data': id 'data' is also the id prefix of prompt file "
                   "'data.txt' (set its 'id_prefix')",
                   "m.yaml:11:11: prompt file 'data.txt': cannot open data.txt: No such file or "
                   "directory"}));
}

TEST(ManifestErrorsTest, NarrowingMustUseTheBatchsModels) {
  EXPECT_EQ(ErrorsAfterHead(R"y(sweeps:
  - {id: s, template: "{x}", vars: {x: [1]}, models: [a, z]}
  - {id: t, template: "{x}", vars: {x: [1]}, models: [a, a]}
)y"),
            (Lines{"m.yaml:4:58: sweep 's': model 'z' is not one of the batch's models (a, b)",
                   "m.yaml:5:58: sweep 't': duplicate model 'a' in 'models'"}));
}

TEST(ManifestErrorsTest, PromptFileEntriesAreChecked) {
  EXPECT_EQ(ErrorsAfterHead(R"y(prompt_files:
  - format: lines
  - {path: a.txt, format: csv}
  - {path: b.txt, template: "{prompt} in {lang}"}
  - {path: c.txt, template: "Same for all"}
  - {path: d.jsonl, template: "{prompt", id_prefix: ""}
  - x
)y"),
            (Lines{"m.yaml:4:5: prompt file 1: missing 'path'",
                   "m.yaml:5:27: prompt file 'a.txt': 'format' must be 'lines' or 'jsonl'",
                   "m.yaml:6:29: prompt file 'b.txt': 'template' uses {lang}, but a 'lines' file "
                   "provides only {prompt}",
                   "m.yaml:7:29: prompt file 'c.txt': 'template' must use {prompt}, or every line "
                   "makes the same prompt",
                   "m.yaml:8:31: prompt file 'd.jsonl': in 'template', '{' at character 1 is not "
                   "closed (write '{{' for a literal brace)",
                   "m.yaml:8:53: prompt file 'd.jsonl': 'id_prefix' must not be empty",
                   "m.yaml:9:5: prompt file 6 must be a map with 'path'"}));
}

TEST(ManifestErrorsTest, UnreadablePromptFilesAreReportedAtTheirEntry) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir.path() / "folder");
  EXPECT_EQ(ErrorsOf("name: b\nmodel: m\nprompt_files:\n  - path: missing.txt\n  - path: folder\n",
                     dir.path()),
            (Lines{"m.yaml:4:11: prompt file 'missing.txt': cannot open " +
                       (dir.path() / "missing.txt").string() + ": No such file or directory",
                   "m.yaml:5:11: prompt file 'folder': cannot open " +
                       (dir.path() / "folder").string() + ": is a directory"}));
}

TEST(ManifestErrorsTest, SeveralProblemsAreAllReportedInFileOrder) {
  EXPECT_EQ(
      ErrorsOf(R"y(name: ""
models: [a, a]
hours: 0
prompts:
  - {id: q1, prompt: Hi, modles: [a]}
sweeps:
  - {id: s, template: "{y}", vars: {x: [1]}}
)y"),
      (Lines{"m.yaml:1:7: 'name' must not be empty", "m.yaml:2:13: duplicate model 'a' in 'models'",
             "m.yaml:3:8: 'hours' must be a number greater than 0",
             "m.yaml:5:26: prompt 'q1': unknown key 'modles' (did you mean 'models'?)",
             "m.yaml:7:23: sweep 's': 'template' uses {y}, which 'vars' and 'zip' do not define"}));
}

TEST(ManifestErrorsTest, ManyProblemsAreCappedWithACountOfTheRest) {
  std::string yaml = "name: b\nmodel: m\nprompts:\n";
  for (int i = 0; i < 150; ++i) yaml += "  - \"\"\n";
  const auto errors = ErrorsOf(yaml);
  ASSERT_EQ(errors.size(), 101u);
  EXPECT_EQ(errors.front(), "m.yaml:4:5: prompt 1 must not be empty");
  EXPECT_EQ(errors[99], "m.yaml:103:5: prompt 100 must not be empty");
  EXPECT_EQ(errors.back(), "m.yaml: ... and 50 more errors");
}

TEST(ManifestErrorsTest, TooManyJobsIsAnErrorNotAnOverflow) {
  EXPECT_EQ(ErrorsAfterHead(R"y(sweeps:
  - id: s
    template: "{a}{b}{c}{d}{e}{f}{g}{h}{i}{j}{k}{l}{m}"
    vars: {a: [0,1,2,3,4,5,6,7,8,9], b: [0,1,2,3,4,5,6,7,8,9], c: [0,1,2,3,4,5,6,7,8,9],
           d: [0,1,2,3,4,5,6,7,8,9], e: [0,1,2,3,4,5,6,7,8,9], f: [0,1,2,3,4,5,6,7,8,9],
           g: [0,1,2,3,4,5,6,7,8,9], h: [0,1,2,3,4,5,6,7,8,9], i: [0,1,2,3,4,5,6,7,8,9],
           j: [0,1,2,3,4,5,6,7,8,9], k: [0,1,2,3,4,5,6,7,8,9], l: [0,1,2,3,4,5,6,7,8,9],
           m: [0,1,2,3,4,5,6,7,8,9]}
)y"),
            (Lines{"m.yaml:4:5: sweep 's': makes more than 1000000000000 prompts"}));
}

TEST(ManifestErrorsTest, TooManyJobsInTotalIsAnError) {
  EXPECT_EQ(ErrorsAfterHead(R"y(repeat: 1000000
sweeps:
  - id: s
    template: "{a}{b}{c}{d}{e}{f}"
    vars: {a: [0,1,2,3,4,5,6,7,8,9], b: [0,1,2,3,4,5,6,7,8,9], c: [0,1,2,3,4,5,6,7,8,9],
           d: [0,1,2,3,4,5,6,7,8,9], e: [0,1,2,3,4,5,6,7,8,9], f: [0,1,2,3,4,5,6,7,8,9]}
)y"),
            (Lines{"m.yaml:1:1: the manifest makes more than the limit of 1000000000000 jobs"}));
}

}  // namespace
}  // namespace gridbatch::manifest
