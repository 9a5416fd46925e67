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
#include "loopback_service.hpp"

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
  // The database, -wal, -shm, manifest, two exports, 13 x (stdout, stderr);
  // each run removed its lock file when it ended.
  EXPECT_EQ(scanned, 6 + 2 * 13);
  std::cerr << "token leak check: " << scanned << " files scanned for 2 tokens and "
            << needles.size() - 2 << " base64 forms: none found\n";
}

// Every run of kMinPiece characters of `secret`: what must not appear
// anywhere, since a cut (an excerpt of 200 characters) can leave any part.
constexpr std::size_t kMinPiece = 8;
std::vector<std::string> Pieces(const std::string& secret) {
  std::vector<std::string> pieces;
  for (std::size_t i = 0; i + kMinPiece <= secret.size(); ++i) {
    pieces.push_back(secret.substr(i, kMinPiece));
  }
  return pieces;
}

// A server that echoes the token in its error bodies, so that the 200
// characters kept of a body end inside it: 30 of its 40 characters used to
// reach job_state.last_error, the export and the -v log.
TEST_F(TokenLeakTest, ATokenCutByTheErrorExcerptLeavesNoPartOfItAnywhere) {
  const std::string token = "tok-STRADDLE-0123456789abcdefghijklmnopq";
  ASSERT_EQ(token.size(), 40u);
  LoopbackService service([&token](const SeenRequest& r) -> std::optional<Reply> {
    if (r.method != "POST") return std::nullopt;
    Reply reply;
    const std::string echoed = std::string(170, 'E') + r.headers.at("authorization") + " tail";
    if (r.body.find("as json") != std::string::npos) {
      reply.status = 400;
      reply.body = "{\"success\":false,\"error\":\"" + echoed + "\"}";
    } else {
      reply.status = 500;
      reply.body = echoed;
    }
    return reply;
  });
  const std::string manifest =
      Write("echo.yaml", "name: echo\nmodels: [gemma:2b]\nprompts: [\"as text\", \"as json\"]\n");
  const ChildResult run =
      Cli({"run", manifest, "-v", "--endpoint", service.Endpoint(), "--rate", "0", "--max-attempts",
           "2", "--backoff-base", "0.01", "--backoff-cap", "0.02"},
          token);
  ASSERT_EQ(run.exit_code, 0) << run.err.substr(0, 3000);
  const ChildResult exported = Cli({"export", "--format", "csv", "-o", PathOf("out.csv")});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;

  SQLite::Database db(db_path_, SQLite::OPEN_READONLY);
  SQLite::Statement errors(db, "SELECT last_error FROM job_state ORDER BY job_id");
  std::vector<std::string> last_errors;
  while (errors.executeStep()) last_errors.push_back(errors.getColumn(0).getString());
  ASSERT_EQ(last_errors.size(), 2u);
  // Both came back with the token's place marked, the excerpt cut after it.
  EXPECT_NE(last_errors[0].find("HTTP 500: EEEE"), std::string::npos) << last_errors[0];
  EXPECT_NE(last_errors[1].find("HTTP 400: service said: EEEE"), std::string::npos)
      << last_errors[1];
  for (const std::string& error : last_errors) {
    EXPECT_NE(error.find("Bearer [redacted]"), std::string::npos) << error;
  }
  std::vector<std::pair<std::string, std::string>> places = {
      {"the run's stderr (-v)", run.err},
      {"the run's stdout", run.out},
      {"the export", ReadFile(PathOf("out.csv"))},
      {"the database", ReadFile(db_path_)},
      {"the write-ahead log", ReadFile(db_path_ + "-wal")}};
  for (const std::string& error : last_errors) places.push_back({"job_state.last_error", error});
  for (const auto& [where, bytes] : places) {
    for (const std::string& piece : Pieces(token)) {
      EXPECT_EQ(bytes.find(piece), std::string::npos) << "'" << piece << "' found in " << where;
    }
  }
  EXPECT_NE(run.err.find("Bearer [redacted]"), std::string::npos);  // the -v log has the errors
}

// A CR or LF in the token would end the Authorization header and start
// others ("X-Injected: yes" reached a server): refused before any request,
// from the environment or a token file, without printing the token.
TEST_F(TokenLeakTest, ATokenWithALineBreakIsRefusedBeforeAnyRequest) {
  LoopbackService service;
  const std::string manifest =
      Write("one.yaml", "name: one\nmodels: [gemma:2b]\nprompts: [\"hello\"]\n");
  LoadExistingRows();
  const std::uint64_t before = FileDigest(db_path_);
  const std::string injected = "tok-CRLF-5d2e\r\nX-Injected: yes";
  const ChildResult env_run =
      Cli({"run", manifest, "--endpoint", service.Endpoint(), "--rate", "0"}, injected);
  EXPECT_EQ(env_run.exit_code, 64) << env_run.err;
  EXPECT_EQ(env_run.err,
            "gridbatch: the API token holds a control character (byte 13, at character 14): "
            "refused, since it would be sent as extra header lines. Check GRIDREPUBLIC_TOKEN or "
            "--token-file.\n");
  const std::string token_file = Write("token.txt", "tok-CR-5d2e\rX-Injected: yes\n");
  const ChildResult file_run = Cli({"run", manifest, "--endpoint", service.Endpoint(), "--rate",
                                    "0", "--token-file", token_file});
  EXPECT_EQ(file_run.exit_code, 64) << file_run.err;
  EXPECT_NE(file_run.err.find("control character (byte 13, at character 12)"), std::string::npos)
      << file_run.err;
  for (const ChildResult* r : {&env_run, &file_run}) {
    EXPECT_EQ(r->err.find("tok-C"), std::string::npos) << r->err;
    EXPECT_EQ(r->err.find("Injected"), std::string::npos) << r->err;
  }
  EXPECT_EQ(service.connections(), 0);
  EXPECT_EQ(service.requests(), 0u);
  EXPECT_EQ(FileDigest(db_path_), before);  // refused before the manifest was loaded
  EXPECT_FALSE(fs::exists(db_path_ + ".lock"));
}

}  // namespace
}  // namespace gridbatch::reliability
