#include "status_reply_samples.hpp"

#include <algorithm>
#include <cstdio>
#include <random>

namespace gridbatch::api::samples {
namespace {

// Pieces of model output as they appear inside a JSON string: plain text,
// escapes, raw UTF-8 and \u spellings of the same kind of characters.
constexpr const char* kPieces[] = {
    "The answer is 42. ",
    "\\n\\n",
    "Step 1: multiply the two numbers.\\n",
    "He said \\\"yes\\\" and left. ",
    "C:\\\\path\\\\to\\\\file ",
    "café crème brûlée ",
    "na\\u00efve r\\u00e9sum\\u00e9 ",
    "日本語の文章。",
    "\\u4e2d\\u6587 ",
    "😀 ",
    "\\ud83d\\ude00 ",
    "\\t| x | y |\\n",
    "```python\\nprint(\\\"hi\\\")\\n```\\n",
    "1+1=2. When you add numbers, the result ",
};

std::string Log(std::size_t bytes, std::mt19937& random) {
  std::string log;
  std::uniform_int_distribution<std::size_t> pick(0, std::size(kPieces) - 1);
  while (log.size() < bytes) log += kPieces[pick(random)];
  return log;
}

std::string Id(std::mt19937& random) {
  char id[33];
  for (int i = 0; i < 32; ++i) id[i] = "0123456789abcdef"[random() % 16];
  id[32] = '\0';
  return id;
}

std::string Job(const std::string& id, std::size_t log_bytes, std::size_t n, std::mt19937& random) {
  static constexpr const char* kStatus[] = {"completed", "running", "queued", "failed"};
  const char* status = kStatus[n % 4];
  std::string runtime = std::to_string(random() % 600);
  if (n % 10 == 3) runtime = "\"" + runtime + "\"";
  if (n % 10 == 7) runtime += ".4";
  std::string job = "\"" + id + "\":{\"vmStatus\":\"" +
                    std::string(n % 4 == 1 ? "running" : "stopped") +
                    "\",\"states\":{\"default\":{\"status\":\"" + status +
                    "\",\"outputFiles\":[],\"log\":\"" + Log(log_bytes, random) +
                    "\",\"commandLine\":\"{\\\"inputs\\\":[\\\"Question " + std::to_string(n) +
                    ": what is the square root of 7919?\\\"]}\",\"app\":\"gridrepublic:text-"
                    "inference\"}},\"created\":\"2024-05-06T21:26:00+00:00\",\"copy\":0,"
                    "\"tag\":\"llama2-uncensored\"";
  if (n % 4 != 2) job += ",\"runtime\":" + runtime;
  return job + "}";
}

}  // namespace

StatusSample MakeStatusReply(std::size_t ids, std::size_t log_bytes, unsigned seed) {
  std::mt19937 random(seed);
  StatusSample sample;
  for (std::size_t i = 0; i < ids; ++i) sample.requested.push_back(Id(random));
  std::vector<std::size_t> order(ids);
  for (std::size_t i = 0; i < ids; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), random);
  sample.body = "{\"success\":true,\"jobs\":{";
  for (std::size_t i = 0; i < ids; ++i) {
    if (i > 0) sample.body += ",";
    sample.body += Job(sample.requested[order[i]], log_bytes, order[i], random);
  }
  sample.body += "}}";
  return sample;
}

}  // namespace gridbatch::api::samples
