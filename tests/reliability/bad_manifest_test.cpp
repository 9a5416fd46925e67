// Bad manifests through the real binary: `gridbatch load` must refuse each
// with exit code 65 and messages that say where (file:line:column) and what,
// within 1 GiB of address space, and without touching the database (its file
// is compared byte for byte: validation happens before it is opened).
#include <random>

#include "binary_fixture.hpp"
#include "gridbatch/error.hpp"

namespace gridbatch::reliability {
namespace {

const std::string kGoodManifest =
    "name: capitals\n"
    "models: [gemma:2b, llama3:8b]\n"
    "prompts:\n"
    "  - \"What is the capital of France?\"\n"
    "  - id: q2\n"
    "    prompt: \"What is the capital of Peru?\"\n";

using BadManifestTest = RefusedLoadTest;

TEST_F(BadManifestTest, ATruncatedManifestIsRefusedWhereItStops) {
  // Cut inside the quoted prompt of line 6.
  const std::string path = Write("cut.yaml", kGoodManifest.substr(0, kGoodManifest.size() - 12));
  ExpectRefused(path, path + ":6:32: YAML syntax error: illegal EOF in scalar\n" + Summary(1));
}

// yaml-cpp 0.7 takes a quoted scalar that runs to the end of the text after
// a line break as closed there: these loaded as valid, prompt "unterminated ".
TEST_F(BadManifestTest, AManifestCutInsideAQuoteAfterALineBreakIsRefused) {
  const std::string cut = Write("cut.yaml", "name: x\nmodels: [a]\nprompts:\n  - \"unterminated\n");
  ExpectRefused(cut, cut +
                         ":4:5: YAML syntax error: double-quoted string has no closing \" "
                         "before the end of the file (is the file cut short?)\n" +
                         Summary(1));
  const std::string cut_more =
      Write("cut_more.yaml", kGoodManifest.substr(0, kGoodManifest.size() - 12) + "\n  more\n");
  ExpectRefused(cut_more, cut_more +
                              ":6:13: YAML syntax error: double-quoted string has no closing \" "
                              "before the end of the file (is the file cut short?)\n" +
                              Summary(1));
  const std::string single =
      Write("single.yaml", "name: x\nmodels: [a]\nprompts:\n  - 'it''s cut\n");
  ExpectRefused(single, single +
                            ":4:5: YAML syntax error: single-quoted string has no closing ' "
                            "before the end of the file (is the file cut short?)\n" +
                            Summary(1));
  // Closed quotes with escapes inside still load.
  const std::string fine =
      Write("fine.yaml", "name: x\nmodels: ['it''s']\nprompts:\n  - \"say \\\"hi\\\"\\\\\"\n");
  const ChildResult r = Gridbatch({"load", fine, "--db", db_path_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(BadManifestTest, BinaryGarbageIsRefusedAsInvalidUtf8OnEachLine) {
  const std::string path = Write("image.png", PngStart());
  ExpectRefused(path,
                path + ":1:1: invalid UTF-8\n" + path + ":3:24: invalid UTF-8\n" + Summary(2));
}

TEST_F(BadManifestTest, AMegabyteOfRandomBytesGivesAHundredMessagesAndACount) {
  std::mt19937 rng(20240506);
  std::string bytes(1 << 20, '\0');
  for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
  const std::string path = Write("random.bin", bytes);
  const ChildResult r = Gridbatch({"load", path, "--db", db_path_});
  EXPECT_EQ(r.exit_code, kExitDataErr) << r.err.substr(0, 2000);
  // Every line of the output is a diagnostic of this file, then the count.
  std::vector<std::string> lines;
  for (std::size_t from = 0, end; (end = r.err.find('\n', from)) != std::string::npos;
       from = end + 1) {
    lines.push_back(r.err.substr(from, end - from));
  }
  ASSERT_EQ(lines.size(), 102u) << r.err.substr(0, 2000);
  for (std::size_t i = 0; i < 100; ++i) {
    EXPECT_TRUE(lines[i].starts_with(path + ":")) << lines[i];
    const bool invalid = lines[i].ends_with(": invalid UTF-8");
    const bool nul =
        lines[i].ends_with(": the manifest contains a NUL byte: it must be UTF-8 text");
    EXPECT_TRUE(invalid || nul) << lines[i];
  }
  EXPECT_TRUE(lines[100].starts_with(path + ": ... and ")) << lines[100];
  EXPECT_TRUE(lines[101].starts_with("gridbatch: ")) << lines[101];
  EXPECT_TRUE(lines[101].ends_with(" error(s); nothing was loaded")) << lines[101];
  ExpectDatabaseUntouched();
}

TEST_F(BadManifestTest, AHundredMegabyteManifestIsRefusedBeforeItIsRead) {
  std::string text = "name: huge\nmodels: [m]\nprompts:\n  - \"";
  text.append(100'000'000, 'a');
  text += "\"\n";
  const std::string path = Write("huge.yaml", text);
  ExpectRefused(path, path +
                          ": larger than 16 MiB, the limit for a manifest (long prompt lists "
                          "belong in prompt_files, which are streamed)\n" +
                          Summary(1));
}

TEST_F(BadManifestTest, DevZeroAsTheManifestIsRefusedAfter16MiB) {
  ExpectRefused("/dev/zero",
                "/dev/zero: larger than 16 MiB, the limit for a manifest (long prompt lists "
                "belong in prompt_files, which are streamed)\n" +
                    Summary(1));
}

TEST_F(BadManifestTest, APromptOverOneMebibyteIsRefusedWhereItIs) {
  std::string text = "name: long\nmodels: [m]\nprompts:\n  - ok\n  - \"";
  text.append(2'000'000, 'b');
  text += "\"\n  - id: q3\n    prompt: \"";
  text.append(1'048'577, 'c');
  text += "\"\n";
  const std::string path = Write("long.yaml", text);
  ExpectRefused(path, path + ":5:5: prompt 2 is 2000000 bytes, more than the limit of 1 MiB\n" +
                          path +
                          ":7:13: prompt 'q3': 'prompt' is 1048577 bytes, more than the limit of "
                          "1 MiB\n" +
                          Summary(2));
}

TEST_F(BadManifestTest, AHundredThousandLevelsOfNestingAreRefusedWithoutACrash) {
  const std::string path =
      Write("deep.yaml", "name: deep\nmodels: [m]\nprompts: " + std::string(100'000, '['));
  ExpectRefused(path,
                path +
                    ":3:100010: lists and maps nested too deeply (yaml-cpp reads at most about "
                    "500 levels)\n" +
                    Summary(1));
}

TEST_F(BadManifestTest, NestingJustBelowTheLimitIsAnOrdinaryTypeError) {
  const std::string path =
      Write("nested.yaml",
            "name: n\nmodels: [m]\nprompts: " + std::string(400, '[') + std::string(400, ']'));
  ExpectRefused(path, path +
                          ":3:11: prompt 1 must be a string, or a map with 'prompt' (and 'id', "
                          "'models', 'repeat')\n" +
                          Summary(1));
}

TEST_F(BadManifestTest, AUtf16ManifestIsRefusedNamingItsEncoding) {
  const std::string path = Write("utf16.yaml", Utf16(kGoodManifest, true));
  ExpectRefused(path, path +
                          ":1:1: the manifest is UTF-16 (it starts with a UTF-16 byte order "
                          "mark); it must be UTF-8\n" +
                          Summary(1));
}

TEST_F(BadManifestTest, AUtf16ManifestWithoutAByteOrderMarkIsRefusedToo) {
  // yaml-cpp would decode it, but every position in a message would be wrong.
  const std::string path = Write("utf16le.yaml", Utf16(kGoodManifest, false));
  ExpectRefused(
      path, path + ":1:2: the manifest contains a NUL byte: it must be UTF-8 text\n" + Summary(1));
}

TEST_F(BadManifestTest, Latin1BytesAreReportedWhereTheyAre) {
  const std::string path = Write("latin1.yaml",
                                 "name: caf\xe9\nmodels: [m]\nprompts: [\"cr\xe8"
                                 "me br\xfb"
                                 "l\xe9"
                                 "e\"]\n");
  ExpectRefused(path,
                path + ":1:10: invalid UTF-8\n" + path + ":3:14: invalid UTF-8\n" + Summary(2));
}

// yaml-cpp spends about 800 bytes on each value it holds: a 2 MB manifest of
// a million one-letter prompts took 790 MB. The number of values is bounded
// before yaml-cpp builds any.
TEST_F(BadManifestTest, AManifestOfTooManyValuesIsRefusedBeforeYamlCppHoldsThem) {
  std::string text = "name: dense\nmodels: [m]\nprompts: [a";
  for (int i = 0; i < 3'000'000; ++i) text += ",a";
  text += "]\n";
  const std::string path = Write("dense.yaml", text);
  ExpectRefused(path, path +
                          ":3:999995: more than 500000 YAML values (lists, maps and scalars); "
                          "long prompt lists belong in prompt_files, which are streamed\n" +
                          Summary(1));
}

// A 310 KB manifest whose sweep renders a prompt of 10^9 bytes: validation
// must see it coming, before the load renders it.
TEST_F(BadManifestTest, ASweepWhoseTemplateMakesAGigabytePromptIsRefused) {
  std::string text = "name: s\nmodels: [m]\nsweeps:\n  - id: big\n    template: \"";
  for (int i = 0; i < 100'000; ++i) text += "{a}";
  text += "\"\n    vars:\n      a: [\"" + std::string(10'000, 'v') + "\", short]\n";
  const std::string path = Write("sweep.yaml", text);
  ExpectRefused(path, path +
                          ":5:15: sweep 'big': 'template' makes prompts of up to 1000000000 "
                          "bytes (with the longest values), more than the limit of 1 MiB\n" +
                          Summary(1));
}

// Not bad input, but input that once made `load` quadratic: a manifest
// written as one line of JSON (valid YAML), as a script might produce it.
// Each position lookup scanned the line from its start. The child's CPU time
// is capped far above what a linear load needs (about a second).
TEST_F(BadManifestTest, AManifestOnOneLineOfJsonLoadsWithinBoundedCpuTime) {
  std::string json = R"({"name": "oneline", "models": ["m"], "prompts": [)";
  for (int i = 0; i < 100'000; ++i) {
    json += (i ? ", " : "") + std::string("\"One-line prompt number ") + std::to_string(i) + "\"";
  }
  json += "]}\n";
  const std::string path = Write("oneline.yaml", json);
  ChildOptions options;
  options.cpu_seconds_limit = 60;
  const ChildResult r = Gridbatch({"load", path, "--db", db_path_}, options);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err,
            "oneline: 100000 new, 0 already present, 0 no longer in the manifest (100000 jobs)\n");
  EXPECT_EQ(Snapshot(db_path_).jobs, 100'002);
}

}  // namespace
}  // namespace gridbatch::reliability
