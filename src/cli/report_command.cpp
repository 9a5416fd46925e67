// `gridbatch report`: writes one self-contained HTML page about a database
// (or one batch): counts, progress, distributions, failures, attempts, and
// the outputs of the models side by side. Read-only and safe while a `run`
// writes: one snapshot. The file is replaced atomically, only when complete.
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "atomic_output_file.hpp"
#include "command.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/store/job_store.hpp"
#include "gridbatch/store/report_reader.hpp"
#include "html_report.hpp"

namespace gridbatch::cli {
namespace {

constexpr const char* kFooter = R"(The page holds:
  - a summary: jobs per batch, model and state (as `status` counts them),
    wall time (first submit to last finish, or so far), submits, and the
    suspected duplicate submits (jobs resubmitted after a run was
    interrupted during their submit; see docs/RELIABILITY.md);
  - charts: jobs submitted and finished over time per model; per model the
    distribution of runtime, of turnaround (submit to final) and of output
    length, with p50, p90 and p99; failures by reason and model; attempts;
  - a results table, one row per prompt and repeat, with its sweep variables
    and one column per model; a text filter, a state filter, long outputs
    folded. Past --max-rows, rows are chosen evenly across the batch and the
    page says how many of how many it shows.
The page makes no network request: Chart.js is inside it. The figures come
from SQL passes over one snapshot of the database, tallied as they stream;
memory stays flat however many jobs there are.
Exit codes: 0 written, 64 bad option or unknown batch, 66 no database,
73 output cannot be created, 74 database or write error.
)";

struct ReportArgs {
  std::string db;
  std::optional<std::string> batch;
  std::string output = "report.html";
  std::size_t max_rows = 2000;
};

void RefuseToReplaceDatabase(const ReportArgs& args) {
  std::error_code error;
  if (args.output != "-" && std::filesystem::equivalent(args.output, args.db, error)) {
    throw Error(kExitUsage, "-o " + args.output + ": that is the database being reported on");
  }
}

void RunReport(const ReportArgs& args) {
  RefuseToReplaceDatabase(args);
  store::OpenOptions open_options;
  open_options.mode = store::OpenOptions::Mode::kReadOnly;
  const std::unique_ptr<store::JobStore> db = store::JobStore::Open(args.db, open_options);
  store::ReportReader reader(*db, {.batch = args.batch, .max_rows = args.max_rows});
  const store::ReportData data = reader.ReadAggregates();

  std::unique_ptr<exporter::AtomicOutputFile> file;
  if (args.output != "-") file = std::make_unique<exporter::AtomicOutputFile>(args.output);
  std::ostream& out = file ? file->stream() : std::cout;
  report::HtmlReport page(
      out, data,
      {.database = args.db, .selection = args.batch ? "batch " + *args.batch : "all batches"});
  page.Begin();
  std::int64_t total = 0;
  const std::int64_t shown = reader.ForEachResultRow([&](const store::ReportResultRow& row) {
    page.AddRow(row);
    total = row.total;
  });
  page.Finish();
  if (file) {
    file->Commit();
  } else if (!out.flush()) {
    throw Error(kExitIoErr, "report: cannot write to stdout");
  }
  std::cerr << "report: " << data.summary.totals.Total() << " job(s), " << shown << " of " << total
            << " result row(s) shown, written to " << (file ? args.output : "stdout") << "\n";
}

}  // namespace

void AddReportCommand(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* command = app.add_subcommand(
      "report", "Write an HTML report: counts, charts, and the models' outputs side by side");
  AddCommonOptions(command, context);
  command->add_option("--batch", args->batch, "Only this batch")->type_name("NAME");
  command
      ->add_option("-o,--output", args->output,
                   "HTML file, replaced only once complete; - for stdout")
      ->capture_default_str()
      ->type_name("FILE");
  command
      ->add_option("--max-rows", args->max_rows,
                   "Rows of the results table (one per prompt and repeat), chosen evenly past it")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))
      ->type_name("N");
  command->footer(kFooter);
  command->callback([args, &context] {
    args->db = context.common.db;
    RunReport(*args);
    context.exit_code = kExitOk;
  });
}

}  // namespace gridbatch::cli
