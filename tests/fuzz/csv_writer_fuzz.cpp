// Fuzz target: a round trip through the CSV writer. The input's first byte
// picks the options (formula neutralisation on or off, which optional fields
// are NULL); the rest, split on '|', gives the text fields in order, then
// pairs of sweep variable name and value. The output must parse back, with
// the strict RFC 4180 reader below, to exactly the header and the cells that
// were written: invalid UTF-8 replaced, formulas prefixed with ' when asked.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "csv_writer.hpp"
#include "fuzz_check.hpp"
#include "gridbatch/util/utf8.hpp"

namespace {

using gridbatch::ExportRow;
using gridbatch::fuzz::Check;

// A cell as read back: quoted "" and unquoted empty differ (empty vs NULL).
struct Cell {
  std::string text;
  bool quoted = false;
  bool operator==(const Cell&) const = default;
};
using Record = std::vector<Cell>;

// RFC 4180, strictly: CRLF after every record, quotes only around a whole
// field, "" for a quote inside. nullopt for anything else.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}

  std::optional<std::vector<Record>> ReadAll() {
    std::vector<Record> records;
    while (at_ < text_.size()) {
      std::optional<Record> record = ReadRecord();
      if (!record) return std::nullopt;
      records.push_back(std::move(*record));
    }
    return records;
  }

 private:
  std::optional<Record> ReadRecord() {
    Record record;
    while (true) {
      std::optional<Cell> cell = Peek() == '"' ? ReadQuoted() : ReadBare();
      if (!cell) return std::nullopt;
      record.push_back(std::move(*cell));
      if (Peek() == ',') {
        ++at_;
      } else if (text_.substr(at_, 2) == "\r\n") {
        at_ += 2;
        return record;
      } else {
        return std::nullopt;
      }
    }
  }

  std::optional<Cell> ReadQuoted() {
    Cell cell{"", true};
    ++at_;
    while (at_ < text_.size()) {
      const char c = text_[at_++];
      if (c != '"') {
        cell.text += c;
      } else if (Peek() == '"') {
        cell.text += '"';
        ++at_;
      } else {
        return cell;
      }
    }
    return std::nullopt;  // no closing quote
  }

  std::optional<Cell> ReadBare() {
    const std::size_t end = text_.find_first_of(",\r\n\"", at_);
    Cell cell{std::string(text_.substr(at_, end - at_)), false};
    at_ = end == std::string_view::npos ? text_.size() : end;
    if (Peek() == '"') return std::nullopt;  // a quote inside a bare field
    return cell;
  }

  char Peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }

  std::string_view text_;
  std::size_t at_ = 0;
};

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (std::size_t from = 0;;) {
    const std::size_t to = text.find(separator, from);
    parts.push_back(text.substr(from, to == std::string_view::npos ? to : to - from));
    if (to == std::string_view::npos) return parts;
    from = to + 1;
  }
}

// The input decoded into a row, with the records the CSV must read back as.
class Case {
 public:
  explicit Case(std::string_view input) {
    flags_ = static_cast<unsigned char>(input.empty() ? 0 : input[0]);
    if (!input.empty()) input.remove_prefix(1);
    const std::vector<std::string_view> parts = Split(input, '|');
    for (std::size_t i = 0; i < kTextFields; ++i) {
      fields_.emplace_back(i < parts.size() ? parts[i] : std::string_view());
    }
    ReadVariables(parts);
    numbers_ = static_cast<std::int64_t>(input.size());
  }

  gridbatch::exporter::CsvOptions Options() const {
    return {.formulas = Neutralise() ? gridbatch::exporter::CsvOptions::Formulas::kNeutralise
                                     : gridbatch::exporter::CsvOptions::Formulas::kKeep};
  }
  const std::vector<std::string>& VariableNames() const { return var_names_; }

  ExportRow Row() const {
    ExportRow row;
    row.batch = fields_[0];
    row.prompt_id = fields_[1];
    row.model = fields_[2];
    row.prompt = fields_[3];
    row.state = fields_[4];
    row.output = Maybe(5, 1);
    if (!Null(6)) row.runtime = numbers_ * 37 - 1000;
    row.remote_id = Maybe(6, 2);
    row.attempts = numbers_ % 2 == 0 ? numbers_ : std::numeric_limits<std::int64_t>::min();
    row.error = Maybe(7, 3);
    row.previous_error = Maybe(8, 4);
    row.created = fields_[8];
    row.submitted_at = Maybe(9, 4);
    row.finished_at = Maybe(10, 5);
    row.repeat = std::numeric_limits<std::int64_t>::max();
    if (!Null(7)) row.vars = vars_json_;
    return row;
  }

  Record Header() const {
    Record header;
    for (std::string_view field : gridbatch::exporter::kExportFields) {
      header.push_back({std::string(field), false});
    }
    for (const std::string& name : var_names_) {
      header.push_back({"var." + name, name.find_first_of(",\"\r\n") != std::string::npos});
    }
    return header;
  }

  Record Expected() const {
    const ExportRow row = Row();
    Record cells;
    for (std::string_view text : {row.batch, row.prompt_id, row.model, row.prompt, row.state}) {
      cells.push_back(Text(text));
    }
    cells.push_back(Text(row.output));
    cells.push_back(Number(row.runtime));
    cells.push_back(Text(row.remote_id));
    cells.push_back(Number(row.attempts));
    cells.push_back(Text(row.error));
    cells.push_back(Text(row.previous_error));
    cells.push_back(Text(row.created));
    cells.push_back(Text(row.submitted_at));
    cells.push_back(Text(row.finished_at));
    cells.push_back(Number(row.repeat));
    for (const std::string& value : var_values_) {
      cells.push_back(row.vars ? Text(std::string_view(value)) : Cell{});
    }
    return cells;
  }

 private:
  static constexpr std::size_t kTextFields = 11;

  bool Neutralise() const { return (flags_ & 1) == 0; }
  bool Null(int bit) const { return (flags_ & (1 << bit)) != 0; }
  std::optional<std::string_view> Maybe(std::size_t field, int bit) const {
    if (Null(bit)) return std::nullopt;
    return fields_[field];
  }

  // Pairs of name and value after the text fields; a repeated name is skipped.
  void ReadVariables(const std::vector<std::string_view>& parts) {
    nlohmann::json vars = nlohmann::json::object();
    for (std::size_t i = kTextFields; i + 1 < parts.size(); i += 2) {
      const std::string name = gridbatch::SanitizeUtf8(parts[i]);
      if (vars.contains(name)) continue;
      var_values_.push_back(gridbatch::SanitizeUtf8(parts[i + 1]));
      vars[name] = var_values_.back();
      var_names_.push_back(name);
    }
    vars_json_ = vars.dump();
  }

  // What a text cell must read back as (the contract in csv_writer.hpp).
  Cell Text(std::optional<std::string_view> value) const {
    if (!value) return {};
    std::string text = gridbatch::SanitizeUtf8(*value);
    const bool quoted = text.empty() || text.find_first_of(",\"\r\n") != std::string::npos;
    const bool formula =
        !text.empty() && std::string_view("=+-@\t\r").find(text[0]) != std::string_view::npos;
    if (Neutralise() && formula) text.insert(0, "'");
    return {text, quoted};
  }

  static Cell Number(std::optional<std::int64_t> value) {
    return {value ? std::to_string(*value) : "", false};
  }

  unsigned char flags_ = 0;
  std::vector<std::string> fields_;
  std::vector<std::string> var_names_;
  std::vector<std::string> var_values_;
  std::string vars_json_;
  std::int64_t numbers_ = 0;
};

std::string Show(const Record& record) {
  std::string text;
  for (const Cell& cell : record) {
    text += (cell.quoted ? "[\"" : "[") + cell.text + (cell.quoted ? "\"]" : "]");
  }
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Case c(gridbatch::fuzz::AsText(data, size));
  std::ostringstream out;
  gridbatch::exporter::CsvWriter writer(out, "fuzz.csv", c.VariableNames(), c.Options());
  writer.Write(c.Row());
  writer.Finish();
  const std::string csv = out.str();
  const std::optional<std::vector<Record>> records = CsvReader(csv).ReadAll();
  Check(records.has_value(), "not RFC 4180: " + csv);
  Check(records->size() == 2, "expected a header and one record: " + csv);
  Check((*records)[0] == c.Header(), "header " + Show((*records)[0]) + " != " + Show(c.Header()));
  Check((*records)[1] == c.Expected(),
        "record " + Show((*records)[1]) + " != " + Show(c.Expected()));
  return 0;
}
