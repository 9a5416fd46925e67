// Fuzz target: the input is the contents of a prompts file, read by a fixed
// manifest both as plain lines and as JSON Lines. Parsing must never crash,
// hang, leak or throw, and the result must be consistent (manifest_checks).
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "gridbatch/manifest/manifest.hpp"
#include "manifest_checks.hpp"

namespace {

constexpr std::string_view kManifest = R"(name: fuzz
models: [m1, m2]
prompt_files:
  - path: prompts.txt
    template: "Say {prompt}"
    id_prefix: line
  - path: prompts.jsonl
    id_prefix: json
)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path& dir = gridbatch::fuzz::ScratchDir();
  const std::string_view contents = gridbatch::fuzz::AsText(data, size);
  gridbatch::fuzz::WriteFile(dir / "prompts.txt", contents);
  gridbatch::fuzz::WriteFile(dir / "prompts.jsonl", contents);
  gridbatch::fuzz::CheckParseResult(
      gridbatch::manifest::ParseManifest(kManifest, "fuzz.yaml", dir));
  return 0;
}
