// Bad prompt files through the real binary, in both formats (`lines` and
// `jsonl`): `gridbatch load` must refuse each with exit code 65, messages
// that say where (file:line:column) and what, within 1 GiB of address space,
// and without touching the database.
#include <fstream>

#include "binary_fixture.hpp"

namespace gridbatch::reliability {
namespace {

class BadPromptFileTest : public RefusedLoadTest {
 protected:
  // A manifest that reads `file` (a path relative to the test's directory,
  // or absolute); returns the manifest's path.
  std::string ManifestFor(const std::string& file) {
    return Write("sweep.yaml",
                 "name: from-file\nmodels: [gemma:2b]\nprompt_files:\n  - path: " + file + "\n");
  }

  // Line 2 of the file is `line_bytes` copies of `fill` between `before` and
  // `after`; lines 1 and 3 are ordinary. Written in pieces: the test never
  // holds the whole file.
  std::string WriteLongLine(const std::string& name, const std::string& before, char fill,
                            std::size_t line_bytes, const std::string& after) {
    const bool jsonl = name.ends_with(".jsonl");
    const std::string path = PathOf(name);
    std::ofstream out(path, std::ios::binary);
    out << (jsonl ? "{\"prompt\": \"a first, ordinary prompt\"}\n" : "a first, ordinary prompt\n")
        << before;
    const std::string piece(1 << 20, fill);
    for (std::size_t left = line_bytes; left > 0;) {
      const std::size_t n = std::min(left, piece.size());
      out.write(piece.data(), static_cast<std::streamsize>(n));
      left -= n;
    }
    out << after
        << (jsonl ? "\n{\"prompt\": \"the prompt after it\"}\n" : "\nthe prompt after it\n");
    return path;
  }
};

const std::string kLineTooLong =
    ":2:1: the line is longer than 4 MiB (a prompt may be at most 1 MiB); the rest of the file "
    "was not read\n";

TEST_F(BadPromptFileTest, ALinesFileCutInsideACharacterIsReportedAsInvalidUtf8) {
  const std::string file = Write("cut.txt", "Hello world\nSecond prompt caf\xc3\xa9\nThird cr\xc3");
  ExpectRefused(ManifestFor("cut.txt"), file + ":3:9: invalid UTF-8\n" + Summary(1));
}

TEST_F(BadPromptFileTest, AJsonlFileCutInsideAnObjectIsReportedWhereItStops) {
  const std::string file = Write("cut.jsonl",
                                 "{\"id\": \"a\", \"prompt\": \"one\"}\n"
                                 "{\"id\": \"b\", \"prompt\": \"two\"}\n"
                                 "{\"id\": \"c\", \"prompt\": \"thr");
  ExpectRefused(ManifestFor("cut.jsonl"),
                file +
                    ":3:27: invalid JSON: syntax error while parsing value - invalid string: "
                    "missing closing quote; last read: '\"thr'\n" +
                    Summary(1));
}

TEST_F(BadPromptFileTest, BinaryGarbageAsALinesFileIsRefusedLineByLine) {
  const std::string file = Write("image.txt", PngStart());
  ExpectRefused(ManifestFor("image.txt"),
                file + ":1:1: invalid UTF-8\n" + file + ":3:24: invalid UTF-8\n" + Summary(2));
}

TEST_F(BadPromptFileTest, BinaryGarbageAsAJsonlFileIsRefusedLineByLine) {
  const std::string file = Write("image.jsonl", PngStart());
  ExpectRefused(ManifestFor("image.jsonl"),
                file + ":1:1: invalid UTF-8\n" + file +
                    ":2:1: invalid JSON: syntax error while parsing value - invalid literal; last "
                    "read: '<U+001A>'\n" +
                    file + ":3:24: invalid UTF-8\n" + Summary(3));
}

TEST_F(BadPromptFileTest, AHundredMegabyteLineIsRefusedWithoutBeingHeldInMemory) {
  const std::string file = WriteLongLine("huge.txt", "", 'x', 100'000'000, "");
  ExpectRefused(ManifestFor("huge.txt"), file + kLineTooLong + Summary(1));
}

TEST_F(BadPromptFileTest, AHundredMegabyteJsonlLineIsRefusedWithoutBeingHeldInMemory) {
  const std::string file = WriteLongLine("huge.jsonl", "{\"prompt\": \"", 'x', 100'000'000, "\"}");
  ExpectRefused(ManifestFor("huge.jsonl"), file + kLineTooLong + Summary(1));
}

TEST_F(BadPromptFileTest, AFileWithoutAnyNewlineIsRefusedWithoutReadingItAll) {
  // /dev/zero never ends: only a bounded line read can refuse it.
  ExpectRefused(ManifestFor("/dev/zero"),
                "/dev/zero:1:1: the line is longer than 4 MiB (a prompt may be at most 1 MiB); "
                "the rest of the file was not read\n" +
                    Summary(1));
}

TEST_F(BadPromptFileTest, APromptOverOneMebibyteIsRefusedWithItsLine) {
  const std::string file = WriteLongLine("long.jsonl", "{\"prompt\": \"", 'y', 2'000'000, "\"}");
  ExpectRefused(
      ManifestFor("long.jsonl"),
      file + ":2:1: the prompt is 2000000 bytes, more than the limit of 1 MiB\n" + Summary(1));
}

TEST_F(BadPromptFileTest, ATemplateThatWouldRenderAGigabytePromptIsRefusedBeforeRendering) {
  const std::string file = Write("short.txt", "fine\n" + std::string(10'000, 'w') + "\n");
  std::string tmpl;
  for (int i = 0; i < 100'000; ++i) tmpl += "{prompt}";
  const std::string manifest = Write(
      "sweep.yaml",
      "name: t\nmodels: [m]\nprompt_files:\n  - path: short.txt\n    template: \"" + tmpl + "\"\n");
  ExpectRefused(manifest, file +
                              ":2:1: the prompt would be 1000000000 bytes, more than the limit of "
                              "1 MiB\n" +
                              Summary(1));
}

TEST_F(BadPromptFileTest, AHundredThousandLevelsOfJsonNestingAreRefusedWithoutACrash) {
  const std::string deep(100'000, '[');
  const std::string file =
      Write("deep.jsonl", "{\"prompt\": " + deep + std::string(100'000, ']') + "}\n" + deep + "\n");
  ExpectRefused(ManifestFor("deep.jsonl"),
                file + ":1:1: 'prompt' must be a string\n" + file +
                    ":2:100001: invalid JSON: syntax error while parsing value - unexpected end "
                    "of input; expected '[', '{', or a literal\n" +
                    Summary(2));
}

TEST_F(BadPromptFileTest, AUtf16LinesFileIsRefusedNamingItsEncoding) {
  const std::string file = Write("utf16.txt", Utf16("Hello\nWorld\n", true));
  ExpectRefused(ManifestFor("utf16.txt"),
                file +
                    ":1:1: the file is UTF-16 (it starts with a UTF-16 byte order mark); it must "
                    "be UTF-8\n" +
                    Summary(1));
}

TEST_F(BadPromptFileTest, AUtf16JsonlFileWithoutAByteOrderMarkIsRefusedAsInvalidJson) {
  const std::string file = Write("utf16.jsonl", Utf16("{\"prompt\": \"Hello\"}\n", false));
  ExpectRefused(ManifestFor("utf16.jsonl"),
                file +
                    ":1:2: invalid JSON: syntax error while parsing object key - unexpected end "
                    "of input; expected string literal\n" +
                    file +
                    ":2:1: invalid JSON: syntax error while parsing value - unexpected end of "
                    "input; expected '[', '{', or a literal\n" +
                    Summary(2));
}

TEST_F(BadPromptFileTest, Latin1BytesAreReportedWhereTheyAreInBothFormats) {
  const std::string lines = Write("latin1.txt",
                                  "Bonjour caf\xe9\ncr\xe8"
                                  "me br\xfb"
                                  "l\xe9"
                                  "e\n");
  ExpectRefused(ManifestFor("latin1.txt"),
                lines + ":1:12: invalid UTF-8\n" + lines + ":2:3: invalid UTF-8\n" + Summary(2));
  const std::string jsonl = Write("latin1.jsonl", "{\"prompt\": \"caf\xe9\"}\n");
  ExpectRefused(ManifestFor("latin1.jsonl"), jsonl + ":1:16: invalid UTF-8\n" + Summary(1));
}

}  // namespace
}  // namespace gridbatch::reliability
