// `gridbatch check [MANIFEST | --batch NAME | --model M...]`: a preflight
// against the endpoint and the token (see gridbatch/run/preflight.hpp). Prints
// each request as it happens, then one line per model.
//
// Exit: 0 a job of every model completed; 1 some model's job did not
// (refused, failed, timed out); 69 no model reached the service's API (the
// endpoint is unreachable or not the API); 77 token refused; 130
// interrupted; 64/65/66 bad command line, manifest or input.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "command.hpp"
#include "gridbatch/api/api_client.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/http/http_client.hpp"
#include "gridbatch/manifest/manifest.hpp"
#include "gridbatch/run/preflight.hpp"
#include "gridbatch/run/stop_signals.hpp"
#include "gridbatch/store/job_store.hpp"
#include "gridbatch/store/status_report.hpp"
#include "service_args.hpp"
#include "trace_option.hpp"

namespace gridbatch::cli {
namespace {

struct CheckArgs {
  std::string manifest;
  std::string db;
  std::string batch;
  std::vector<std::string> models;
  ServiceArgs service;
  std::string prompt = run::PreflightOptions{}.prompt;
  std::string timeout = "10m";
  std::string poll_interval = "2s";
  std::string completed_statuses = "completed";
  std::string failed_statuses = "failed,aborted,error,cancelled,canceled,timeout";
  std::string running_statuses =
      "provisioning,downloading,running,queued,pending,starting,submitted,uploading";
  TraceArgs trace;
};

// The models to try and the app and hours to send, from whichever source
// was given (exactly one).
void ChooseModels(const CheckArgs& a, run::PreflightOptions& o) {
  const int sources =
      (a.manifest.empty() ? 0 : 1) + (a.batch.empty() ? 0 : 1) + (a.models.empty() ? 0 : 1);
  if (sources != 1) {
    throw Error(kExitUsage, "check needs exactly one of MANIFEST, --batch NAME or --model M");
  }
  if (!a.models.empty()) {
    for (const std::string& m : a.models) {
      if (std::find(o.models.begin(), o.models.end(), m) == o.models.end()) o.models.push_back(m);
    }
    return;
  }
  if (!a.manifest.empty()) {
    const manifest::ParseResult parsed = manifest::LoadManifestFile(a.manifest);
    if (!parsed.errors.empty()) {
      for (const auto& d : parsed.errors) std::cerr << d.ToString() << "\n";
      throw Error(kExitDataErr,
                  std::to_string(parsed.errors.size()) + " error(s) in " + a.manifest);
    }
    o.models = manifest::Models(*parsed.manifest);
    o.app = manifest::Batch(*parsed.manifest).app;
    o.hours = manifest::Batch(*parsed.manifest).hours;
    return;
  }
  store::OpenOptions open;
  open.mode = store::OpenOptions::Mode::kReadOnly;
  auto store = store::JobStore::Open(a.db, open);
  const store::StatusReport report = store::BuildStatusReport(*store, {.batch = a.batch});
  for (const store::BatchStatus& batch : report.batches) {
    o.app = batch.app;
    o.hours = batch.hours;
    for (const store::ModelStatus& m : batch.models) o.models.push_back(m.model);
  }
  if (o.models.empty()) throw Error(kExitUsage, "--batch " + a.batch + ": the batch has no jobs");
}

std::string Ms(double seconds) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << seconds * 1000 << " ms";
  return out.str();
}

std::string Summary(const run::ModelCheck& m) {
  std::ostringstream out;
  out << m.model << ": " << run::ToString(m.end) << " after " << std::fixed;
  out.precision(1);
  out << m.elapsed << " s";
  if (!m.detail.empty()) out << ": " << m.detail;
  out << "\n  statuses:";
  if (m.statuses.empty()) out << " none";
  for (std::size_t i = 0; i < m.statuses.size(); ++i) {
    out << (i == 0 ? " " : " -> ") << "'" << m.statuses[i].status << "' (vmStatus '"
        << m.statuses[i].vm_status << "')";
  }
  out << "\n  runtime: " << (m.runtime ? std::to_string(*m.runtime) : std::string("none"));
  if (!m.latencies.empty()) {
    std::vector<double> sorted = m.latencies;
    std::sort(sorted.begin(), sorted.end());
    out << "\n  " << sorted.size() << " request(s), latency " << Ms(sorted.front()) << " min, "
        << Ms(sorted[sorted.size() / 2]) << " median, " << Ms(sorted.back()) << " max";
  }
  if (!m.warnings.empty()) {
    out << "\n  " << m.warnings.size() << " difference(s) from what run expects";
  }
  return out.str();
}

int ExitCodeFor(const run::PreflightReport& report) {
  const auto any = [&report](run::CheckEnd end) {
    return std::any_of(report.models.begin(), report.models.end(),
                       [end](const run::ModelCheck& m) { return m.end == end; });
  };
  if (any(run::CheckEnd::kAuth)) return kExitNoPerm;
  if (any(run::CheckEnd::kInterrupted)) return kExitInterrupted;
  if (report.AllCompleted()) return kExitOk;
  const bool none_reached =
      std::all_of(report.models.begin(), report.models.end(),
                  [](const run::ModelCheck& m) { return m.end == run::CheckEnd::kUnreachable; });
  return none_reached ? kExitUnavailable : kExitJobsFailed;
}

int Execute(const CheckArgs& a) {
  run::PreflightOptions options;
  ChooseModels(a, options);
  options.prompt = a.prompt;
  options.timeout = Duration(a.timeout, "--timeout");
  options.poll_interval = Duration(a.poll_interval, "--poll-interval");
  options.statuses = run::StatusMap(run::StatusMap::SplitList(a.completed_statuses),
                                    run::StatusMap::SplitList(a.failed_statuses),
                                    run::StatusMap::SplitList(a.running_statuses));
  const std::string token = ReadToken(a.service.token_file);
  const http::ClientOptions http_options = HttpOptionsFor(a.service);
  const auto& stop_requests = run::InstallStopSignals();
  http::Client http(http_options);
  api::Client api(http,
                  {.endpoint = a.service.endpoint, .token = token, .note_missing_fields = true});
  const auto trace = StartTrace(
      a.trace, token, http, [](const std::string& m) { std::cerr << "warning: " << m << "\n"; });
  std::cout << "check: " << options.models.size() << " model(s) against " << api.options().endpoint
            << ", at most " << a.timeout << "\n";
  run::Preflight preflight(http, api, SystemClock::Instance(), options,
                           [](const std::string& line) { std::cout << line << std::endl; });
  const run::PreflightReport report = preflight.Run(stop_requests);
  std::size_t completed = 0;
  for (const run::ModelCheck& m : report.models) {
    std::cout << Summary(m) << "\n";
    if (m.end == run::CheckEnd::kCompleted) ++completed;
  }
  std::cout << "check: " << completed << " of " << report.models.size()
            << " model(s) completed a job\n";
  return ExitCodeFor(report);
}

}  // namespace

void AddCheckCommand(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Preflight: submit one short prompt per model (of MANIFEST, of --batch NAME in the\n"
      "database, or each --model M) and poll each job to its end, printing every request\n"
      "with its latency, the status and vmStatus spellings in order, the runtime, and what\n"
      "differs from what run expects. Its jobs are not the batch's: nothing is written.\n"
      "Exit: 0 a job of every model completed, 1 some did not, 69 no model reached the\n"
      "service's API (endpoint unreachable or not the API), 77 token refused, 130 interrupted.");
  cmd->add_option("manifest", args->manifest, "YAML manifest whose models to try")
      ->type_name("MANIFEST");
  AddCommonOptions(cmd, context);
  cmd->add_option("--batch", args->batch, "Try the models of this batch in the database")
      ->type_name("NAME");
  cmd->add_option("--model", args->models, "A model to try (repeatable)")->type_name("M");
  AddServiceOptions(cmd, args->service, "");
  cmd->add_option("--prompt", args->prompt, "The prompt sent to each model")->capture_default_str();
  cmd->add_option("--timeout", args->timeout, "Give up on jobs not final after this long")
      ->capture_default_str();
  cmd->add_option("--poll-interval", args->poll_interval, "Poll each job this often")
      ->capture_default_str();
  cmd->add_option("--completed-statuses", args->completed_statuses,
                  "Statuses meaning success, as for run")
      ->capture_default_str();
  cmd->add_option("--failed-statuses", args->failed_statuses,
                  "Statuses meaning failure, as for run")
      ->capture_default_str();
  cmd->add_option("--running-statuses", args->running_statuses,
                  "Statuses known to mean still running, as for run")
      ->capture_default_str();
  AddTraceOptions(cmd, args->trace);
  cmd->callback([args, &context] {
    args->db = context.common.db;
    context.exit_code = Execute(*args);
  });
}

}  // namespace gridbatch::cli
