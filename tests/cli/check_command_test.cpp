// `gridbatch check` as a user starts it, against the bundled simulator on
// loopback: exit codes, the quoted service messages, the status spellings.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "child_process.hpp"
#include "sim_server.hpp"
#include "test_files.hpp"

namespace gridbatch::cli {
namespace {

using reliability::ChildOptions;
using reliability::ChildResult;
using reliability::RunChild;

constexpr const char* kToken = "check-token-51d0e";

class CheckCommandTest : public ::testing::Test {
 protected:
  void StartSim(sim::SimOptions options, double queue_seconds = 0.04, double run_seconds = 0.06) {
    options.token = kToken;
    options.queue_seconds = queue_seconds;
    options.run_seconds = run_seconds;
    sim_ = std::make_unique<sim::SimServer>(options);
    sim_->Start();
  }

  ChildResult Check(std::vector<std::string> args, const std::string& endpoint = "",
                    const std::string& timeout = "20s") {
    std::vector<std::string> all = {"check",
                                    "--endpoint",
                                    endpoint.empty() ? sim_->Endpoint() : endpoint,
                                    "--poll-interval",
                                    "0.02",
                                    "--timeout",
                                    timeout};
    all.insert(all.end(), args.begin(), args.end());
    ChildOptions options;
    options.args = all;
    options.env = {{"GRIDREPUBLIC_TOKEN", token_}};
    return RunChild(GRIDBATCH_BIN, options, dir_.path());
  }

  gridbatch::testing::TempDir dir_;
  std::unique_ptr<sim::SimServer> sim_;
  std::string token_ = kToken;
};

TEST_F(CheckCommandTest, EveryModelCompletingExitsZeroAndPrintsTheSpellingsInOrder) {
  // Each phase lasts 10 or more poll intervals, so a loaded machine's late
  // poll still sees every spelling (at 20 ms per phase one was missed).
  StartSim({.status_case = "title"}, 0.4, 0.3);
  const ChildResult r =
      Check({"--model", "gemma:2b", "--model", "llama3:8b", "--completed-statuses", "completed"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("gemma:2b: completed after"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("llama3:8b: completed after"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  statuses: 'Provisioning' (vmStatus 'provisioning') -> 'Downloading' "
                       "(vmStatus 'downloading') -> 'Running' (vmStatus 'running') -> "
                       "'Completed' (vmStatus 'stopped')\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("gemma:2b: POST /jobs -> HTTP 200, "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("check: 2 of 2 model(s) completed a job"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("warning"), std::string::npos) << r.out;
  EXPECT_EQ(sim_->GetCounters().submits_accepted, 2u);
}

TEST_F(CheckCommandTest, AStatusInNoConfiguredListIsFlagged) {
  StartSim({});
  const ChildResult r = Check({"--model", "m", "--running-statuses", "running"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("m: warning: status 'provisioning' is in none of the configured lists"),
            std::string::npos)
      << r.out;
}

TEST_F(CheckCommandTest, AnUnknownModelExitsOneQuotingTheService) {
  StartSim({.models = {"gemma:2b"}});
  const ChildResult r = Check({"--model", "gemma:2b", "--model", "phi3:mini"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("phi3:mini: refused after"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("service said: Unknown model: phi3:mini"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("check the model's name"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("gemma:2b: completed"), std::string::npos) << r.out;
}

TEST_F(CheckCommandTest, AWrongPathExits69WithAHintAboutTheEndpointPath) {
  StartSim({});
  std::string wrong = sim_->Endpoint();
  wrong.replace(wrong.find("/v2"), 3, "/v3");
  const ChildResult r = Check({"--model", "m"}, wrong);
  EXPECT_EQ(r.exit_code, 69) << r.out << r.err;
  EXPECT_NE(r.out.find("m: unreachable after"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("answered HTTP 404"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("check the endpoint's path (--endpoint, now " + wrong + ")"),
            std::string::npos)
      << r.out;
}

TEST_F(CheckCommandTest, ARefusedTokenExits77WithoutShowingIt) {
  StartSim({});
  token_ = "wrong-token-9b2c44";
  const ChildResult r = Check({"--model", "m"});
  EXPECT_EQ(r.exit_code, 77) << r.out << r.err;
  EXPECT_NE(r.out.find("check GRIDREPUBLIC_TOKEN or --token-file"), std::string::npos) << r.out;
  EXPECT_EQ((r.out + r.err).find("wrong-token-9b2c44"), std::string::npos);
}

TEST_F(CheckCommandTest, AClosedPortExits69NamingTheEndpoint) {
  StartSim({});
  const int port = sim_->port();
  sim_->Stop();
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(port) + "/remotejobs/v2";
  const ChildResult r = Check({"--model", "m"}, endpoint);
  EXPECT_EQ(r.exit_code, 69) << r.out << r.err;
  EXPECT_NE(r.out.find("cannot reach " + endpoint + "/jobs: connection refused"), std::string::npos)
      << r.out;
}

TEST_F(CheckCommandTest, ATimeoutExitsOneWithTheLastStatus) {
  StartSim({}, 30);
  const ChildResult r = Check({"--model", "m"}, "", "0.3");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("m: timed out after"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("last status 'provisioning'"), std::string::npos) << r.out;
}

TEST_F(CheckCommandTest, ItsTraceHoldsEveryRequestAndNeverTheToken) {
  StartSim({});
  const std::string trace = dir_.File("check.jsonl");
  const ChildResult r = Check({"--model", "a", "--model", "b", "--trace", trace});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string text = gridbatch::testing::ReadFile(trace);
  EXPECT_EQ(text.find(kToken), std::string::npos);
  std::size_t lines = 0;
  for (char c : text) lines += c == '\n' ? 1 : 0;
  EXPECT_EQ(lines, sim_->GetCounters().requests);
}

TEST_F(CheckCommandTest, ExactlyOneSourceOfModelsIsRequired) {
  StartSim({});
  const ChildResult r = Check({});
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_EQ(r.err, "gridbatch: check needs exactly one of MANIFEST, --batch NAME or --model M\n");
}

}  // namespace
}  // namespace gridbatch::cli
