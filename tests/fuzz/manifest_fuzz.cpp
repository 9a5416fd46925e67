// Fuzz target: the input is a manifest. ParseManifest must never crash, hang,
// leak or throw, and what it returns must be consistent (manifest_checks).
// Prompt files it names resolve in a scratch directory holding the files the
// examples/ manifests use, so those seeds reach the file readers.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "gridbatch/manifest/manifest.hpp"
#include "manifest_checks.hpp"

namespace {

using gridbatch::fuzz::ScratchDir;
using gridbatch::fuzz::WriteFile;

const std::filesystem::path& BaseDir() {
  static const std::filesystem::path dir = [] {
    const std::filesystem::path& base = ScratchDir();
    std::filesystem::create_directories(base / "prompts");
    WriteFile(base / "prompts" / "phrases.txt", "Good morning.\nWhere is the station?\n\n");
    WriteFile(base / "prompts" / "trivia.jsonl",
              "{\"id\": \"t1\", \"prompt\": \"Who?\", \"vars\": {\"words\": 5}}\n"
              "{\"prompt\": \"What?\", \"vars\": {\"words\": 2, \"expected\": \"x\"}}\n");
    return base;
  }();
  return dir;
}

// A manifest may name any path; devices and pipes (/dev/zero, /dev/stdin)
// would block or never end, which is the user's choice, not a bug to find.
bool NamesSpecialFiles(std::string_view text) {
  for (std::string_view root : {"/dev", "/proc", "/sys"}) {
    if (text.find(root) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = gridbatch::fuzz::AsText(data, size);
  if (NamesSpecialFiles(text)) return 0;
  gridbatch::fuzz::CheckParseResult(
      gridbatch::manifest::ParseManifest(text, "fuzz.yaml", BaseDir()));
  return 0;
}
