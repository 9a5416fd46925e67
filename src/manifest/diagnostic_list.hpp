// Collects the problems found in a manifest and its prompt files, so that a
// user sees all of them at once rather than one per attempt. Bounded: a
// million bad lines keep only the first few in memory.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "gridbatch/manifest/manifest.hpp"

namespace gridbatch::manifest {

inline constexpr std::size_t kMaxDiagnosticsShown = 100;

class DiagnosticList {
 public:
  // `noun` names the entries in the summary line ("errors", "warnings").
  explicit DiagnosticList(std::string noun) : noun_(std::move(noun)) {}

  void Add(std::string file, int line, int column, std::string message);
  void Add(Diagnostic diagnostic);

  // Everything added, including what was not kept.
  std::size_t count() const { return count_; }
  bool empty() const { return count_ == 0; }

  // The diagnostics in file order (files in the order they first appeared,
  // then line and column), the first kMaxDiagnosticsShown of them, and a last
  // "... and N more <noun>" line naming `summary_file` if some were left out.
  std::vector<Diagnostic> Finish(const std::string& summary_file) const;

 private:
  // Kept per file; beyond this the file's diagnostics are only counted.
  static constexpr std::size_t kKeptPerFile = 1000;

  std::string noun_;
  std::vector<Diagnostic> kept_;
  std::vector<std::string> files_;  // in order of first appearance
  std::vector<std::size_t> kept_by_file_;
  std::size_t count_ = 0;
};

}  // namespace gridbatch::manifest
