// The live progress line on a real pseudo-terminal of 80 and of 40 columns:
// `gridbatch run` drives jobs on the simulator while the test reads what the
// terminal receives and replays it on a small screen model, as a terminal
// would show it (wrapping at the last column, \r, and ESC [ K).
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cli_fixture.hpp"
#include "sim_server.hpp"

namespace gridbatch::cli {
namespace {

constexpr const char* kToken = "test-token-93ab";
constexpr const char* kClearRow = "\r\033[K";

// What a terminal of `width` columns shows after receiving `bytes`.
class Screen {
 public:
  explicit Screen(int width) : width_(static_cast<std::size_t>(width)) { rows_.emplace_back(); }

  void Feed(const std::string& bytes) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      const char c = bytes[i];
      if (c == '\r') {
        col_ = 0;
        wrap_pending_ = false;
      } else if (c == '\n') {
        NextRow();
      } else if (c == '\033' && i + 1 < bytes.size() && bytes[i + 1] == '[') {
        std::size_t end = i + 2;
        while (end < bytes.size() && !(bytes[end] >= '@' && bytes[end] <= '~')) ++end;
        if (end < bytes.size() && bytes[end] == 'K') Row().resize(std::min(Row().size(), col_));
        i = end;
      } else {
        Put(c);
      }
    }
  }

  const std::vector<std::string>& rows() const { return rows_; }

 private:
  std::string& Row() { return rows_[row_]; }
  void NextRow() {
    ++row_;
    col_ = 0;
    wrap_pending_ = false;
    if (row_ == rows_.size()) rows_.emplace_back();
  }
  void Put(char c) {
    if (wrap_pending_) NextRow();
    if (Row().size() <= col_) Row().resize(col_ + 1, ' ');
    Row()[col_] = c;
    if (++col_ == width_) {
      col_ = width_ - 1;
      wrap_pending_ = true;
    }
  }

  std::size_t width_;
  std::vector<std::string> rows_;
  std::size_t row_ = 0;
  std::size_t col_ = 0;
  bool wrap_pending_ = false;
};

class LiveLineTest : public testing::CliFixture {
 protected:
  void TearDown() override {
    if (sim_) sim_->Stop();
    CliFixture::TearDown();
  }

  // Runs 150 jobs on a terminal of `width` columns; returns all it received.
  std::string RunOnTerminal(int width) {
    sim_ = std::make_unique<sim::SimServer>(
        sim::SimOptions{.token = kToken, .queue_seconds = 0.3, .run_seconds = 0.4});
    sim_->Start();
    std::string prompts;
    for (int i = 0; i < 150; ++i) prompts += "  - \"question " + std::to_string(i) + "\"\n";
    const std::string manifest =
        Write("live.yaml", "name: live\nmodels: [m]\nprompts:\n" + prompts);
    std::vector<std::string> args = {
        GRIDBATCH_BIN, "run",   manifest,          "--db", db_, "--endpoint", sim_->Endpoint(),
        "--rate",      "100/s", "--poll-interval", "0.1"};
    winsize size{};
    size.ws_row = 24;
    size.ws_col = static_cast<unsigned short>(width);
    int master = -1;
    const pid_t pid = forkpty(&master, nullptr, nullptr, &size);
    if (pid == 0) {
      setenv("GRIDREPUBLIC_TOKEN", kToken, 1);
      unsetenv("COLUMNS");
      std::vector<char*> argv;
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    std::string received;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < give_up) {
      pollfd ready{.fd = master, .events = POLLIN};
      if (poll(&ready, 1, 1000) <= 0) continue;
      char buffer[4096];
      const ssize_t n = read(master, buffer, sizeof buffer);
      if (n <= 0) break;  // EIO once the child and its terminal are gone
      received.append(buffer, static_cast<std::size_t>(n));
    }
    close(master);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << received;
    return received;
  }

  // Each redraw of the live line: what follows "\r\033[K" up to the next control.
  static std::vector<std::string> Redraws(const std::string& received) {
    std::vector<std::string> lines;
    for (std::size_t at = received.find(kClearRow); at != std::string::npos;
         at = received.find(kClearRow, at + 1)) {
      const std::size_t start = at + std::string(kClearRow).size();
      const std::size_t end = received.find_first_of("\r\n\033", start);
      const std::string line = received.substr(start, end - start);
      // The summary and messages follow a clearing too; they may wrap.
      if (!line.empty() && !line.starts_with("gridbatch: ")) lines.push_back(line);
    }
    return lines;
  }

  void ExpectFits(int width) {
    const std::string received = RunOnTerminal(width);
    const std::vector<std::string> redraws = Redraws(received);
    ASSERT_FALSE(redraws.empty()) << received;
    for (const std::string& line : redraws) {
      EXPECT_LT(line.size(), static_cast<std::size_t>(width)) << "'" << line << "'";
    }
    Screen screen(width);
    screen.Feed(received);
    std::string shown;
    for (const std::string& row : screen.rows()) {
      EXPECT_LE(row.size(), static_cast<std::size_t>(width));
      shown += row + "\n";
      // A live line left behind shows its counts ("pending 12" or "pend 12").
      EXPECT_EQ(row.find("pend"), std::string::npos) << "stale row: '" << row << "'";
      EXPECT_EQ(row.find(" | "), std::string::npos) << "stale row: '" << row << "'";
    }
    EXPECT_NE(shown.find("run ended after"), std::string::npos) << shown;
  }

  std::unique_ptr<sim::SimServer> sim_;
};

TEST_F(LiveLineTest, FitsAnEightyColumnTerminalAndLeavesNoStaleLines) {
  ExpectFits(80);
}

TEST_F(LiveLineTest, FitsAFortyColumnTerminalAndLeavesNoStaleLines) {
  ExpectFits(40);
}

}  // namespace
}  // namespace gridbatch::cli
