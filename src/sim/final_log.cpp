// FinalLog: the whole output a simulated job ends with. It quotes the prompt
// verbatim so that a test can tell each job's output from every other's, and
// adds a deterministic "answer" long enough for the log to visibly grow.
#include <array>
#include <string>

#include "job_lifecycle.hpp"
#include "sim_server.hpp"

namespace gridbatch::sim {
namespace {

constexpr std::array<std::string_view, 16> kWords = {
    "grid",  "volunteer", "compute", "answer", "token",  "model", "batch",  "result",
    "prime", "science",   "node",    "shard",  "vector", "sweep", "signal", "output"};
constexpr int kAnswerWords = 24;

}  // namespace

std::string FinalLog(std::string_view model, std::string_view prompt) {
  std::string log = "[";
  log += model;
  log += "] ";
  log += prompt;
  log += "\n";
  std::uint64_t state = StableHash(prompt, StableHash(model) ^ 0x5eedull);
  for (int i = 0; i < kAnswerWords; ++i) {
    state = Mix64(state);
    if (i > 0) log += ' ';
    log += kWords[state % kWords.size()];
  }
  log += ".";
  return log;
}

}  // namespace gridbatch::sim
