#include "diagnostic_list.hpp"

#include <algorithm>
#include <tuple>

#include "gridbatch/util/utf8.hpp"

namespace gridbatch::manifest {

std::string Diagnostic::ToString() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

void DiagnosticList::Add(std::string file, int line, int column, std::string message) {
  Add(Diagnostic{std::move(file), line, column, std::move(message)});
}

void DiagnosticList::Add(Diagnostic diagnostic) {
  ++count_;
  // Messages quote the user's text and yaml-cpp's, which may stop inside a
  // multi-byte character ("unknown escape character: \xC3").
  if (FindInvalidUtf8(diagnostic.message)) diagnostic.message = SanitizeUtf8(diagnostic.message);
  auto it = std::find(files_.begin(), files_.end(), diagnostic.file);
  if (it == files_.end()) {
    files_.push_back(diagnostic.file);
    kept_by_file_.push_back(0);
    it = files_.end() - 1;
  }
  std::size_t& kept = kept_by_file_[static_cast<std::size_t>(it - files_.begin())];
  if (kept == kKeptPerFile) return;
  ++kept;
  kept_.push_back(std::move(diagnostic));
}

std::vector<Diagnostic> DiagnosticList::Finish(const std::string& summary_file) const {
  const auto rank = [this](const Diagnostic& d) {
    return std::find(files_.begin(), files_.end(), d.file) - files_.begin();
  };
  std::vector<Diagnostic> sorted = kept_;
  std::stable_sort(sorted.begin(), sorted.end(), [&](const Diagnostic& a, const Diagnostic& b) {
    return std::make_tuple(rank(a), a.line, a.column) < std::make_tuple(rank(b), b.line, b.column);
  });
  if (sorted.size() > kMaxDiagnosticsShown) sorted.resize(kMaxDiagnosticsShown);
  if (count_ > sorted.size()) {
    sorted.push_back({summary_file, 0, 0,
                      "... and " + std::to_string(count_ - sorted.size()) + " more " + noun_});
  }
  return sorted;
}

}  // namespace gridbatch::manifest
