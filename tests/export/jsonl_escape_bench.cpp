// Benchmark, not a test: JsonlWriter's own escaping against building an
// nlohmann::json value per record and dumping it, on the same in-memory rows
// (the shape of bench/run.sh export's jobs), written to a discarding
// stream. Run by bench/run.sh export; prints a markdown table.
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <ostream>
#include <streambuf>
#include <string>

#include "jsonl_writer.hpp"

namespace {

// Counts bytes and keeps none.
class CountingBuffer : public std::streambuf {
 public:
  std::size_t bytes = 0;

 protected:
  int_type overflow(int_type c) override {
    ++bytes;
    return c;
  }
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes += static_cast<std::size_t>(n);
    return n;
  }
};

struct Texts {
  std::string prompt_id, prompt, output;
};

Texts TextsFor(int i) {
  const std::string n = std::to_string(i);
  return {"q" + n,
          "Question " + n + ": what is the capital of country number " + std::to_string(i % 197) +
              "? Answer in one word, then explain.",
          n + ". The capital is \"Paris\", of course.\nFrance is a country in Western Europe, "
              "with a long history of art, science and philosophy; its capital, Paris, sits on "
              "the Seine and has been the seat of government for most of the last thousand "
              "years. The city is known for its museums, its architecture, its cafes and its "
              "food, and draws tens of millions of visitors every year. Its population is a "
              "little over two million, and the wider region holds about twelve million people."};
}

gridbatch::ExportRow RowFor(const Texts& t) {
  gridbatch::ExportRow row;
  row.batch = "bench";
  row.prompt_id = t.prompt_id;
  row.model = "gemma:2b";
  row.prompt = t.prompt;
  row.state = "completed";
  row.output = t.output;
  row.runtime = 42;
  row.remote_id = "9f22472031ef57c3fd517061d116ad68";
  row.attempts = 1;
  row.created = "2024-05-06T21:26:00.000Z";
  row.submitted_at = "2024-05-06T21:30:00.000Z";
  row.finished_at = "2024-05-06T21:59:00.000Z";
  row.vars = R"({"lang":"fr","temperature":0.7})";
  return row;
}

template <typename T>
nlohmann::ordered_json Nullable(const std::optional<T>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

void WriteWithNlohmann(std::ostream& out, const gridbatch::ExportRow& row) {
  nlohmann::ordered_json record;
  record["batch"] = row.batch;
  record["prompt_id"] = row.prompt_id;
  record["model"] = row.model;
  record["prompt"] = row.prompt;
  record["state"] = row.state;
  record["output"] = Nullable(row.output);
  record["runtime"] = Nullable(row.runtime);
  record["remote_id"] = Nullable(row.remote_id);
  record["attempts"] = row.attempts;
  record["error"] = Nullable(row.error);
  record["previous_error"] = Nullable(row.previous_error);
  record["created"] = row.created;
  record["submitted_at"] = Nullable(row.submitted_at);
  record["finished_at"] = Nullable(row.finished_at);
  record["repeat"] = row.repeat;
  record["vars"] = nlohmann::ordered_json::parse(*row.vars);
  out << record.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

template <typename Write>
void Measure(const char* name, int rows, Write write) {
  CountingBuffer buffer;
  std::ostream out(&buffer);
  const auto start = std::chrono::steady_clock::now();
  write(out, rows);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("| %s | %d | %.2f | %.0f | %.0f |\n", name, rows, seconds, rows / seconds,
              static_cast<double>(buffer.bytes) / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  const int rows = argc > 1 ? std::atoi(argv[1]) : 1'000'000;
  std::printf("| JSONL encoder | rows | seconds | rows/s | MB written |\n|---|---|---|---|---|\n");
  Measure("JsonlWriter (own escaping)", rows, [](std::ostream& out, int n) {
    gridbatch::exporter::JsonlWriter writer(out, "bench");
    for (int i = 0; i < n; ++i) {
      const Texts texts = TextsFor(i);
      writer.Write(RowFor(texts));
    }
    writer.Finish();
  });
  Measure("nlohmann::ordered_json + dump()", rows, [](std::ostream& out, int n) {
    for (int i = 0; i < n; ++i) {
      const Texts texts = TextsFor(i);
      WriteWithNlohmann(out, RowFor(texts));
    }
  });
  return 0;
}
