// Sweeps: the cartesian product of `vars`, zip groups as one axis, repeats
// and narrowing, brace escapes, and a million-job sweep streamed.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace gridbatch::manifest {
namespace {

using testing::JobsOf;
using Lines = std::vector<std::string>;

TEST(SweepTest, ProductVariesTheLastVariableFastest) {
  EXPECT_EQ(JobsOf(R"y(name: b
model: m
sweeps:
  - id: cap
    template: "Capital of {country}, answered in {lang}?"
    vars:
      country: [France, Peru]
      lang: [English, French]
)y"),
            (Lines{"cap-dec98b157df9b6f1 | Capital of France, answered in English? | m | 0 | "
                   "country=France,lang=English",
                   "cap-283a09047f4d4501 | Capital of France, answered in French? | m | 0 | "
                   "country=France,lang=French",
                   "cap-11761e7eacbfb602 | Capital of Peru, answered in English? | m | 0 | "
                   "country=Peru,lang=English",
                   "cap-c66d9ad56d3e46a2 | Capital of Peru, answered in French? | m | 0 | "
                   "country=Peru,lang=French"}));
}

// Plain values spelled as JSON numbers, and true/false, keep those types
// (stored and exported as such); quoted values and other spellings are
// strings. The text, which the template and the prompt id use, is as written.
TEST(SweepTest, PlainNumbersAndBooleansKeepTheirJsonTypes) {
  EXPECT_EQ(testing::VarTypesOf(R"y(name: b
model: m
sweeps:
  - id: t
    template: "{words} {flag} {label}"
    zip:
      - words: [20, "50", 0.5, -3, 1e3, 007, 0x1F, 1_000, .5]
        flag: [true, "true", False, yes, "no", TRUE, none, nil, x]
        label: [a, b, c, d, e, f, g, h, i]
)y"),
            (Lines{"words=20:number,flag=true:boolean,label=a:string",
                   "words=50:string,flag=true:string,label=b:string",
                   "words=0.5:number,flag=False:boolean,label=c:string",
                   "words=-3:number,flag=yes:string,label=d:string",
                   "words=1e3:number,flag=no:string,label=e:string",
                   "words=007:string,flag=TRUE:boolean,label=f:string",
                   "words=0x1F:string,flag=none:string,label=g:string",
                   "words=1_000:string,flag=nil:string,label=h:string",
                   "words=.5:string,flag=x:string,label=i:string"}));
}

TEST(SweepTest, TypedValuesKeepThePromptIdsTheirTextGives) {
  // The ids of ProductVariesTheLastVariableFastest's style: hashed from the
  // text, so `words: [20]` and `words: ["20"]` make the same id.
  const auto plain = JobsOf(
      "name: b\nmodel: m\nsweeps:\n  - id: w\n    template: \"{words}\"\n"
      "    vars: {words: [20]}\n");
  const auto quoted = JobsOf(
      "name: b\nmodel: m\nsweeps:\n  - id: w\n    template: \"{words}\"\n"
      "    vars: {words: [\"20\"]}\n");
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain, quoted);
}

TEST(SweepTest, ZipGroupIsOneAxisWithRepeatsAndNarrowing) {
  EXPECT_EQ(JobsOf(R"y(name: b
models: [a, b]
sweeps:
  - id: river
    template: "Which river flows through {city}? ({style})"
    vars:
      style: [short]
    zip:
      - city: [Paris, Lima]
        answer: [Seine, Rimac]
    models: [b]
    repeat: 2
)y"),
            (Lines{"river-7c83160ca8943ff2 | Which river flows through Paris? (short) | b | 0 | "
                   "style=short,city=Paris,answer=Seine",
                   "river-7c83160ca8943ff2 | Which river flows through Paris? (short) | b | 1 | "
                   "style=short,city=Paris,answer=Seine",
                   "river-a39430b831aa5aa4 | Which river flows through Lima? (short) | b | 0 | "
                   "style=short,city=Lima,answer=Rimac",
                   "river-a39430b831aa5aa4 | Which river flows through Lima? (short) | b | 1 | "
                   "style=short,city=Lima,answer=Rimac"}));
}

TEST(SweepTest, SeveralZipGroupsMultiplyWithEachOther) {
  const auto jobs = JobsOf(R"y(name: b
model: m
sweeps:
  - id: z
    template: "{a}{b}/{c}{d}"
    zip:
      - {a: [1, 2], b: [x, y]}
      - {c: [3, 4, 5], d: [p, q, r]}
)y");
  ASSERT_EQ(jobs.size(), 6u);
  EXPECT_NE(jobs[0].find("| 1x/3p | m | 0 | a=1,b=x,c=3,d=p"), std::string::npos);
  EXPECT_NE(jobs[5].find("| 2y/5r | m | 0 | a=2,b=y,c=5,d=r"), std::string::npos);
}

TEST(SweepTest, DoubledBracesAreLiteralAndValuesAreNotTemplates) {
  EXPECT_EQ(JobsOf(R"y(name: b
model: m
sweeps:
  - id: j
    template: "Return {{\"name\": \"{who}\"}} as JSON }}{{"
    vars:
      who: ["{x}", "é}"]
)y"),
            (Lines{"j-665772853304c587 | Return {\"name\": \"{x}\"} as JSON }{ | m | 0 | who={x}",
                   "j-443e7d00c819184f | Return {\"name\": \"é}\"} as JSON }{ | m | 0 | who=é}"}));
}

TEST(SweepTest, ScalarValuesOfAnyYamlTypeAreTakenAsWritten) {
  EXPECT_EQ(JobsOf(R"y(name: b
model: m
sweeps:
  - id: t
    template: "T={temp}"
    vars:
      temp: [0.7, 1, true, "", null-ish]
)y"),
            (Lines{"t-ae349e829bc9201f | T=0.7 | m | 0 | temp=0.7",
                   "t-a04aef13d931b4fb | T=1 | m | 0 | temp=1",
                   "t-8386c27d474251a2 | T=true | m | 0 | temp=true",
                   "t-1a9795eceed6c38d | T= | m | 0 | temp=",
                   "t-4ca7243458153cdb | T=null-ish | m | 0 | temp=null-ish"}));
}

TEST(SweepTest, MillionJobSweepIsCountedAndStreamed) {
  const ParseResult result = testing::Parse(R"y(name: big
model: m
sweeps:
  - id: big
    template: "{a}-{b}-{c}-{d}-{e}-{f}"
    vars:
      a: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
      b: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
      c: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
      d: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
      e: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
      f: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
)y");
  ASSERT_NE(result.manifest, nullptr);
  EXPECT_EQ(CountJobs(*result.manifest), 1000000u);
  std::uint64_t jobs = 0;
  std::string first, last;
  const auto problems = ForEachJob(*result.manifest, [&](const JobSpec& job) {
    if (jobs++ == 0) first = job.prompt;
    last = job.prompt;
  });
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(jobs, 1000000u);
  EXPECT_EQ(first, "0-0-0-0-0-0");
  EXPECT_EQ(last, "9-9-9-9-9-9");
}

}  // namespace
}  // namespace gridbatch::manifest
