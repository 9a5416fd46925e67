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

// The cells of one CSV stream: RFC 4180 quoting, UTF-8 repair, formula
// neutralisation. NULL is an empty cell; an empty string is "" so the two
// stay apart for readers that care. Invalid UTF-8 is replaced by U+FFFD.
class CsvCells {
 public:
  // `out` must outlive the cells; `destination` names it in error messages.
  CsvCells(std::ostream& out, std::string destination, CsvOptions options);

  void Text(std::string_view text);
  void Text(const std::optional<std::string_view>& text);
  void Number(std::int64_t value);
  void Number(const std::optional<std::int64_t>& value);
  // A cell written as it is (quoted if need be): header names, JSON values.
  void Verbatim(std::string_view text);
  // One cell per variable of `vars` (its names), each after a separator.
  void Vars(VarsDecoder& vars, const std::optional<std::string_view>& vars_json);
  void Separator() { out_.Append(','); }
  void EndRecord() {
    out_.Append("\r\n");
    out_.FlushIfFull();
  }
  void Finish() { out_.Finish(); }

 private:
  OutputBuffer out_;
  CsvOptions options_;
};

class CsvWriter final : public RecordWriter {
 public:
  // Buffers the header row at once: batch, prompt_id, ..., repeat, then
  // var.NAME for each of `variable_names`, in their order. `out` must
  // outlive the writer; `destination` names it in error messages.
  CsvWriter(std::ostream& out, std::string destination,
            const std::vector<std::string>& variable_names, CsvOptions options = {});

  void Write(const ExportRow& row) override;
  void Finish() override;

 private:
  void JobCells(const ExportRow& row);

  CsvCells cells_;
  bool has_variables_;
  VarsDecoder vars_;
};

// `export --wide`: one record per prompt and repeat. Header: batch,
// prompt_id, repeat, prompt, var.NAME for each variable, then for each model
// M: state.M, output.M, runtime.M, error.M. A model without a job for the
// prompt has empty cells.
class WideCsvWriter final : public WideRecordWriter {
 public:
  WideCsvWriter(std::ostream& out, std::string destination, std::vector<std::string> models,
                const std::vector<std::string>& variable_names, CsvOptions options = {});

  void Write(const WideRow& row) override;
  void Finish() override { cells_.Finish(); }

 private:
  CsvCells cells_;
  std::vector<std::string> models_;
  VarsDecoder vars_;
};

}  // namespace gridbatch::exporter
