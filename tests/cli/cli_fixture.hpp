// Shared by the tests that run the built gridbatch binary as a user or a
// script would: a temporary directory with a database path in it, and a
// runner that captures the exit code, stdout and stderr.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "test_files.hpp"

namespace gridbatch::cli::testing {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

struct RunSetup {
  std::string cwd;                         // empty: the test's own
  std::map<std::string, std::string> env;  // set in the child ("" unsets)
};

using gridbatch::testing::ReadFile;

class CliFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "gridbatch-cli-XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
    db_ = (dir_ / "jobs.db").string();
    capture_ = dir_ / "capture";
    fs::create_directories(capture_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    gridbatch::testing::WriteFile(path, text);
    return path.string();
  }

  // Runs gridbatch with `args`; stdout and stderr go through files.
  Outcome Run(std::vector<std::string> args, const RunSetup& setup = {}) {
    args.insert(args.begin(), GRIDBATCH_BIN);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const std::string out_path = (capture_ / "stdout").string();
    const std::string err_path = (capture_ / "stderr").string();
    const pid_t pid = fork();
    if (pid == 0) {
      if (!setup.cwd.empty() && chdir(setup.cwd.c_str()) != 0) _exit(126);
      for (const auto& [name, value] : setup.env) {
        if (value.empty()) {
          unsetenv(name.c_str());
        } else {
          setenv(name.c_str(), value.c_str(), 1);
        }
      }
      dup2(open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), STDOUT_FILENO);
      dup2(open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), STDERR_FILENO);
      execv(argv[0], argv.data());
      _exit(127);
    }
    Outcome outcome;
    int status = 0;
    waitpid(pid, &status, 0);
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    outcome.out = ReadFile(out_path);
    outcome.err = ReadFile(err_path);
    return outcome;
  }

  std::string Capitals(const std::string& prompts) {
    return Write("capitals.yaml",
                 "name: capitals\nmodels: [gemma:2b, llama3:8b]\nprompts:\n" + prompts);
  }

  fs::path dir_;
  fs::path capture_;
  std::string db_;
};

}  // namespace gridbatch::cli::testing
