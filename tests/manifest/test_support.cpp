#include "test_support.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <random>

namespace gridbatch::manifest::testing {

ParseResult Parse(std::string_view yaml, const std::filesystem::path& base_dir) {
  return ParseManifest(yaml, "m.yaml", base_dir);
}

std::vector<std::string> Messages(const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diagnostics) out.push_back(d.ToString());
  return out;
}

std::vector<std::string> ErrorsOf(std::string_view yaml, const std::filesystem::path& base_dir) {
  const ParseResult result = Parse(yaml, base_dir);
  EXPECT_EQ(result.manifest, nullptr);
  return Messages(result.errors);
}

std::string JobLine(const JobSpec& job) {
  std::string line = job.prompt_id + " | " + job.prompt + " | " + job.model + " | " +
                     std::to_string(job.repeat_index) + " |";
  for (std::size_t i = 0; i < job.vars.size(); ++i) {
    line += (i == 0 ? " " : ",") + job.vars[i].name + "=" + job.vars[i].value;
  }
  return line;
}

std::vector<std::string> JobLines(const Manifest& manifest) {
  std::vector<std::string> lines;
  const auto problems =
      ForEachJob(manifest, [&](const JobSpec& job) { lines.push_back(JobLine(job)); });
  EXPECT_EQ(Messages(problems), std::vector<std::string>{});
  return lines;
}

std::vector<std::string> JobsOf(std::string_view yaml, const std::filesystem::path& base_dir) {
  const ParseResult result = Parse(yaml, base_dir);
  EXPECT_EQ(Messages(result.errors), std::vector<std::string>{});
  if (!result.manifest) return {};
  auto lines = JobLines(*result.manifest);
  EXPECT_EQ(CountJobs(*result.manifest), lines.size());
  return lines;
}

std::vector<std::string> VarTypesOf(std::string_view yaml, const std::filesystem::path& base_dir) {
  const ParseResult result = Parse(yaml, base_dir);
  EXPECT_EQ(Messages(result.errors), std::vector<std::string>{});
  if (!result.manifest) return {};
  std::vector<std::string> lines;
  const auto problems = ForEachJob(*result.manifest, [&](const JobSpec& job) {
    std::string line;
    for (const SweepVar& var : job.vars) {
      const char* type = var.type == VarType::kNumber    ? "number"
                         : var.type == VarType::kBoolean ? "boolean"
                                                         : "string";
      line += (line.empty() ? "" : ",") + var.name + "=" + var.value + ":" + type;
    }
    lines.push_back(line);
  });
  EXPECT_EQ(Messages(problems), std::vector<std::string>{});
  return lines;
}

}  // namespace gridbatch::manifest::testing
