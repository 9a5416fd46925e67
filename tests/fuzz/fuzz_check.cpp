#include "fuzz_check.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "test_files.hpp"

namespace gridbatch::fuzz {

void Fail(std::string_view what) {
  std::fprintf(stderr, "fuzz check failed: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

const std::filesystem::path& ScratchDir() {
  // Removed at exit; a crash leaves it for inspection.
  static const testing::TempDir dir;
  return dir.path();
}

void WriteFile(const std::filesystem::path& path, std::string_view contents) {
  try {
    testing::WriteFile(path, contents);
  } catch (const std::exception& e) {
    Fail(e.what());
  }
}

}  // namespace gridbatch::fuzz
