#include "fuzz_check.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <system_error>

namespace gridbatch::fuzz {
namespace {

// Removes the scratch directory at exit; a crash leaves it for inspection.
struct ScratchOwner {
  std::filesystem::path path;
  ScratchOwner() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "gridbatch-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) Fail("cannot create a scratch directory");
    path = pattern;
  }
  ~ScratchOwner() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  ScratchOwner(const ScratchOwner&) = delete;
  ScratchOwner& operator=(const ScratchOwner&) = delete;
};

}  // namespace

void Fail(std::string_view what) {
  std::fprintf(stderr, "fuzz check failed: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

const std::filesystem::path& ScratchDir() {
  static const ScratchOwner owner;
  return owner.path;
}

void WriteFile(const std::filesystem::path& path, std::string_view contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) Fail("cannot write " + path.string());
}

}  // namespace gridbatch::fuzz
