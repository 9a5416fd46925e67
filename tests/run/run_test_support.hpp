// Shared by the run tests: a simulator on loopback, a job database in a temp
// dir, a reporter that records, and queries on the resulting rows.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gridbatch/api/api_client.hpp"
#include "gridbatch/http/http_client.hpp"
#include "gridbatch/run/runner.hpp"
#include "gridbatch/store/batch_loader.hpp"
#include "gridbatch/store/job_store.hpp"
#include "sim_server.hpp"

namespace gridbatch::run::testing {

// `n` distinct prompts.
inline std::vector<std::string> Prompts(int n, const std::string& prefix = "Question") {
  std::vector<std::string> prompts;
  for (int i = 0; i < n; ++i) {
    prompts.push_back(prefix + " " + std::to_string(i) + ": what is " + std::to_string(i) + "+1?");
  }
  return prompts;
}

class RecordingReporter final : public Reporter {
 public:
  void Tick(const Progress& progress) override {
    last = progress;
    ++ticks;
  }
  void Log(const std::string& message) override { logs.push_back(message); }
  void Finish(const Progress& progress) override {
    last = progress;
    finished = true;
  }
  Progress last;
  int ticks = 0;
  bool finished = false;
  std::vector<std::string> logs;
};

struct JobRow {
  std::string prompt, model, state, output, error, remote_status;
  int attempts = 0;
};

class RunFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gridbatch_run_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_path_ = (dir_ / "jobs.db").string();
  }
  void TearDown() override {
    if (HasFailure()) {
      for (const std::string& log : reporter_.logs) std::cerr << "  log: " << log << "\n";
    }
    if (sim_) sim_->Stop();
    std::filesystem::remove_all(dir_);
  }

  sim::SimServer& StartSim(sim::SimOptions options) {
    options.token = "test-token-7f3a";
    sim_ = std::make_unique<sim::SimServer>(options);
    sim_->Start();
    return *sim_;
  }

  // Loads prompts x models as batch `name`.
  void Load(const std::string& name, const std::vector<std::string>& prompts,
            const std::vector<std::string>& models) {
    auto store = store::JobStore::Open(db_path_);
    store::BatchLoader loader(*store, BatchSpec{.name = name});
    for (std::size_t i = 0; i < prompts.size(); ++i) {
      for (const std::string& model : models) {
        loader.Add(
            JobSpec{.prompt_id = "p" + std::to_string(i), .prompt = prompts[i], .model = model});
      }
    }
    loader.Commit();
  }

  // Waits until `done()` holds, looking every 5 ms, for at most `limit`;
  // returns whether it held. Tests sequence events on conditions like
  // this, never on a fixed sleep.
  template <typename Condition>
  static bool WaitUntil(Condition done, std::chrono::seconds limit = std::chrono::seconds(60)) {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  static RunOptions FastOptions() {
    RunOptions o;
    o.rate_per_second = 0;
    o.max_in_flight = 64;
    o.poll_interval = 0.1;
    o.poll_batch = 100;
    o.backoff = {.base = 0.05, .cap = 0.5};
    o.missing_grace = 5;
    o.seed = 1;
    return o;
  }

  RunResult Run(RunOptions options, const std::atomic<int>& stop,
                std::string token = "test-token-7f3a") {
    auto store = store::JobStore::Open(db_path_);
    http::Client http({.connect_timeout_ms = 2000, .total_timeout_ms = 3000});
    api::Client api(http, {.endpoint = sim_->Endpoint(),
                           .token = token,
                           .max_ids_per_get = static_cast<std::size_t>(options.poll_batch)});
    Runner runner(*store, http, api, SystemClock::Instance(), reporter_, options);
    return runner.Run(stop);
  }

  RunResult Run(RunOptions options) {
    static const std::atomic<int> kNever{0};
    return Run(options, kNever);
  }

  std::vector<JobRow> Rows() {
    SQLite::Database db(db_path_);
    SQLite::Statement q(
        db,
        "SELECT prompt, jobs.model, state, coalesce(output,''), coalesce(last_error,''),"
        " coalesce(remote_status,''), attempts FROM jobs JOIN job_state ON job_id = id"
        " ORDER BY id");
    std::vector<JobRow> rows;
    while (q.executeStep()) {
      rows.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(),
                      q.getColumn(2).getString(), q.getColumn(3).getString(),
                      q.getColumn(4).getString(), q.getColumn(5).getString(),
                      q.getColumn(6).getInt()});
    }
    return rows;
  }

  std::map<std::string, int> StateCounts() {
    std::map<std::string, int> counts;
    for (const JobRow& row : Rows()) ++counts[row.state];
    return counts;
  }

  std::filesystem::path dir_;
  std::string db_path_;
  std::unique_ptr<sim::SimServer> sim_;
  RecordingReporter reporter_;
};

}  // namespace gridbatch::run::testing
