#include "html_escape.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace gridbatch::report {
namespace {

TEST(HtmlEscapeTest, EscapesMarkupAndQuotes) {
  EXPECT_EQ(Html("<img src=x onerror=\"alert('1')\"> & </script>"),
            "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; &lt;/script&gt;");
}

TEST(HtmlEscapeTest, KeepsTextAndWhitespaceAsTheyAre) {
  EXPECT_EQ(Html("Paris\tSeine\nLima \xC3\xA9t\xC3\xA9\r"),
            "Paris\tSeine\nLima \xC3\xA9t\xC3\xA9\r");
}

TEST(HtmlEscapeTest, ReplacesInvalidUtf8AndControlCharacters) {
  EXPECT_EQ(Html(std::string("a\xFF"
                             "b\x01"
                             "c\0d\x7F",
                             8)),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD"
            "c\xEF\xBF\xBD"
            "d\xEF\xBF\xBD");
}

TEST(ScriptSafeJsonTest, LeavesNoSequenceThatEndsAScriptElement) {
  const nlohmann::json value = {
      {"out", "</script><!-- <script>alert(1)</script> & \xE2\x80\xA8 \xE2\x80\xA9"}};
  const std::string safe = ScriptSafeJson(value.dump());
  EXPECT_EQ(safe.find('<'), std::string::npos);
  EXPECT_EQ(safe.find('>'), std::string::npos);
  EXPECT_EQ(safe.find('&'), std::string::npos);
  EXPECT_EQ(safe.find("\xE2\x80\xA8"), std::string::npos);
  EXPECT_EQ(
      safe,
      R"({"out":"\u003c/script\u003e\u003c!-- \u003cscript\u003ealert(1)\u003c/script\u003e \u0026 \u2028 \u2029"})");
  EXPECT_EQ(nlohmann::json::parse(safe), value);  // the same value
}

}  // namespace
}  // namespace gridbatch::report
