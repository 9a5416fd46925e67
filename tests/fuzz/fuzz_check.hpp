// What the fuzz targets share: a check that stops the run with a message
// when a property fails (libFuzzer then saves the input as a crash), and a
// scratch directory that lives as long as the process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace gridbatch::fuzz {

// Prints "fuzz check failed: <what>" and aborts. Used instead of assert so a
// release build checks the properties too.
[[noreturn]] void Fail(std::string_view what);

inline void Check(bool ok, std::string_view what) {
  if (!ok) Fail(what);
}

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A fresh directory under the system's temporary one, created on first use
// and removed with its contents when the process exits normally.
const std::filesystem::path& ScratchDir();

// Writes `contents` to `path` (binary, truncating); aborts if it cannot.
void WriteFile(const std::filesystem::path& path, std::string_view contents);

}  // namespace gridbatch::fuzz
