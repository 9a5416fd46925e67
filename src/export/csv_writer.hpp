// CSV per RFC 4180: a header row, fields quoted when they hold a comma, a
// quote, CR or LF (quotes doubled), CRLF after each record, UTF-8.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "output_buffer.hpp"
#include "record_writer.hpp"
#include "sweep_vars.hpp"

namespace gridbatch::exporter {

struct CsvOptions {
  enum class Formulas { kNeutralise, kKeep };
  // Default: kNeutralise: a text cell that starts with = + - @ tab or CR,
  // which a spreadsheet would run as a formula, gets a leading apostrophe.
  // Numbers (runtime, attempts, repeat, numeric variables) are never changed.
  Formulas formulas = Formulas::kNeutralise;
};

// NULL is an empty cell; an empty string is "" so the two stay apart for
// readers that care. Invalid UTF-8 is replaced by U+FFFD.
class CsvWriter final : public RecordWriter {
 public:
  // Buffers the header row at once: batch, prompt_id, ..., repeat, then
  // var.NAME for each of `variable_names`, in their order. `out` must
  // outlive the writer; `destination` names it in error messages.
  CsvWriter(std::ostream& out, std::string destination,
            const std::vector<std::string>& variable_names, CsvOptions options = {});

  void Write(const store::ExportRow& row) override;
  void Finish() override;

 private:
  void JobCells(const store::ExportRow& row);
  void VarCells(const std::optional<std::string_view>& vars_json);
  void Text(std::string_view text);
  void Text(const std::optional<std::string_view>& text);
  void Number(std::int64_t value);
  void Number(const std::optional<std::int64_t>& value);
  // A cell written as it is (quoted if need be): header names, JSON values.
  void Verbatim(std::string_view text);
  void Separator() { out_.Append(','); }

  OutputBuffer out_;
  bool has_variables_;
  VarsDecoder vars_;
  CsvOptions options_;
};

}  // namespace gridbatch::exporter
