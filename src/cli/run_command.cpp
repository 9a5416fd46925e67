// `gridbatch run [MANIFEST]`: load the manifest if given, then drive its batch
// (every batch with --all, or without a manifest) to a final state against
// the service.
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <numeric>
#include <sstream>
#include <system_error>

#include "command.hpp"
#include "gridbatch/api/api_client.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/http/http_client.hpp"
#include "gridbatch/ratelimit/adaptive_rate.hpp"
#include "gridbatch/run/progress_reporter.hpp"
#include "gridbatch/run/run_lock.hpp"
#include "gridbatch/run/runner.hpp"
#include "gridbatch/run/stop_signals.hpp"
#include "gridbatch/store/job_store.hpp"
#include "gridbatch/store/run_queue.hpp"
#include "gridbatch/util/json_escape.hpp"
#include "gridbatch/util/time_format.hpp"
#include "load_step.hpp"
#include "service_args.hpp"
#include "trace_option.hpp"

namespace gridbatch::cli {
namespace {

// Every default below is the library's own, read once from these.
const run::RunOptions kRunDefaults{};
// Connections kept per host, at least: a few polls beside the submits.
constexpr long kMinHostConnections = 8;

std::string RateText(double per_second) {
  std::ostringstream text;
  text << per_second;
  return per_second == 0 ? "0" : text.str() + "/s";
}

std::string JoinList(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ",") + name;
  return text;
}

struct RunArgs {
  std::string manifest;
  bool all = false;
  ServiceArgs service;
  std::string batch;
  std::string rate = RateText(kRunDefaults.rate_per_second);
  double burst = kRunDefaults.burst;
  int max_in_flight = kRunDefaults.max_in_flight;
  int max_attempts = kRunDefaults.max_attempts;
  int breaker = kRunDefaults.breaker_after;
  std::string backoff_base = DurationText(kRunDefaults.backoff.base);
  std::string backoff_cap = DurationText(kRunDefaults.backoff.cap);
  std::string poll_interval = DurationText(kRunDefaults.poll_interval);
  std::string poll_max = DurationText(kRunDefaults.poll_max);
  bool poll_fixed = kRunDefaults.poll_mode == run::RunOptions::PollMode::kFixed;
  int poll_batch = kRunDefaults.poll_batch;
  int max_poll_requests = kRunDefaults.max_poll_requests;
  std::string missing_grace = DurationText(kRunDefaults.missing_grace);
  std::string on_missing = "resubmit";
  std::string on_uncertain = "resubmit";
  std::string deadline_slack = DurationText(kRunDefaults.deadline_slack);
  std::string completed_statuses = JoinList(kRunDefaults.statuses.completed());
  std::string failed_statuses = JoinList(kRunDefaults.statuses.failed());
  std::string running_statuses = JoinList(kRunDefaults.statuses.running());
  std::string progress = "auto";
  bool strict = false;
  std::uint64_t seed = kRunDefaults.seed;
  // The settings a manifest's `run:` section may hold, given as flags.
  struct Given {
    bool rate = false, burst = false, max_attempts = false, poll_interval = false, poll_max = false,
         poll_fixed = false;
  } given;
  bool dry_run = false;
  std::int64_t limit = -1;  // -1: no --limit
  TraceArgs trace;
};

// `--rate 40/s`, `--rate 0`, or `--rate auto[:MAX]` (MAX a rate, default
// 100/s): then the rate starts where ratelimit::AdaptiveRate starts.
void SetRate(const std::string& text, run::RunOptions& o) {
  constexpr std::string_view kAuto = "auto";
  const auto refuse = [&text] {
    throw Error(kExitUsage, "--rate: '" + text +
                                "' is not a rate (examples: 40/s, 300/min, 0 for unlimited, auto, "
                                "auto:100/s)");
  };
  if (text.compare(0, kAuto.size(), kAuto) == 0) {
    double max = ratelimit::AdaptiveRateOptions{}.max_rate;
    if (text.size() > kAuto.size()) {
      const auto given =
          text[kAuto.size()] == ':' ? ParseRate(text.substr(kAuto.size() + 1)) : std::nullopt;
      if (!given || *given <= 0) refuse();
      max = *given;
    }
    o.auto_rate_max = max;
    o.rate_per_second = ratelimit::AdaptiveRate({.max_rate = max}, 0).Rate(0);
    return;
  }
  const auto rate = ParseRate(text);
  if (!rate) refuse();
  o.rate_per_second = *rate;
}

void RequireAtLeastOne(int value, const char* option) {
  if (value < 1) throw Error(kExitUsage, std::string(option) + " must be at least 1");
}

// A poll wait of 0 would ask about every job on every loop turn.
Seconds PositiveDuration(const std::string& text, const char* option) {
  const Seconds value = Duration(text, option);
  if (value <= 0) throw Error(kExitUsage, std::string(option) + " must be longer than 0");
  return value;
}

run::RunOptions MakeRunOptions(const RunArgs& a, const CommonOptions& common) {
  run::RunOptions o;
  if (!a.batch.empty()) o.batch = a.batch;
  SetRate(a.rate, o);
  o.burst = a.burst;
  RequireAtLeastOne(a.max_in_flight, "--max-inflight");
  RequireAtLeastOne(a.max_attempts, "--max-attempts");
  RequireAtLeastOne(a.poll_batch, "--poll-batch");
  RequireAtLeastOne(a.max_poll_requests, "--max-poll-requests");
  if (a.limit != -1 && a.limit < 1) {
    throw Error(kExitUsage,
                "--limit: " + std::to_string(a.limit) + " is not a number of jobs (at least 1)");
  }
  if (a.limit > 0) o.limit = a.limit;
  o.max_in_flight = a.max_in_flight;
  o.max_attempts = a.max_attempts;
  if (a.breaker < 0) {
    throw Error(kExitUsage, "--breaker: " + std::to_string(a.breaker) +
                                " is not a number of submits (0 turns it off)");
  }
  o.breaker_after = a.breaker;
  o.backoff = {Duration(a.backoff_base, "--backoff-base"),
               Duration(a.backoff_cap, "--backoff-cap")};
  o.poll_interval = PositiveDuration(a.poll_interval, "--poll-interval");
  o.poll_max = PositiveDuration(a.poll_max, "--poll-max");
  o.poll_mode =
      a.poll_fixed ? run::RunOptions::PollMode::kFixed : run::RunOptions::PollMode::kAdaptive;
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
  o.verbose = common.verbose;
  o.seed = a.seed;
  return o;
}

// The manifest's `run:` settings, where no flag gave them.
void ApplyManifestSettings(const manifest::RunSettings& settings, const RunArgs::Given& given,
                           run::RunOptions& o) {
  if (settings.rate_per_second && !given.rate) o.rate_per_second = *settings.rate_per_second;
  if (settings.burst && !given.burst) o.burst = *settings.burst;
  if (settings.max_attempts && !given.max_attempts) o.max_attempts = *settings.max_attempts;
  if (settings.poll_interval && !given.poll_interval) o.poll_interval = *settings.poll_interval;
  if (settings.poll_max && !given.poll_max) o.poll_max = *settings.poll_max;
  if (settings.poll_fixed && !given.poll_fixed) {
    o.poll_mode = *settings.poll_fixed ? run::RunOptions::PollMode::kFixed
                                       : run::RunOptions::PollMode::kAdaptive;
  }
}

run::ReporterOptions ReporterOptionsFor(const RunArgs& a, const CommonOptions& common) {
  run::ReporterOptions o;
  o.is_terminal = isatty(STDERR_FILENO) == 1;
  o.summary = !common.quiet;
  o.terminal_width = [] {
    winsize size{};
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return int{size.ws_col};
    const char* columns = std::getenv("COLUMNS");
    return columns ? std::atoi(columns) : 0;
  };
  if (common.quiet || a.progress == "none") {
    o.mode = run::ProgressMode::kNone;
  } else if (a.progress == "bar") {
    o.mode = run::ProgressMode::kBar;
  } else if (a.progress == "plain") {
    o.mode = run::ProgressMode::kPlain;
  } else if (a.progress == "json") {
    o.mode = run::ProgressMode::kJson;
  }
  return o;
}

int ExitCodeFor(const run::RunResult& result, bool strict) {
  if (result.auth_failed) return kExitNoPerm;
  if (result.tripped || (!result.held.empty() && !result.interrupted)) return kExitUnavailable;
  if (result.interrupted) return kExitInterrupted;
  if (strict && result.counts[JobState::kFailed] > 0) {
    return kExitJobsFailed;
  }
  return kExitOk;
}

// The load's line on stderr: as text, or as a JSON event with --progress json.
void SayLoaded(const LoadResult& load, const RunArgs& a, const CommandContext& context) {
  if (context.common.quiet) return;
  if (a.progress != "json") {
    context.Say(LoadSummary(load, LoadMode::kWrite));
    return;
  }
  const store::LoadCounts& c = load.counts;
  std::cerr << "{\"event\":\"load\",\"batch\":" << JsonString(manifest::Batch(*load.manifest).name)
            << ",\"new\":" << c.added << ",\"already_present\":" << c.already_present
            << ",\"no_longer_listed\":" << c.no_longer_listed << ",\"jobs\":" << c.listed << "}\n";
}

// Without a manifest, a database that does not exist or has no jobs in
// scope leaves nothing to do: say so, and create no file.
bool NothingToRun(const run::RunOptions& options, const CommandContext& context) {
  const std::string& db = context.common.db;
  std::error_code error;
  if (!std::filesystem::exists(db, error)) {
    throw Error(kExitNoInput, "nothing to run: database " + db +
                                  " does not exist; give a MANIFEST to load (gridbatch run "
                                  "sweep.yaml)");
  }
  store::OpenOptions open;
  open.mode = store::OpenOptions::Mode::kReadOnly;
  auto store = store::JobStore::Open(db, open);
  store::RunQueue queue(*store, options.batch);  // an unknown --batch is an error here
  const store::StateCounts counts = queue.CountByState();
  if (counts.Total() > 0) return false;
  context.Say("gridbatch: nothing to run: database " + db +
              " has no jobs; give a MANIFEST to load (gridbatch run sweep.yaml)");
  return true;
}

// `run --dry-run MANIFEST`: what would be loaded and sent; no token needed,
// no lock taken, nothing written.
int DryRun(const RunArgs& a, const run::RunOptions& options) {
  if (a.manifest.empty()) {
    throw Error(kExitUsage, "--dry-run needs the MANIFEST whose jobs to show");
  }
  const auto manifest = ParseStep(a.manifest);
  if (!manifest) return kExitDataErr;
  return PrintDryRun(*manifest,
                     {.rate_per_second = options.auto_rate_max.value_or(options.rate_per_second),
                      .endpoint = a.service.endpoint},
                     std::cout);
}

int Execute(const RunArgs& a, const CommandContext& context) {
  if (a.all && !a.batch.empty()) throw Error(kExitUsage, "--all and --batch exclude each other");
  const std::string& db = context.common.db;
  run::RunOptions options = MakeRunOptions(a, context.common);
  if (a.dry_run) return DryRun(a, options);
  const std::string token = ReadToken(a.service.token_file);
  http::ClientOptions http_options = HttpOptionsFor(a.service);
  // Validated before anything is created: a bad manifest leaves no file.
  std::shared_ptr<const manifest::Manifest> manifest;
  if (!a.manifest.empty()) {
    manifest = ParseStep(a.manifest);
    if (!manifest) return kExitDataErr;
  } else if (NothingToRun(options, context)) {
    return kExitOk;
  }
  const auto& stop_requests = run::InstallStopSignals();
  run::RunLock lock(db);  // before the load: a running `run` owns the database
  if (manifest) {
    const LoadResult load = LoadParsed(manifest, db, LoadMode::kWrite);
    if (load.exit_code != kExitOk) return load.exit_code;
    SayLoaded(load, a, context);
    if (!a.all && a.batch.empty()) options.batch = manifest::Batch(*manifest).name;
    ApplyManifestSettings(manifest::RunSettingsOf(*manifest), a.given, options);
  }
  auto store = store::JobStore::Open(db);
  lock.LockDatabaseFile();  // if the load (or the open) has just created it

  http_options.max_host_connections =
      std::max<long>(options.max_in_flight + options.max_poll_requests, kMinHostConnections);
  http::Client http(http_options);
  api::ApiOptions api_options;
  api_options.endpoint = a.service.endpoint;
  api_options.token = token;
  api_options.max_ids_per_get = static_cast<std::size_t>(options.poll_batch);
  api::Client api(http, api_options);

  auto reporter = run::MakeReporter(std::cerr, ReporterOptionsFor(a, context.common));
  const auto trace = StartTrace(
      a.trace, token, http, [&reporter](const std::string& m) { reporter->Log("warning: " + m); });
  run::Runner runner(*store, http, api, SystemClock::Instance(), *reporter, options);
  const run::RunResult result = runner.Run(stop_requests);
  if (result.auth_failed) {
    std::cerr << "gridbatch: the service refused the API token (" << result.auth_error
              << "); nothing more was submitted. Check GRIDREPUBLIC_TOKEN or --token-file.\n";
  }
  if (result.tripped) {
    std::cerr << "gridbatch: " << run::DescribeTrip(*result.tripped, a.service.endpoint) << "\n";
  }
  for (const run::Hold& hold : result.held) {
    std::cerr << "gridbatch: " << run::DescribeHold(hold) << "\n";
  }
  if (!result.held.empty()) {
    std::cerr << "gridbatch: " << result.held_jobs
              << " job(s) of held models are pending (nothing failed); `gridbatch status` shows "
                 "the holds, and the next run tries those models again.\n";
  }
  return ExitCodeFor(result, a.strict);
}

void AddDispatchOptions(CLI::App* cmd, RunArgs& args) {
  const char* group = "Dispatch";
  cmd->add_option("--rate", args.rate,
                  "Submit rate: 40/s, 300/min, 0 for unlimited, or auto[:MAX] to find the\n"
                  "service's limit (start 5/s, double each second until a 429, then +1/s each\n"
                  "second, x0.85 on a 429; never above MAX, default 100/s) (manifest: run.rate)")
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--burst", args.burst,
                  "Token bucket size (default: rate/20, at least 1; manifest: run.burst)")
      ->group(group);
  cmd->add_option("--max-inflight", args.max_in_flight, "Submits in flight at once")
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--max-attempts", args.max_attempts,
                  "Submits per job before it fails (manifest: run.max_attempts)")
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--breaker", args.breaker,
                  "Circuit breaker: stop the run after N submits in a row refused the same way\n"
                  "(connection refused, no such host, TLS, a 4xx, one success:false error), or\n"
                  "hold one model the service refuses while the others go on; those jobs go back\n"
                  "to pending, attempts undone (exit 69). Until a model has a submit accepted, at\n"
                  "most N of its submits are out at once. 0: off")
      ->type_name("N")
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--backoff-base", args.backoff_base, "First retry delay ceiling")
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--backoff-cap", args.backoff_cap, "Largest retry delay ceiling")
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--on-uncertain", args.on_uncertain,
                  "Jobs an interrupted run left 'submitting': resubmit (at least once) or fail")
      ->check(CLI::IsMember({"resubmit", "fail"}))
      ->capture_default_str()
      ->group(group);
}

void AddPollOptions(CLI::App* cmd, RunArgs& args) {
  const char* group = "Polling";
  cmd->add_option("--poll-interval", args.poll_interval,
                  "With --poll-fixed, poll each job this often.\n"
                  "Adaptive: the first poll's delay before anything\n"
                  "is known, and 10x the shortest wait.\n"
                  "0.2, 500ms, 5s, 2m (manifest: run.poll_interval)")
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--poll-max", args.poll_max,
                  "Adaptive polling (the default): the longest wait\n"
                  "between two polls of a job. A job is first asked\n"
                  "about when a share of its model's jobs would be\n"
                  "done, often near the model's typical finish,\n"
                  "seldom elsewhere (manifest: run.poll_max)")
      ->capture_default_str()
      ->group(group);
  cmd->add_flag("--poll-fixed", args.poll_fixed,
                "Poll every job every --poll-interval, to watch\n"
                "partial logs (manifest: run.poll: fixed).\n"
                "--poll-fixed=false: adaptive, whatever the\n"
                "manifest says")
      ->group(group);
  cmd->add_option("--poll-batch", args.poll_batch, "Ids per status GET")
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--max-poll-requests", args.max_poll_requests, "Status GETs in flight at once")
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--missing-grace", args.missing_grace,
                  "How long an id may be missing from status replies")
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--on-missing", args.on_missing, "After the grace: resubmit or fail")
      ->check(CLI::IsMember({"resubmit", "fail"}))
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--deadline-slack", args.deadline_slack,
                  "A job not final by submit + hours + slack fails")
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--completed-statuses", args.completed_statuses,
                  "Statuses meaning success (case-insensitive, comma-separated)")
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--failed-statuses", args.failed_statuses, "Statuses meaning failure")
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--running-statuses", args.running_statuses,
                  "Statuses known to mean still running (others are logged once, then treated so)")
      ->capture_default_str()
      ->group(group);
}

void AddOutputOptions(CLI::App* cmd, RunArgs& args) {
  const char* out = "Output";
  cmd->add_option("--progress", args.progress,
                  "auto (bar on a terminal, else plain), bar, plain, json (events on stderr), "
                  "none (only the summary; -q drops it too)")
      ->check(CLI::IsMember({"auto", "bar", "plain", "json", "none"}))
      ->capture_default_str()
      ->group(out);
  cmd->add_flag("--strict", args.strict, "Exit 1 when any job ended failed")->group(out);
  cmd->add_flag("--dry-run", args.dry_run,
                "Show MANIFEST's jobs per model and source, the first request body and estimates\n"
                "at --rate; send and write nothing")
      ->group(out);
  AddTraceOptions(cmd, args.trace);
  cmd->add_option("--seed", args.seed, "Seed for retry jitter (0: random)")->group("");
}

}  // namespace

void AddRunCommand(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Load MANIFEST if given, then submit and poll until every job of its batch is final\n"
      "(every batch with --all, or when no MANIFEST is given). Settings in the manifest's\n"
      "`run:` section apply unless a flag gives them. Resumable: after Ctrl-C, a crash or a\n"
      "reboot, run again to continue where it stopped. Token: GRIDREPUBLIC_TOKEN or\n"
      "--token-file. Exit: 0 all final (even if some failed; see --strict), 66 no manifest\n"
      "and no database, 69 stopped or a model held by the circuit breaker (see --breaker),\n"
      "77 token refused, 130 interrupted, 75 database busy with another run.");
  cmd->add_option("manifest", args->manifest, "YAML manifest to load first (optional)")
      ->type_name("MANIFEST");
  AddCommonOptions(cmd, context);
  AddServiceOptions(cmd, args->service, "Network");
  cmd->add_option("--batch", args->batch, "Only run this batch")->type_name("NAME");
  cmd->add_flag("--all", args->all, "With MANIFEST: run every batch, not only the manifest's");
  cmd->add_option(
         "--limit", args->limit,
         "Submit at most N of the pending jobs (the first, spread over the models), drive\n"
         "them to their end and stop; the next run goes on with the rest")
      ->type_name("N");
  AddDispatchOptions(cmd, *args);
  AddPollOptions(cmd, *args);
  AddOutputOptions(cmd, *args);
  cmd->callback([args, cmd, &context] {
    args->given = {.rate = cmd->count("--rate") > 0,
                   .burst = cmd->count("--burst") > 0,
                   .max_attempts = cmd->count("--max-attempts") > 0,
                   .poll_interval = cmd->count("--poll-interval") > 0,
                   .poll_max = cmd->count("--poll-max") > 0,
                   .poll_fixed = cmd->count("--poll-fixed") > 0};
    context.exit_code = Execute(*args, context);
  });
}

}  // namespace gridbatch::cli
