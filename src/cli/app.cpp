#include <algorithm>
#include <chrono>
#include <exception>
#include <iostream>

#include "command.hpp"
#include "command_line.hpp"
#include "completion_script.hpp"
#include "gridbatch/error.hpp"

namespace gridbatch::cli {
namespace {

constexpr const char* kVersion = "gridbatch " GRIDBATCH_VERSION;

int PrintHelp(const CLI::App& app, const std::string& command) {
  std::cout << (command.empty() ? app.help() : app.get_subcommand(command)->help(app.get_name()));
  return kExitOk;
}

// The command CLI11 was parsing when it stopped.
const CLI::App& ParsedCommand(const CLI::App& app, const std::string& name) {
  const CLI::App* command = app.get_subcommand(name);
  return command ? *command : app;
}

int ReportParseError(CLI::App& app, const CLI::ParseError& e, const std::string& command) {
  if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
  const CLI::App& parsed = ParsedCommand(app, command);
  std::string message = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    message = ExtrasMessage(parsed, parsed.remaining());
  } else if (!command.empty()) {
    message += "; see 'gridbatch help " + command + "'";
  }
  std::cerr << "gridbatch: " << message << "\n";
  return kExitUsage;
}

void SayHowLong(const CommandContext& context, const std::string& command,
                std::chrono::steady_clock::time_point started) {
  if (!context.common.verbose || context.common.quiet || command == "run") return;
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  std::cerr << "gridbatch: " << command << " on " << context.common.db << " took " << took.count()
            << " s\n";
}

}  // namespace

void AddCommonOptions(CLI::App* command, CommandContext& context) {
  command->add_option(std::string(kDbOption), context.common.db, "SQLite database file")
      ->capture_default_str()
      ->type_name("FILE");
  command->add_flag("-q,--quiet", context.common.quiet,
                    "No messages on stderr but warnings and errors (run: no progress, no summary)");
  command->add_flag("-v,--verbose", context.common.verbose,
                    "More messages (run: every request's outcome, never the token)");
}

int Main(int argc, char** argv) {
  CLI::App app{
      "gridbatch: run large LLM prompt sweeps on the GridRepublic Distributed LLM Service.\n"
      "A YAML manifest is loaded into a SQLite job table; `run` submits and polls until\n"
      "every job is final, resumable after any interruption; `export` writes CSV or JSONL,\n"
      "`report` one HTML page with charts and the outputs side by side.\n"
      "Options --db, -q and -v may come before or after the command. `gridbatch help\n"
      "COMMAND` shows a command's options."};
  app.name("gridbatch");  // argv[0] is not passed to CLI11
  app.set_version_flag("-V,--version", kVersion);
  app.footer(
      "Exit codes: 0 done, 1 run --strict and some failed, 64 bad command line, 65 invalid\n"
      "manifest, 66 missing input, 74 database or file error, 75 database busy with another\n"
      "run, 77 token refused, 130 interrupted.");
  CommandContext context;
  AddCommands(app, context);
  AddCompletionFlags(app, "gridbatch");  // hidden: the build writes completions and man pages
  std::string command;
  const auto started = std::chrono::steady_clock::now();
  try {
    CommandLine line = ArrangeCommandLine(app, std::vector<std::string>(argv + 1, argv + argc));
    if (line.help_for) return PrintHelp(app, *line.help_for);
    if (!line.args.empty() && line.args.front()[0] != '-') command = line.args.front();
    std::reverse(line.args.begin(), line.args.end());  // CLI11 takes them last first
    app.parse(line.args);
  } catch (const CLI::ParseError& e) {
    return ReportParseError(app, e, command);
  } catch (const Error& e) {
    std::cerr << "gridbatch: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "gridbatch: internal error: " << e.what() << "\n";
    return kExitSoftware;
  }
  SayHowLong(context, command, started);
  return context.exit_code;
}

}  // namespace gridbatch::cli
