#include "sim_command_line.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace gridbatch::sim {
namespace {

SimCommandLine Parse(std::vector<std::string> args) {
  CLI::App app;
  SimCommandLine out;
  AddSimFlags(app, out);
  std::reverse(args.begin(), args.end());
  app.parse(args);
  return out;
}

TEST(SimCommandLineTest, DefaultsAreTheOptionsDefaults) {
  unsetenv("GRIDREPUBLIC_TOKEN");
  const SimCommandLine cl = Parse({});
  const SimOptions defaults;
  EXPECT_EQ(cl.options.host, "127.0.0.1");
  EXPECT_EQ(cl.options.port, 0);
  EXPECT_EQ(cl.options.token, defaults.token);
  EXPECT_EQ(cl.options.queue_seconds, defaults.queue_seconds);
  EXPECT_EQ(cl.options.run_seconds, defaults.run_seconds);
  EXPECT_EQ(cl.options.faults.p_reset, 0);
  EXPECT_FALSE(cl.options.httplib_keep_alive_polling);
  EXPECT_EQ(cl.duration_seconds, 0);
}

TEST(SimCommandLineTest, EveryFlagReachesItsField) {
  const SimCommandLine cl = Parse({"--host",
                                   "127.0.0.2",
                                   "--port",
                                   "8089",
                                   "--token",
                                   "t0k",
                                   "--base-path",
                                   "/v9",
                                   "--queue-time",
                                   "150ms",
                                   "--run-time",
                                   "2s",
                                   "--jitter",
                                   "0.1",
                                   "--models",
                                   "a,b:2b",
                                   "--fail-marker",
                                   "FAIL",
                                   "--abort-marker",
                                   "ABORT",
                                   "--status-case",
                                   "title",
                                   "--p429",
                                   "0.1",
                                   "--p5xx",
                                   "0.2",
                                   "--preset",
                                   "0.3",
                                   "--pslow",
                                   "0.4",
                                   "--ptruncated",
                                   "0.5",
                                   "--pomit",
                                   "0.6",
                                   "--retry-after",
                                   "4",
                                   "--slow-time",
                                   "250ms",
                                   "--submit-rate",
                                   "300/min",
                                   "--submit-burst",
                                   "7",
                                   "--max-ids",
                                   "50",
                                   "--threads",
                                   "16",
                                   "--seed",
                                   "99",
                                   "--keep-alive",
                                   "9",
                                   "--keep-alive-requests",
                                   "5",
                                   "--httplib-keep-alive-polling",
                                   "--duration",
                                   "1m"});
  const SimOptions& o = cl.options;
  EXPECT_EQ(o.host, "127.0.0.2");
  EXPECT_EQ(o.port, 8089);
  EXPECT_EQ(o.token, "t0k");
  EXPECT_EQ(o.base_path, "/v9");
  EXPECT_DOUBLE_EQ(o.queue_seconds, 0.15);
  EXPECT_DOUBLE_EQ(o.run_seconds, 2);
  EXPECT_DOUBLE_EQ(o.jitter, 0.1);
  EXPECT_EQ(o.models, (std::vector<std::string>{"a", "b:2b"}));
  EXPECT_EQ(o.fail_marker, "FAIL");
  EXPECT_EQ(o.abort_marker, "ABORT");
  EXPECT_EQ(o.status_case, "title");
  EXPECT_DOUBLE_EQ(o.faults.p_429, 0.1);
  EXPECT_DOUBLE_EQ(o.faults.p_5xx, 0.2);
  EXPECT_DOUBLE_EQ(o.faults.p_reset, 0.3);
  EXPECT_DOUBLE_EQ(o.faults.p_slow, 0.4);
  EXPECT_DOUBLE_EQ(o.faults.p_truncated, 0.5);
  EXPECT_DOUBLE_EQ(o.faults.p_omit, 0.6);
  EXPECT_DOUBLE_EQ(o.faults.retry_after_seconds, 4);
  EXPECT_DOUBLE_EQ(o.faults.slow_seconds, 0.25);
  EXPECT_DOUBLE_EQ(o.submit_rate, 5);
  EXPECT_DOUBLE_EQ(o.submit_burst, 7);
  EXPECT_EQ(o.max_ids_per_get, 50u);
  EXPECT_EQ(o.threads, 16u);
  EXPECT_EQ(o.seed, 99u);
  EXPECT_EQ(o.keep_alive_seconds, 9);
  EXPECT_EQ(o.keep_alive_max_requests, 5u);
  EXPECT_TRUE(o.httplib_keep_alive_polling);
  EXPECT_DOUBLE_EQ(cl.duration_seconds, 60);
}

TEST(SimCommandLineTest, LongFaultNamesAreAliases) {
  const SimCommandLine cl =
      Parse({"--p-reset", "0.5", "--p-slow", "0.25", "--p-truncated", "1", "--p-omit", "0"});
  EXPECT_DOUBLE_EQ(cl.options.faults.p_reset, 0.5);
  EXPECT_DOUBLE_EQ(cl.options.faults.p_slow, 0.25);
  EXPECT_DOUBLE_EQ(cl.options.faults.p_truncated, 1);
}

TEST(SimCommandLineTest, TokenComesFromTheEnvironment) {
  setenv("GRIDREPUBLIC_TOKEN", "from-env", 1);
  EXPECT_EQ(Parse({}).options.token, "from-env");
  EXPECT_EQ(Parse({"--token", "flag"}).options.token, "flag");
  unsetenv("GRIDREPUBLIC_TOKEN");
}

TEST(SimCommandLineTest, BadValuesAreRefusedWithTheFlagNamed) {
  EXPECT_THROW(Parse({"--p429", "1.5"}), CLI::ValidationError);
  EXPECT_THROW(Parse({"--status-case", "upper"}), CLI::ValidationError);
  EXPECT_THROW(Parse({"--port", "70000"}), CLI::ValidationError);
  try {
    Parse({"--queue-time", "soon"});
    FAIL() << "expected an error";
  } catch (const CLI::ValidationError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--queue-time: 'soon' is not a duration (e.g. 0.5, 200ms, 2s)");
  }
  try {
    Parse({"--submit-rate", "fast"});
    FAIL() << "expected an error";
  } catch (const CLI::ValidationError& e) {
    EXPECT_EQ(std::string(e.what()), "--submit-rate: 'fast' is not a rate (e.g. 40/s, 300/min, 0)");
  }
}

}  // namespace
}  // namespace gridbatch::sim
