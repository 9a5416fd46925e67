#include <curl/curl.h>

#include <exception>
#include <iostream>

#include "command.hpp"
#include "completion_script.hpp"
#include "gridbatch/error.hpp"

namespace gridbatch::cli {

int Main(int argc, char** argv) {
  CLI::App app{
      "gridbatch: run large LLM prompt sweeps on the GridRepublic Distributed LLM Service.\n"
      "A YAML manifest is loaded into a SQLite job table; `run` submits and polls until\n"
      "every job is final, resumable after any interruption; `export` writes CSV or JSONL."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "gridbatch " GRIDBATCH_VERSION);
  CommandContext context;
  AddCommands(app, context);
  AddCompletionFlags(app, "gridbatch");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  } catch (const Error& e) {
    std::cerr << "gridbatch: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "gridbatch: internal error: " << e.what() << "\n";
    return kExitSoftware;
  }
  return context.exit_code;
}

}  // namespace gridbatch::cli
