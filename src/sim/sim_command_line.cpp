#include "sim_command_line.hpp"

#include <sstream>

#include "gridbatch/util/time_format.hpp"

namespace gridbatch::sim {
namespace {

std::string Shown(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// Durations take the forms ParseDuration knows: "0.2", "200ms", "5s", "2m".
void AddDuration(CLI::App& app, const std::string& name, double& target, const std::string& what) {
  app.add_option_function<std::string>(
         name,
         [&target, name](const std::string& text) {
           const auto seconds = ParseDuration(text);
           if (!seconds) {
             throw CLI::ValidationError(name,
                                        "'" + text + "' is not a duration (e.g. 0.5, 200ms, 2s)");
           }
           target = *seconds;
         },
         what)
      ->type_name("DURATION")
      ->default_str(Shown(target));
}

void AddProbability(CLI::App& app, const std::string& names, double& target,
                    const std::string& what) {
  app.add_option(names, target, what + " (probability per request, 0..1)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str()
      ->group("Faults");
}

void AddServerFlags(CLI::App& app, SimOptions& o) {
  app.add_option("--host", o.host, "Address to bind")->capture_default_str();
  app.add_option("--port", o.port, "Port to bind; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--token", o.token, "Bearer token clients must send (else 401)")
      ->envname("GRIDREPUBLIC_TOKEN");
  app.add_option("--base-path", o.base_path, "Path prefix of the API")->capture_default_str();
  app.add_option("--threads", o.threads,
                 "Most worker threads, one per open client connection; 0: " +
                     std::to_string(kDefaultThreads))
      ->capture_default_str();
  app.add_option("--keep-alive", o.keep_alive_seconds,
                 "Seconds an idle client connection is kept open")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--keep-alive-requests", o.keep_alive_max_requests,
                 "Requests served on one connection before it is closed")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("--httplib-keep-alive-polling", o.httplib_keep_alive_polling,
               "Benchmarks: wait between requests the way httplib does (10 ms polling)");
  app.add_option("--max-ids", o.max_ids_per_get, "Most ids one status GET may carry (more: 400)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option_function<std::string>(
         "--submit-rate",
         [&o](const std::string& text) {
           const auto rate = ParseRate(text);
           if (!rate) {
             throw CLI::ValidationError("--submit-rate",
                                        "'" + text + "' is not a rate (e.g. 40/s, 300/min, 0)");
           }
           o.submit_rate = *rate;
         },
         "Server-side limit on submits, answered with 429 past it (e.g. 40/s); 0: none")
      ->type_name("RATE")
      ->default_str("0");
  app.add_option("--submit-burst", o.submit_burst, "Submits allowed at once; 0: max(1, rate)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

void AddJobFlags(CLI::App& app, SimOptions& o) {
  AddDuration(app, "--queue-time", o.queue_seconds, "Provisioning + downloading time of a job");
  AddDuration(app, "--run-time", o.run_seconds, "Running time of a job");
  app.add_option("--jitter", o.jitter, "+- fraction applied to each job's times")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--models", o.models, "Models accepted, comma-separated; default: any")
      ->delimiter(',');
  app.add_option("--refuse-submits", o.refuse_submits,
                 "Answer every submit success:false with this error; default: none");
  app.add_option("--fail-marker", o.fail_marker, "A prompt containing this ends 'failed'")
      ->capture_default_str();
  app.add_option("--abort-marker", o.abort_marker, "A prompt containing this ends 'aborted'")
      ->capture_default_str();
  app.add_option("--status-case", o.status_case, "Spelling of statuses: completed or Completed")
      ->check(CLI::IsMember({"lower", "title"}))
      ->capture_default_str();
  app.add_option("--seed", o.seed, "Seed of fault and jitter draws")->capture_default_str();
}

void AddFaultFlags(CLI::App& app, Faults& f) {
  AddProbability(app, "--p429", f.p_429, "Answer 429 with Retry-After");
  AddProbability(app, "--p5xx", f.p_5xx, "Answer 500/502/503 with an HTML or text body");
  AddProbability(app, "--preset,--p-reset", f.p_reset, "Hang up without a reply");
  AddProbability(app, "--pslow,--p-slow", f.p_slow, "Wait --slow-time before replying");
  AddProbability(app, "--ptruncated,--p-truncated", f.p_truncated,
                 "Cut a 200 reply's JSON in half");
  AddProbability(app, "--pomit,--p-omit", f.p_omit, "Leave one known id out of a status reply");
  app.add_option("--retry-after", f.retry_after_seconds, "Retry-After of injected 429s, seconds")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str()
      ->group("Faults");
  AddDuration(app, "--slow-time", f.slow_seconds, "Delay of a slow reply");
  app.get_option("--slow-time")->group("Faults");
}

}  // namespace

void AddSimFlags(CLI::App& app, SimCommandLine& out) {
  app.set_version_flag("-V,--version", "gridbatch-sim " GRIDBATCH_VERSION);
  AddServerFlags(app, out.options);
  AddJobFlags(app, out.options);
  AddFaultFlags(app, out.options.faults);
  AddDuration(app, "--duration", out.duration_seconds,
              "Exit by itself after this long; 0: run until SIGINT/SIGTERM");
  app.add_option("--dump-jobs", out.dump_jobs,
                 "On exit, write every job as CSV to FILE: id, submitted, ended (Unix seconds),\n"
                 "outcome (for benchmarks of how late a client notices a job's end)")
      ->type_name("FILE");
}

}  // namespace gridbatch::sim
