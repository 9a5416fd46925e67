// The API token must never reach the database, a log, an export or an error
// message. A sweep is run through the real binary with every simulator fault
// and the most verbose output, then status, export (CSV and JSONL), retry,
// cancel, a run with --token-file and a run whose token the service refuses;
// afterwards every byte those commands left behind (the database and its
// -wal/-shm, the lock file, the exports, each command's stdout and stderr) is
// searched for both tokens and their base64 forms.
#include <SQLiteCpp/SQLiteCpp.h>

#include <optional>

#include "binary_fixture.hpp"
#include "every_fault.hpp"

namespace gridbatch::reliability {
namespace {

namespace fs = std::filesystem;

const std::string kToken = "tok-LEAKCHECK-93f1c2";
const std::string kRefusedToken = "tok-REFUSED-5be0a7";

std::string Base64(const std::string& bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t group = 0;
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    for (std::size_t k = 0; k < 3; ++k) {
      group = (group << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    }
    for (std::size_t k = 0; k < 4; ++k) {
      out += k <= n ? kAlphabet[(group >> (18 - 6 * k)) & 0x3f] : '=';
    }
  }
  return out;
}

// What `secret` looks like inside any base64 text, at each of the three
// alignments it can have there: the characters that depend on it alone.
std::vector<std::string> Base64Forms(const std::string& secret) {
  std::vector<std::string> forms;
  for (std::size_t shift = 0; shift < 3; ++shift) {
    const std::string encoded = Base64(std::string(shift, '\0') + secret);
    const std::size_t skip = (8 * shift + 5) / 6;  // characters touched by the padding before
    forms.push_back(encoded.substr(skip, encoded.size() - skip - 4));
  }
  return forms;
}

class TokenLeakTest : public BinaryFixture {
 protected:
  void StartFaultySim() {
    sim::SimOptions options{.token = kToken, .queue_seconds = 0.03, .run_seconds = 0.1, .seed = 5};
    options.faults = EveryFault();
    sim_ = std::make_unique<sim::SimServer>(options);
    sim_->Start();
  }

  ChildResult Cli(std::vector<std::string> args, const std::optional<std::string>& token = {}) {
    args.insert(args.end(), {"--db", db_path_});
    ChildOptions options;
    if (token) options.env = {{"GRIDREPUBLIC_TOKEN", *token}};
    return Gridbatch(args, options);
  }

  std::vector<std::string> RunArgs(const std::string& manifest) {
    std::vector<std::string> args = {"run"};
    if (!manifest.empty()) args.push_back(manifest);
    args.insert(args.end(), {"-v",
                             "--progress",
                             "json",
                             "--endpoint",
                             sim_->Endpoint(),
                             "--rate",
                             "0",
                             "--poll-interval",
                             "0.1",
                             "--poll-batch",
                             "8",
                             "--backoff-base",
                             "0.05",
                             "--backoff-cap",
                             "0.5",
                             "--max-attempts",
                             "40",
                             "--request-timeout",
                             "0.4",
                             "--seed",
                             "3"});
    return args;
  }
};

TEST_F(TokenLeakTest, NoCommandLeavesTheTokenAnywhere) {
  StartFaultySim();
  std::string manifest = "name: leak\nmodels: [gemma:2b, llama3:8b]\nprompts:\n";
  for (int i = 0; i < 30; ++i) manifest += "  - \"Leak check prompt " + std::to_string(i) + "\"\n";
  manifest += "  - \"will fail [[fail]]\"\n  - \"will stop [[abort]]\"\n";
  const std::string manifest_path = Write("leak.yaml", manifest);
  const std::string token_file = Write("token.txt", kToken + "\n");

  // Held open so that SQLite keeps the -wal and -shm files for the scan.
  std::optional<SQLite::Database> keep_wal;
  ASSERT_EQ(Cli({"load", manifest_path}).exit_code, 0);
  keep_wal.emplace(db_path_, SQLite::OPEN_READONLY);

  const ChildResult run = Cli(RunArgs(manifest_path), kToken);
  ASSERT_EQ(run.exit_code, 0) << run.err.substr(0, 3000);
  EXPECT_NE(run.err.find("\"event\":\"log\""), std::string::npos);  // it was verbose
  EXPECT_EQ(Cli({"status"}).exit_code, 0);
  EXPECT_EQ(Cli({"status", "--json"}).exit_code, 0);
  EXPECT_EQ(Cli({"export", "--format", "csv", "-o", PathOf("out.csv")}).exit_code, 0);
  EXPECT_EQ(Cli({"export", "--format", "jsonl", "-o", PathOf("out.jsonl")}).exit_code, 0);
  EXPECT_EQ(Cli({"export", "--format", "jsonl"}).exit_code, 0);
  const ChildResult retried = Cli({"retry"});
  EXPECT_EQ(retried.err, "retried 4 job(s): pending again\n");
  std::vector<std::string> by_file = RunArgs("");
  by_file.insert(by_file.end(), {"--token-file", token_file});
  EXPECT_EQ(Cli(by_file).exit_code, 0);
  EXPECT_EQ(Cli({"retry"}).exit_code, 0);
  const ChildResult refused = Cli(RunArgs(""), kRefusedToken);
  EXPECT_EQ(refused.exit_code, 77) << refused.err.substr(0, 3000);
  EXPECT_GT(sim_->GetCounters().unauthorized, 0u);
  EXPECT_EQ(Cli({"cancel"}).exit_code, 0);
  EXPECT_EQ(Cli({"export", "--format", "csv"}).exit_code, 0);

  ASSERT_TRUE(fs::exists(db_path_ + "-wal"));
  std::vector<std::string> needles = {kToken, kRefusedToken};
  for (const std::string& secret : {kToken, kRefusedToken}) {
    for (const std::string& form : Base64Forms(secret)) needles.push_back(form);
  }
  // The scan must be able to find what is there: the token file holds the
  // token, the database's raw bytes the prompts, and the run's log the faults.
  EXPECT_NE(ReadFile(token_file).find(kToken), std::string::npos);
  EXPECT_NE((ReadFile(db_path_) + ReadFile(db_path_ + "-wal")).find("Leak check prompt 7"),
            std::string::npos);
  EXPECT_NE(run.err.find("retryable"), std::string::npos);
  int scanned = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir_)) {
    if (!entry.is_regular_file() || entry.path() == token_file) continue;
    const std::string bytes = ReadFile(entry.path());
    ++scanned;
    for (const std::string& needle : needles) {
      EXPECT_EQ(bytes.find(needle), std::string::npos)
          << "'" << needle << "' found in " << entry.path();
    }
  }
  // The database, -wal, -shm, lock, manifest, two exports, 13 x (stdout, stderr).
  EXPECT_EQ(scanned, 7 + 2 * 13);
  std::cerr << "token leak check: " << scanned << " files scanned for 2 tokens and "
            << needles.size() - 2 << " base64 forms: none found\n";
}

}  // namespace
}  // namespace gridbatch::reliability
