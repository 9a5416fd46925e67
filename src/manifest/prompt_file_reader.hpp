// Streams a prompt file one prompt at a time, validating as it goes: the
// parser reads each file once this way to validate and count it, and the job
// walker reads it again to produce jobs. Never holds more than one line.
//
// Formats: `lines` (one prompt a line, blank lines skipped) and `jsonl` (one
// object a line: {"id": ..., "prompt": ..., "vars": {...}}). Both accept
// CRLF line ends, a last line without a newline and a UTF-8 byte order mark.
// A line longer than kMaxLineBytes is an error that ends the file's reading:
// memory stays bounded even for a file with no newline at all (/dev/zero).
#pragma once

#include <cstdint>
#include <fstream>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "diagnostic_list.hpp"
#include "manifest_model.hpp"
#include "stable_hash.hpp"

namespace gridbatch::manifest {

// Room for a prompt of kMaxPromptBytes written as JSON with escapes.
inline constexpr std::size_t kMaxLineBytes = 4 * kMaxPromptBytes;

class PromptFileReader {
 public:
  // Borrows `file`, which must outlive the reader.
  explicit PromptFileReader(const PromptFile& file) : file_(file) {}

  // Opens the file; on failure returns why ("No such file or directory").
  std::optional<std::string> Open();

  // Reads up to the next prompt and fills `record`; returns false at the end
  // of the file. A line with problems is reported to `errors` and skipped.
  bool Next(PromptRecord& record, DiagnosticList& errors);

  // After Next returned false: whether a read error (not the end) stopped it.
  bool failed() const { return in_.bad(); }
  // A hash of every byte read so far, to notice a file that changed.
  std::uint64_t content_hash() const { return content_.Value(); }

 private:
  bool ReadLine();
  bool ParseLine(PromptRecord& record, DiagnosticList& errors);
  bool ParseJsonLine(PromptRecord& record, DiagnosticList& errors);
  void ReadVars(const nlohmann::ordered_json& vars, PromptRecord& record,
                DiagnosticList& errors) const;
  bool Finish(std::optional<std::string> prompt, PromptRecord& record,
              DiagnosticList& errors) const;
  bool Render(const std::optional<std::string>& prompt, PromptRecord& record,
              DiagnosticList& errors) const;
  void Report(DiagnosticList& errors, int column, std::string message) const;

  const PromptFile& file_;
  std::ifstream in_;
  std::string line_;
  bool line_too_long_ = false;  // line_ holds only the first kMaxLineBytes+
  int line_number_ = 0;
  ChangeHash content_;
};

// The hash a generated id is made of: the rendered prompt and the variables
// (by name, so reordering them keeps the id).
std::uint64_t HashPrompt(const PromptRecord& record);

}  // namespace gridbatch::manifest
