// Text from the database (prompts, outputs, errors: anything a model or a
// user wrote) made safe for the two places the report puts it: HTML text and
// attribute values, and JSON inside a <script> element.
#pragma once

#include <string>
#include <string_view>

namespace gridbatch::report {

// Appends `text` escaped for HTML text or a quoted attribute value: & < > "
// and ' as character references, invalid UTF-8 as U+FFFD, and control
// characters other than tab, line feed and carriage return (which HTML
// forbids) as U+FFFD.
void AppendHtml(std::string& out, std::string_view text);
std::string Html(std::string_view text);

// `json` (valid JSON text) with every < > & written as \u003c \u003e \u0026
// and U+2028, U+2029 as \u2028, \u2029: the same JSON value, and no
// "</script" or "<!--" that could end or confuse the script element.
std::string ScriptSafeJson(std::string_view json);

}  // namespace gridbatch::report
