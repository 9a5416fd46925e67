// Every submit that reaches the service is an attempt someone can see. A
// server acts on each POST but, on a reused connection, closes without a
// reply: libcurl would send the POST again on a new connection, unseen (a
// job the service runs twice, attempts=1 in the database). The run must
// count every POST the server received in the jobs' attempts.
#include <SQLiteCpp/SQLiteCpp.h>

#include "binary_fixture.hpp"
#include "loopback_service.hpp"

namespace gridbatch::reliability {
namespace {

class WireSendsTest : public BinaryFixture {};

TEST_F(WireSendsTest, EveryPostTheServerReceivedIsCountedAsAnAttempt) {
  LoopbackService service([](const SeenRequest& r) -> std::optional<Reply> {
    if (r.method != "POST" || r.nth_on_connection == 1) return std::nullopt;
    Reply reply;
    reply.kind = Reply::Kind::kCloseWithoutReply;
    return reply;
  });
  constexpr int kPrompts = 40;
  std::string manifest = "name: sends\nmodels: [gemma:2b]\nprompts:\n";
  for (int i = 0; i < kPrompts; ++i) {
    manifest += "  - \"prompt-" + std::to_string(100 + i) + "\"\n";
  }
  const ChildResult run = Gridbatch({"run",
                                     Write("sends.yaml", manifest),
                                     "--db",
                                     db_path_,
                                     "--endpoint",
                                     service.Endpoint(),
                                     "--rate",
                                     "0",
                                     "--max-inflight",
                                     "4",
                                     "--max-attempts",
                                     "50",
                                     "--backoff-base",
                                     "0.01",
                                     "--backoff-cap",
                                     "0.05",
                                     "--poll-interval",
                                     "0.05",
                                     "--progress",
                                     "none"},
                                    {.env = {{"GRIDREPUBLIC_TOKEN", "tok-sends"}}});
  ASSERT_EQ(run.exit_code, 0) << run.err.substr(0, 3000);

  const std::vector<SeenRequest> posts = service.Posts();
  SQLite::Database db(db_path_);
  SQLite::Statement rows(db,
                         "SELECT prompt, state, attempts FROM jobs JOIN job_state ON job_id = id");
  int jobs = 0;
  int attempts = 0;
  while (rows.executeStep()) {
    const std::string prompt = rows.getColumn(0).getString();
    const int job_attempts = rows.getColumn(2).getInt();
    const auto received = std::count_if(posts.begin(), posts.end(), [&](const SeenRequest& r) {
      return r.body.find(prompt) != std::string::npos;
    });
    EXPECT_EQ(rows.getColumn(1).getString(), "completed") << prompt;
    EXPECT_EQ(job_attempts, received) << prompt << ": attempts against POSTs received";
    ++jobs;
    attempts += job_attempts;
  }
  EXPECT_EQ(jobs, kPrompts);
  EXPECT_EQ(attempts, static_cast<int>(posts.size()));
  // The fault happened: some POSTs died on reused connections.
  EXPECT_GT(posts.size(), static_cast<std::size_t>(kPrompts));
  std::cerr << "wire sends: " << kPrompts << " jobs, " << posts.size()
            << " POSTs received by the server, " << attempts << " attempts recorded, "
            << service.connections() << " connections\n";
}

}  // namespace
}  // namespace gridbatch::reliability
