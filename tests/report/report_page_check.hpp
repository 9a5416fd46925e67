// Checks shared by the report's command and browser tests: the counts a
// page shows (its summary cells carry data-batch, data-model and data-state
// attributes) against `gridbatch status --json`, and the page's lack of any
// reference that would make a browser fetch something.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "test_files.hpp"

#ifndef GRIDBATCH_CHARTJS
#error "GRIDBATCH_CHARTJS must name the Chart.js file the report embeds"
#endif

namespace gridbatch::testing {

// "batch|model|state" -> the count shown; model "*" is the batch's row
// over all models, state "total" the row's total. A plain scan for
// `data-batch="B" data-model="M" data-state="S">N<` (std::regex draws a
// false -Wmaybe-uninitialized from GCC 12 under the sanitizers).
inline std::map<std::string, std::uint64_t> PageCounts(const std::string& html) {
  std::map<std::string, std::uint64_t> counts;
  // The quoted value that follows `key` at `pos`, moving `pos` past it;
  // nullopt when the text there is not `key"value"`.
  const auto quoted = [&html](std::size_t& pos,
                              const std::string& key) -> std::optional<std::string> {
    if (html.compare(pos, key.size(), key) != 0) return std::nullopt;
    const std::size_t start = pos + key.size();
    const std::size_t end = html.find('"', start);
    if (end == std::string::npos) return std::nullopt;
    pos = end + 1;
    return html.substr(start, end - start);
  };
  for (std::size_t at = html.find("data-batch=\""); at != std::string::npos;
       at = html.find("data-batch=\"", at + 1)) {
    std::size_t pos = at;
    const auto batch = quoted(pos, "data-batch=\"");
    const auto model = batch ? quoted(pos, " data-model=\"") : std::nullopt;
    const auto state = model ? quoted(pos, " data-state=\"") : std::nullopt;
    if (!state || state->empty() || pos >= html.size() || html[pos] != '>') continue;
    if (state->find_first_not_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos) continue;
    const std::size_t digits = html.find_first_not_of("0123456789", pos + 1);
    if (digits == std::string::npos || digits == pos + 1 || html[digits] != '<') continue;
    counts[*batch + "|" + *model + "|" + *state] =
        std::stoull(html.substr(pos + 1, digits - pos - 1));
  }
  return counts;
}

// Every count of `status_json` (batches, models, states, totals) is on the
// page with the same value, and the page shows no count status lacks.
inline void ExpectCountsEqualStatus(const std::string& html, const std::string& status_json) {
  const nlohmann::json status = nlohmann::json::parse(status_json);
  std::map<std::string, std::uint64_t> expected;
  const auto add = [&](const std::string& prefix, const nlohmann::json& counts) {
    for (const auto& [state, n] : counts.items()) expected[prefix + state] = n.get<std::uint64_t>();
  };
  for (const auto& batch : status.at("batches")) {
    const std::string name = batch.at("name");
    add(name + "|*|", batch.at("counts"));
    for (const auto& model : batch.at("models")) {
      add(name + "|" + model.at("model").get<std::string>() + "|", model.at("counts"));
    }
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(PageCounts(html), expected);
}

// Nothing on the page names a place to fetch from. Chart.js's own text (its
// licence comment names its web site) is checked to be there whole, then
// taken out.
inline void ExpectNoNetworkReference(std::string html) {
  EXPECT_NE(html.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                      "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">"),
            std::string::npos);
  const std::string chart_js = ReadFile(GRIDBATCH_CHARTJS);
  ASSERT_GT(chart_js.size(), 100000u);
  const std::size_t at = html.find(chart_js);
  ASSERT_NE(at, std::string::npos) << "Chart.js is not embedded whole";
  html.erase(at, chart_js.size());
  // Escaped text holds no '<': what follows one up to '>' is a real tag
  // (or script code, which names no attribute either).
  for (std::size_t open = html.find('<'); open != std::string::npos;
       open = html.find('<', open + 1)) {
    const std::string tag = html.substr(open, html.find('>', open) - open);
    for (const char* attribute : {" src=", " href=", " srcset=", " action=", " poster="}) {
      EXPECT_EQ(tag.find(attribute), std::string::npos) << tag.substr(0, 200);
    }
  }
  for (const char* fetching : {"url(", "@import", "<link", "<iframe", "<img", "<object", "<embed",
                               "fetch(", "XMLHttpRequest", "WebSocket", "EventSource"}) {
    EXPECT_EQ(html.find(fetching), std::string::npos) << fetching;
  }
  for (const char* scheme : {"http:", "https:", "ftp:", "ws://", "wss://", "file:", "//cdn"}) {
    EXPECT_EQ(html.find(scheme), std::string::npos) << scheme;
  }
}

}  // namespace gridbatch::testing
