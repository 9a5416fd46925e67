#include "manifest_checks.hpp"

#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "gridbatch/util/utf8.hpp"

namespace gridbatch::fuzz {
namespace {

// Expanding more would measure the fuzzer's patience, not the code.
constexpr std::uint64_t kMaxJobsExpanded = 4000;

void CheckDiagnostics(const std::vector<manifest::Diagnostic>& diagnostics) {
  for (const manifest::Diagnostic& d : diagnostics) {
    const std::string text = d.ToString();
    Check(d.line >= 0 && d.column >= 0, "negative position: " + text);
    Check(d.line > 0 || d.column == 0, "column without a line: " + text);
    Check(!d.message.empty(), "empty message: " + text);
    Check(!FindInvalidUtf8(text), "message is not UTF-8: " + text);
  }
}

void CheckJob(const JobSpec& job) {
  Check(!job.prompt_id.empty(), "job without an id");
  Check(!job.model.empty(), "job '" + job.prompt_id + "' without a model");
  Check(!FindInvalidUtf8(job.prompt), "job '" + job.prompt_id + "': prompt is not UTF-8");
  Check(job.repeat_index >= 0, "job '" + job.prompt_id + "': negative repeat index");
}

}  // namespace

void CheckParseResult(const manifest::ParseResult& result) {
  CheckDiagnostics(result.errors);
  CheckDiagnostics(result.warnings);
  Check((result.manifest == nullptr) == !result.errors.empty(),
        "a manifest must come back exactly when there are no errors");
  if (!result.manifest) return;
  const std::uint64_t count = manifest::CountJobs(*result.manifest);
  Check(count > 0, "a valid manifest makes no jobs");
  if (count > kMaxJobsExpanded) return;
  std::uint64_t seen = 0;
  const auto problems = manifest::ForEachJob(*result.manifest, [&](const JobSpec& job) {
    CheckJob(job);
    ++seen;
  });
  Check(problems.empty(), "ForEachJob reports problems the parse did not: " +
                              (problems.empty() ? std::string() : problems.front().ToString()));
  Check(seen == count, "ForEachJob made " + std::to_string(seen) + " jobs, CountJobs said " +
                           std::to_string(count));
}

}  // namespace gridbatch::fuzz
