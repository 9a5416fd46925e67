// The report in a real browser: a sweep runs against the in-process
// simulator (real store, libcurl, sockets), `gridbatch report` writes the
// page, and headless Chromium opens it with the network off. The page's own
// script records what a test cannot see from outside (errors, console
// errors, blocked requests, pixels drawn on each canvas, resources fetched)
// into #page-check, which --dump-dom prints after the page has run.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "binary_fixture.hpp"
#include "gridbatch/store/batch_loader.hpp"
#include "report_page_check.hpp"

namespace gridbatch::reliability {
namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

// The value of attribute `name` in the first tag holding `marker`; empty if none.
std::string Attribute(const std::string& dom, const std::string& marker, const std::string& name) {
  const std::size_t at = dom.find(marker);
  if (at == std::string::npos) return "";
  const std::size_t start = dom.rfind('<', at);
  const std::string tag = dom.substr(start, dom.find('>', at) - start);
  const std::size_t value = tag.find(" " + name + "=\"");
  if (value == std::string::npos) return "";
  const std::size_t from = value + name.size() + 3;
  return tag.substr(from, tag.find('"', from) - from);
}

std::vector<std::string> CanvasTags(const std::string& dom) {
  std::vector<std::string> tags;
  for (std::size_t at = dom.find("<canvas"); at != std::string::npos;
       at = dom.find("<canvas", at + 1)) {
    tags.push_back(dom.substr(at, dom.find('>', at) - at));
  }
  return tags;
}

class ReportBrowserTest : public BinaryFixture {
 protected:
  // A sweep of 2 models x 6 prompts, two of which fail, one with hostile text.
  void LoadSweep() {
    auto store = store::JobStore::Open(db_path_);
    store::BatchLoader loader(*store, BatchSpec{.name = "browser-sweep"});
    const std::vector<std::pair<std::string, std::string>> prompts = {
        {"France", "English"}, {"Peru", "French"},  {"Japan", "English"},
        {"Chile", "French"},   {"Fiji", "English"}, {"Oman", "French"}};
    for (std::size_t i = 0; i < prompts.size(); ++i) {
      const auto& [country, lang] = prompts[i];
      std::string prompt = "What is the capital of " + country + "? Answer in " + lang + ".";
      if (i == 3) prompt += " [[fail]]";
      if (i == 4) prompt += " </script><img src=x onerror=\"console.error('injected')\"> [[fail]]";
      for (const char* model : {"gemma:2b", "llama3:8b"}) {
        loader.Add(JobSpec{.prompt_id = "capital-" + std::to_string(i),
                           .prompt = prompt,
                           .model = model,
                           .vars = {{"country", country}, {"lang", lang}}});
      }
    }
    loader.Commit();
  }

  ChildResult OpenInChromium(const std::string& page) {
    ChildOptions options;
    options.address_space_limit = 0;  // a browser reserves far more than 1 GiB
    // timeout(1) bounds the whole browser, whatever happens to it.
    options.args = {"120",
                    kChromium,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--user-data-dir=" + PathOf("chromium-profile"),
                    "--virtual-time-budget=5000",
                    "--window-size=1280,2000",
                    "--dump-dom",
                    "file://" + page};
    return RunChild("/usr/bin/timeout", options, dir_);
  }
};

TEST_F(ReportBrowserTest, PageRunsWithoutErrorsDrawsEveryChartAndShowsStatusCounts) {
  if (!std::filesystem::exists(kChromium)) {
    GTEST_SKIP() << kChromium << " is not installed (scripts/install-deps.sh --ci installs it): "
                 << "the report was not checked in a browser";
  }
  LoadSweep();
  StartSim({.queue_seconds = 0.05, .run_seconds = 0.2});
  Run(FastOptions());
  auto counts = StateCounts();
  ASSERT_EQ(counts["completed"], 8);
  ASSERT_EQ(counts["failed"], 4);

  const std::string page = PathOf("report.html");
  const ChildResult report = Gridbatch({"report", "--db", db_path_, "-o", page});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const ChildResult status = Gridbatch({"status", "--json", "--db", db_path_});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const std::string html = ReadFile(page);
  testing::ExpectNoNetworkReference(html);

  const ChildResult browser = OpenInChromium(page);
  ASSERT_EQ(browser.exit_code, 0) << browser.err.substr(0, 4000);
  const std::string& dom = browser.out;
  ASSERT_EQ(Attribute(dom, "id=\"page-check\"", "data-state"), "done")
      << "the page's script did not finish\n"
      << dom.substr(0, 2000);
  EXPECT_EQ(Attribute(dom, "id=\"page-check\"", "data-errors"), "0")
      << dom.substr(dom.find("id=\"page-check\""), 2000);
  EXPECT_EQ(Attribute(dom, "id=\"page-check\"", "data-resources"), "0");
  // All six charts have data here, and each drew pixels.
  const std::vector<std::string> canvases = CanvasTags(dom);
  EXPECT_EQ(canvases.size(), 6u);
  EXPECT_EQ(Attribute(dom, "id=\"page-check\"", "data-charts"), "6");
  EXPECT_EQ(Attribute(dom, "id=\"page-check\"", "data-drawn"), "6");
  for (const std::string& canvas : canvases) {
    const std::string painted = Attribute(canvas, "<canvas", "data-painted-pixels");
    EXPECT_FALSE(painted.empty() || painted == "0") << canvas;
  }
  testing::ExpectCountsEqualStatus(dom, status.out);
  // The hostile prompt is text in the table, not an element.
  EXPECT_NE(dom.find("&lt;/script&gt;&lt;img src=x onerror="), std::string::npos);
  EXPECT_EQ(dom.find("<img"), std::string::npos);
}

}  // namespace
}  // namespace gridbatch::reliability
