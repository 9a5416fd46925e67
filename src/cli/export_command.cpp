// `gridbatch export`: writes the jobs of a database as CSV or JSONL, to a file
// (replaced atomically, only when the whole export succeeded) or to stdout.
// Safe while a `run` writes to the same database: the store's ExportReader
// reads one snapshot through a read-only connection. See docs/EXPORT.md.
#include <cctype>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "atomic_output_file.hpp"
#include "command.hpp"
#include "csv_writer.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/store/export_reader.hpp"
#include "gridbatch/store/job_store.hpp"
#include "gridbatch/util/time_format.hpp"
#include "jsonl_writer.hpp"

namespace gridbatch::cli {
namespace {

struct ExportArgs {
  std::string db;
  std::string format;  // lower case once resolved: csv or jsonl
  std::string output = "-";
  std::vector<std::string> batches;
  std::vector<std::string> models;
  std::vector<std::string> states;
  std::string since;
  bool raw = false;
  bool wide = false;
};

std::string StateNames() {
  std::string names;
  for (JobState state : kAllJobStates) {
    names += names.empty() ? "" : ", ";
    names += ToString(state);
  }
  return names;
}

// An ISO-8601 time, or a duration back from `now` ("2h": two hours ago).
Seconds ParseSince(const std::string& text, Seconds now) {
  if (const auto time = ParseIsoTime(text)) return *time;
  if (const auto ago = ParseDuration(text)) return now - *ago;
  throw Error(kExitUsage, "--since: '" + text +
                              "' is not an ISO-8601 time (e.g. 2024-05-06T21:26:00Z) or a "
                              "duration (e.g. 30m, 2h)");
}

store::ExportFilter BuildFilter(const ExportArgs& args, Seconds now) {
  store::ExportFilter filter{.batches = args.batches, .models = args.models};
  for (const std::string& text : args.states) {
    const std::optional<JobState> state = ParseJobState(text);
    if (!state) {
      throw Error(kExitUsage,
                  "--state: '" + text + "' is not a job state (one of " + StateNames() + ")");
    }
    filter.states.push_back(*state);
  }
  if (!args.since.empty()) filter.since = ParseSince(args.since, now);
  return filter;
}

// "--format" in any case, or else -o's extension (.csv, .jsonl, .ndjson).
std::string ResolveFormat(const ExportArgs& args) {
  const auto lower = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  };
  if (!args.format.empty()) {
    std::string format = lower(args.format);
    if (format != "csv" && format != "jsonl") {
      throw Error(kExitUsage, "--format: '" + args.format + "' is not csv or jsonl");
    }
    return format;
  }
  const std::string extension = lower(std::filesystem::path(args.output).extension().string());
  if (extension == ".csv") return "csv";
  if (extension == ".jsonl" || extension == ".ndjson") return "jsonl";
  if (args.output == "-") throw Error(kExitUsage, "--format csv or jsonl is needed with -o -");
  throw Error(kExitUsage, "-o " + args.output +
                              ": cannot tell the format from the extension (.csv, .jsonl or "
                              ".ndjson); give --format csv or jsonl");
}

// Renaming the export over the database would destroy it.
void RefuseToReplaceDatabase(const ExportArgs& args) {
  std::error_code error;
  if (args.output != "-" && std::filesystem::equivalent(args.output, args.db, error)) {
    throw Error(kExitUsage, "-o " + args.output + ": that is the database being exported");
  }
}

exporter::CsvOptions CsvOptionsOf(const ExportArgs& args) {
  exporter::CsvOptions options;
  if (args.raw) {
    options.formulas = exporter::CsvOptions::Formulas::kKeep;
  }
  return options;
}

std::unique_ptr<exporter::RecordWriter> MakeWriter(const ExportArgs& args, std::ostream& out,
                                                   const std::string& destination,
                                                   store::ExportReader& reader) {
  if (args.format == "jsonl") {
    return std::make_unique<exporter::JsonlWriter>(out, destination);
  }
  return std::make_unique<exporter::CsvWriter>(out, destination, reader.VariableNames(),
                                               CsvOptionsOf(args));
}

// One record per prompt and repeat, the models side by side.
std::int64_t WriteWide(const ExportArgs& args, std::ostream& out, const std::string& destination,
                       store::ExportReader& reader) {
  std::unique_ptr<exporter::WideRecordWriter> writer;
  if (args.format == "jsonl") {
    writer = std::make_unique<exporter::WideJsonlWriter>(out, destination, reader.Models());
  } else {
    writer = std::make_unique<exporter::WideCsvWriter>(out, destination, reader.Models(),
                                                       reader.VariableNames(), CsvOptionsOf(args));
  }
  const std::int64_t rows =
      reader.ForEachWideRow([&](const store::WideRow& row) { writer->Write(row); });
  writer->Finish();
  return rows;
}

std::int64_t WriteLong(const ExportArgs& args, std::ostream& out, const std::string& destination,
                       store::ExportReader& reader) {
  const std::unique_ptr<exporter::RecordWriter> writer = MakeWriter(args, out, destination, reader);
  const std::int64_t rows =
      reader.ForEachRow([&](const store::ExportRow& row) { writer->Write(row); });
  writer->Finish();
  return rows;
}

void RunExport(ExportArgs args, const CommandContext& context) {
  args.db = context.common.db;
  args.format = ResolveFormat(args);
  const store::ExportFilter filter = BuildFilter(args, SystemClock::Instance().Now());
  RefuseToReplaceDatabase(args);
  store::OpenOptions open_options;
  open_options.mode = store::OpenOptions::Mode::kReadOnly;
  const std::unique_ptr<store::JobStore> db = store::JobStore::Open(args.db, open_options);
  store::ExportReader reader(*db, filter);

  std::unique_ptr<exporter::AtomicOutputFile> file;
  if (args.output != "-") {
    file = std::make_unique<exporter::AtomicOutputFile>(args.output);
  }
  std::ostream& out = file ? file->stream() : std::cout;
  const std::string destination = file ? args.output : "stdout";

  const std::int64_t rows = args.wide ? WriteWide(args, out, destination, reader)
                                      : WriteLong(args, out, destination, reader);
  if (file) {
    file->Commit();
  }
  context.Say("exported " + std::to_string(rows) + (rows == 1 ? " row" : " rows") + " to " +
              destination);
}

}  // namespace

void AddExportCommand(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* command = app.add_subcommand(
      "export", "Write jobs as CSV or JSONL (all of them, or those the filters select)");
  AddCommonOptions(command, context);
  command->add_option("--format", args->format,
                      "csv or jsonl, in any case (default: from -o's extension: .csv, .jsonl, "
                      ".ndjson)");
  command
      ->add_option("-o,--output", args->output,
                   "Output file, replaced only once the export succeeded; - for stdout")
      ->capture_default_str()
      ->type_name("FILE");
  command->add_option("--batch", args->batches, "Only this batch (repeatable)")->type_name("NAME");
  command->add_option("--model", args->models, "Only this model (repeatable)")->type_name("MODEL");
  command
      ->add_option("--state", args->states, "Only jobs in this state (repeatable): " + StateNames())
      ->type_name("STATE");
  command
      ->add_option("--since", args->since,
                   "Only jobs updated at or after this ISO-8601 time (2024-05-06T21:26:00Z), or "
                   "this long ago (30m, 2h)")
      ->type_name("TIME|DURATION");
  command->add_flag("--raw", args->raw,
                    "CSV: keep cells starting with = + - @ as they are (by default they get a "
                    "leading apostrophe so spreadsheets do not run them as formulas)");
  command->add_flag("--wide", args->wide,
                    "One row per prompt and repeat, with each model's state, output, runtime and "
                    "error side by side (CSV: state.MODEL ... columns; JSONL: a `models` object)");
  command->callback([args, &context] {
    RunExport(*args, context);
    context.exit_code = kExitOk;
  });
}

}  // namespace gridbatch::cli
