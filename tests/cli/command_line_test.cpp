// The command line as people expect it: unknown names answered with the
// nearest known one, `help [COMMAND]`, `-V`, and the common options before or
// after the command.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_fixture.hpp"

namespace gridbatch::cli {
namespace {

using testing::Outcome;
namespace fs = std::filesystem;

class CommandLineTest : public testing::CliFixture {};

TEST_F(CommandLineTest, AnUnknownCommandIsNamedWithTheNearestOneAndExits64) {
  const Outcome outcome = Run({"lod", "x.yaml"});
  EXPECT_EQ(outcome.exit_code, 64);
  EXPECT_EQ(outcome.err, "gridbatch: unknown command 'lod'; did you mean 'load'?\n");
  EXPECT_EQ(outcome.out, "");
  const Outcome far = Run({"frobnicate"});
  EXPECT_EQ(far.exit_code, 64);
  EXPECT_EQ(far.err, "gridbatch: unknown command 'frobnicate'; see 'gridbatch help'\n");
}

TEST_F(CommandLineTest, AnUnknownOptionIsNamedWithTheNearestOneAndExits64) {
  const Outcome before = Run({"--frobnicate"});
  EXPECT_EQ(before.exit_code, 64);
  EXPECT_EQ(before.err, "gridbatch: unknown option '--frobnicate'; see 'gridbatch help'\n");
  const Outcome after = Run({"export", "--db", db_, "--fromat", "csv"});
  EXPECT_EQ(after.exit_code, 64);
  EXPECT_EQ(after.err,
            "gridbatch: unknown option '--fromat' for 'export'; did you mean '--format'?\n");
  const Outcome global = Run({"--verbos", "status"});
  EXPECT_EQ(global.exit_code, 64);
  EXPECT_EQ(global.err, "gridbatch: unknown option '--verbos'; did you mean '--verbose'?\n");
}

TEST_F(CommandLineTest, NoCommandListsTheCommandsAndExits64) {
  const Outcome outcome = Run({});
  EXPECT_EQ(outcome.exit_code, 64);
  EXPECT_EQ(
      outcome.err,
      "gridbatch: a command is required (one of load, run, check, status, show, export, report, "
      "retry, cancel, prune, help); see 'gridbatch help'\n");
}

TEST_F(CommandLineTest, HelpPrintsTheProgramsOrACommandsHelpOnStdout) {
  const Outcome program = Run({"help"});
  EXPECT_EQ(program.exit_code, 0) << program.err;
  EXPECT_NE(program.out.find("Subcommands:"), std::string::npos) << program.out;
  EXPECT_NE(program.out.find("Exit codes: 0 done"), std::string::npos) << program.out;
  const Outcome export_help = Run({"help", "export"});
  EXPECT_EQ(export_help.exit_code, 0) << export_help.err;
  EXPECT_NE(export_help.out.find("--format"), std::string::npos) << export_help.out;
  EXPECT_EQ(export_help.out, Run({"export", "--help"}).out);
  const Outcome unknown = Run({"help", "lod"});
  EXPECT_EQ(unknown.exit_code, 64);
  EXPECT_EQ(unknown.err, "gridbatch: unknown command 'lod'; did you mean 'load'?\n");
}

TEST_F(CommandLineTest, DashCapitalVAndVersionPrintTheVersion) {
  for (const char* flag : {"-V", "--version"}) {
    const Outcome outcome = Run({flag});
    EXPECT_EQ(outcome.exit_code, 0) << flag;
    EXPECT_EQ(outcome.out, "gridbatch " GRIDBATCH_VERSION "\n") << flag;
  }
}

TEST_F(CommandLineTest, CommonOptionsWorkBeforeTheCommandAsAfterIt) {
  const std::string manifest =
      Capitals("  - id: fr\n    prompt: \"What is the capital of France?\"\n");
  const Outcome load = Run({"--db", db_, "-q", "load", manifest});
  EXPECT_EQ(load.exit_code, 0) << load.err;
  EXPECT_EQ(load.err, "");  // -q: no summary line
  const Outcome before = Run({"--db", db_, "status", "--json"});
  EXPECT_EQ(before.exit_code, 0) << before.err;
  EXPECT_EQ(nlohmann::json::parse(before.out)["totals"]["pending"], 2);
  const Outcome joined = Run({"--db=" + db_, "-v", "status"});
  EXPECT_EQ(joined.exit_code, 0) << joined.err;
  EXPECT_NE(joined.err.find("gridbatch: status on " + db_ + " took "), std::string::npos)
      << joined.err;
  EXPECT_EQ(Run({"status", "--db", db_}).out, joined.out);
  const Outcome quiet_after = Run({"load", manifest, "--db", db_, "--quiet"});
  EXPECT_EQ(quiet_after.exit_code, 0) << quiet_after.err;
  EXPECT_EQ(quiet_after.err, "");
}

TEST_F(CommandLineTest, AMissingManifestExits66AndCreatesNoDatabase) {
  const Outcome outcome = Run({"load", (dir_ / "nonexistent.yaml").string(), "--db", db_});
  EXPECT_EQ(outcome.exit_code, 66);
  EXPECT_EQ(outcome.err,
            "gridbatch: manifest " + (dir_ / "nonexistent.yaml").string() + ": no such file\n");
  EXPECT_FALSE(fs::exists(db_));
}

}  // namespace
}  // namespace gridbatch::cli
