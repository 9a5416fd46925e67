// `gridbatch run [MANIFEST]`: load the manifest if given, then drive every job
// (or one batch's) to a final state against the service.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

#include "command.hpp"
#include "gridbatch/api_client.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/http_client.hpp"
#include "gridbatch/job_store.hpp"
#include "gridbatch/progress_reporter.hpp"
#include "gridbatch/run_lock.hpp"
#include "gridbatch/runner.hpp"
#include "gridbatch/stop_signals.hpp"
#include "gridbatch/time_format.hpp"
#include "load_step.hpp"

namespace gridbatch::cli {
namespace {

struct RunArgs {
  std::string manifest;
  std::string db;
  std::string endpoint;
  std::string token_file;
  std::string ca_file;
  std::string batch;
  std::string rate = "20/s";
  double burst = 0;
  int max_in_flight = 64;
  int max_attempts = 5;
  std::string backoff_base = "1s";
  std::string backoff_cap = "60s";
  std::string poll_interval = "5s";
  int poll_batch = 100;
  int max_poll_requests = 8;
  std::string missing_grace = "2m";
  std::string on_missing = "resubmit";
  std::string on_uncertain = "resubmit";
  std::string deadline_slack = "10m";
  std::string connect_timeout = "10s";
  std::string request_timeout = "60s";
  std::string completed_statuses = "completed";
  std::string failed_statuses = "failed,aborted,error,cancelled,canceled,timeout";
  std::string running_statuses =
      "provisioning,downloading,running,queued,pending,starting,submitted,uploading";
  std::string progress = "auto";
  bool quiet = false;
  bool verbose = false;
  bool strict = false;
  std::uint64_t seed = 0;
};

Seconds Duration(const std::string& text, const char* option) {
  auto value = ParseDuration(text);
  if (!value) {
    throw Error(kExitUsage, std::string(option) + ": '" + text +
                                "' is not a duration (examples: 0.2, 500ms, 5s, 2m)");
  }
  return *value;
}

// The token: GRIDREPUBLIC_TOKEN, or the first line of --token-file. Its value
// never appears in a message.
std::string ReadToken(const std::string& token_file) {
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    if (!in) throw Error(kExitNoInput, "--token-file " + token_file + ": cannot read the file");
    std::string token;
    std::getline(in, token);
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back())))
      token.pop_back();
    if (token.empty())
      throw Error(kExitUsage, "--token-file " + token_file + ": the first line is empty");
    return token;
  }
  if (const char* env = std::getenv("GRIDREPUBLIC_TOKEN"); env && *env) return env;
  throw Error(kExitUsage, "no API token: set GRIDREPUBLIC_TOKEN or pass --token-file FILE");
}

run::RunOptions MakeRunOptions(const RunArgs& a) {
  run::RunOptions o;
  if (!a.batch.empty()) o.batch = a.batch;
  auto rate = ParseRate(a.rate);
  if (!rate)
    throw Error(kExitUsage, "--rate: '" + a.rate +
                                "' is not a rate (examples: 40/s, 300/min, 0 for unlimited)");
  o.rate_per_second = *rate;
  o.burst = a.burst;
  if (a.max_in_flight < 1) throw Error(kExitUsage, "--max-inflight must be at least 1");
  if (a.max_attempts < 1) throw Error(kExitUsage, "--max-attempts must be at least 1");
  if (a.poll_batch < 1) throw Error(kExitUsage, "--poll-batch must be at least 1");
  if (a.max_poll_requests < 1) throw Error(kExitUsage, "--max-poll-requests must be at least 1");
  o.max_in_flight = a.max_in_flight;
  o.max_attempts = a.max_attempts;
  o.backoff = {Duration(a.backoff_base, "--backoff-base"),
               Duration(a.backoff_cap, "--backoff-cap")};
  o.poll_interval = Duration(a.poll_interval, "--poll-interval");
  o.poll_batch = a.poll_batch;
  o.max_poll_requests = a.max_poll_requests;
  o.missing_grace = Duration(a.missing_grace, "--missing-grace");
  o.on_missing = a.on_missing == "fail" ? run::RunOptions::MissingPolicy::kFail
                                        : run::RunOptions::MissingPolicy::kResubmit;
  o.on_uncertain = a.on_uncertain == "fail" ? run::RunOptions::UncertainPolicy::kFail
                                            : run::RunOptions::UncertainPolicy::kResubmit;
  o.deadline_slack = Duration(a.deadline_slack, "--deadline-slack");
  o.statuses = run::StatusMap(run::StatusMap::SplitList(a.completed_statuses),
                              run::StatusMap::SplitList(a.failed_statuses),
                              run::StatusMap::SplitList(a.running_statuses));
  o.verbose = a.verbose;
  o.seed = a.seed;
  return o;
}

run::ProgressMode ProgressModeFor(const RunArgs& a) {
  if (a.quiet) return run::ProgressMode::kNone;
  if (a.progress == "bar") return run::ProgressMode::kBar;
  if (a.progress == "plain") return run::ProgressMode::kPlain;
  if (a.progress == "json") return run::ProgressMode::kJson;
  if (a.progress == "none") return run::ProgressMode::kNone;
  return run::ProgressMode::kAuto;
}

int ExitCodeFor(const run::RunResult& result, bool strict) {
  if (result.auth_failed) return kExitNoPerm;
  if (result.interrupted) return kExitInterrupted;
  if (strict && result.counts[static_cast<std::size_t>(JobState::kFailed)] > 0) {
    return kExitJobsFailed;
  }
  return kExitOk;
}

int Execute(const RunArgs& a) {
  run::RunOptions options = MakeRunOptions(a);
  const std::string token = ReadToken(a.token_file);
  const long connect_ms =
      static_cast<long>(Duration(a.connect_timeout, "--connect-timeout") * 1000);
  const long total_ms = static_cast<long>(Duration(a.request_timeout, "--request-timeout") * 1000);
  const auto& stop_requests = run::InstallStopSignals();
  run::RunLock lock(a.db);  // before the load: a running `run` owns the database
  if (!a.manifest.empty()) {
    const int load_exit = LoadStep(a.manifest, a.db, LoadMode::kWrite, std::cout);
    if (load_exit != kExitOk) return load_exit;
  }
  auto store = store::JobStore::Open(a.db);

  http::ClientOptions http_options;
  http_options.connect_timeout_ms = connect_ms;
  http_options.total_timeout_ms = total_ms;
  http_options.ca_file = a.ca_file;
  http_options.max_host_connections = std::max(a.max_in_flight + a.max_poll_requests, 8);
  http::Client http(http_options);
  api::ApiOptions api_options;
  api_options.endpoint = a.endpoint;
  api_options.token = token;
  api_options.max_ids_per_get = static_cast<std::size_t>(a.poll_batch);
  api::Client api(http, api_options);

  auto reporter = run::MakeReporter(
      std::cerr, {.mode = ProgressModeFor(a), .is_terminal = isatty(STDERR_FILENO) == 1});
  run::Runner runner(*store, http, api, SystemClock::Instance(), *reporter, options);
  const run::RunResult result = runner.Run(stop_requests);
  if (result.auth_failed) {
    std::cerr << "gridbatch: the service refused the API token (" << result.auth_error
              << "); nothing more was submitted. Check GRIDREPUBLIC_TOKEN or --token-file.\n";
  }
  return ExitCodeFor(result, a.strict);
}

}  // namespace

void AddRunCommand(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Load MANIFEST if given, then submit and poll until every job is final.\n"
      "Resumable: after Ctrl-C, a crash or a reboot, run again to continue where it stopped.\n"
      "Token: GRIDREPUBLIC_TOKEN or --token-file. Exit: 0 all final (even if some failed;\n"
      "see --strict), 77 token refused, 130 interrupted, 75 database busy with another run.");
  cmd->add_option("manifest", args->manifest, "YAML manifest to load first (optional)")
      ->type_name("MANIFEST");
  AddDbOption(cmd, args->db);
  const char* env_endpoint = std::getenv("GRIDBATCH_ENDPOINT");
  args->endpoint = env_endpoint && *env_endpoint
                       ? env_endpoint
                       : "https://api.gridrepublic.services/remotejobs/v2";
  cmd->add_option("--endpoint", args->endpoint, "Service base URL (env GRIDBATCH_ENDPOINT)")
      ->capture_default_str()
      ->type_name("URL");
  cmd->add_option("--token-file", args->token_file,
                  "File whose first line is the API token (default: env GRIDREPUBLIC_TOKEN)")
      ->type_name("FILE");
  cmd->add_option("--ca-file", args->ca_file, "CA bundle for TLS verification (default: system)")
      ->type_name("FILE");
  cmd->add_option("--batch", args->batch, "Only run this batch")->type_name("NAME");
  auto* dispatch = "Dispatch";
  cmd->add_option("--rate", args->rate, "Submit rate: 40/s, 300/min, or 0 for unlimited")
      ->capture_default_str()
      ->group(dispatch);
  cmd->add_option("--burst", args->burst, "Token bucket size (default: rate/20, at least 1)")
      ->group(dispatch);
  cmd->add_option("--max-inflight", args->max_in_flight, "Submits in flight at once")
      ->capture_default_str()
      ->group(dispatch);
  cmd->add_option("--max-attempts", args->max_attempts, "Submits per job before it fails")
      ->capture_default_str()
      ->group(dispatch);
  cmd->add_option("--backoff-base", args->backoff_base, "First retry delay ceiling")
      ->capture_default_str()
      ->group(dispatch);
  cmd->add_option("--backoff-cap", args->backoff_cap, "Largest retry delay ceiling")
      ->capture_default_str()
      ->group(dispatch);
  cmd->add_option("--on-uncertain", args->on_uncertain,
                  "Jobs an interrupted run left 'submitting': resubmit (at least once) or fail")
      ->check(CLI::IsMember({"resubmit", "fail"}))
      ->capture_default_str()
      ->group(dispatch);
  auto* poll = "Polling";
  cmd->add_option("--poll-interval", args->poll_interval,
                  "Poll each job this often: 0.2, 500ms, 5s, 2m")
      ->capture_default_str()
      ->group(poll);
  cmd->add_option("--poll-batch", args->poll_batch, "Ids per status GET")
      ->capture_default_str()
      ->group(poll);
  cmd->add_option("--max-poll-requests", args->max_poll_requests, "Status GETs in flight at once")
      ->capture_default_str()
      ->group(poll);
  cmd->add_option("--missing-grace", args->missing_grace,
                  "How long an id may be missing from status replies")
      ->capture_default_str()
      ->group(poll);
  cmd->add_option("--on-missing", args->on_missing, "After the grace: resubmit or fail")
      ->check(CLI::IsMember({"resubmit", "fail"}))
      ->capture_default_str()
      ->group(poll);
  cmd->add_option("--deadline-slack", args->deadline_slack,
                  "A job not final by submit + hours + slack fails")
      ->capture_default_str()
      ->group(poll);
  cmd->add_option("--completed-statuses", args->completed_statuses,
                  "Statuses meaning success (case-insensitive, comma-separated)")
      ->capture_default_str()
      ->group(poll);
  cmd->add_option("--failed-statuses", args->failed_statuses, "Statuses meaning failure")
      ->capture_default_str()
      ->group(poll);
  cmd->add_option("--running-statuses", args->running_statuses,
                  "Statuses known to mean still running (others are logged once, then treated so)")
      ->capture_default_str()
      ->group(poll);
  auto* net = "Network";
  cmd->add_option("--connect-timeout", args->connect_timeout, "Connection set-up limit")
      ->capture_default_str()
      ->group(net);
  cmd->add_option("--request-timeout", args->request_timeout, "Whole-request limit")
      ->capture_default_str()
      ->group(net);
  auto* out = "Output";
  cmd->add_option("--progress", args->progress, "auto (bar on a terminal), bar, plain, json, none")
      ->check(CLI::IsMember({"auto", "bar", "plain", "json", "none"}))
      ->capture_default_str()
      ->group(out);
  cmd->add_flag("-q,--quiet", args->quiet, "No progress and no summary")->group(out);
  cmd->add_flag("-v,--verbose", args->verbose, "Log every request's outcome (never the token)")
      ->group(out);
  cmd->add_flag("--strict", args->strict, "Exit 1 when any job ended failed")->group(out);
  cmd->add_option("--seed", args->seed, "Seed for retry jitter (0: random)")->group("");
  cmd->callback([args, &context] { context.exit_code = Execute(*args); });
}

}  // namespace gridbatch::cli
