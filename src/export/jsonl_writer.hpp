// JSONL: one JSON object a line, keys in the order of kExportFields, then
// `vars` (an object, or null). NULL columns are null; invalid UTF-8 is
// replaced by U+FFFD, so every line is valid JSON whatever a prompt or an
// output holds.
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

class JsonlWriter final : public RecordWriter {
 public:
  // `out` must outlive the writer; `destination` names it in error messages.
  JsonlWriter(std::ostream& out, std::string destination);

  void Write(const ExportRow& row) override;
  void Finish() override;

 private:
  // Starts the value of kExportFields[index]: `{"batch":` or `,"model":`.
  void Key(std::size_t index);
  void String(std::string_view text);
  void String(const std::optional<std::string_view>& text);
  void Number(std::int64_t value);
  void Number(const std::optional<std::int64_t>& value);

  OutputBuffer out_;
  VarsDecoder vars_;
};

// `export --wide`: one object a line per prompt and repeat:
// {"batch", "prompt_id", "repeat", "prompt", "vars", "models": {MODEL:
// {"state", "output", "runtime", "error"} or null, ...}}, every model of the
// export a key, in the order they were loaded.
class WideJsonlWriter final : public WideRecordWriter {
 public:
  WideJsonlWriter(std::ostream& out, std::string destination, std::vector<std::string> models);

  void Write(const WideRow& row) override;
  void Finish() override;

 private:
  OutputBuffer out_;
  std::vector<std::string> models_;
  VarsDecoder vars_;
};

}  // namespace gridbatch::exporter
