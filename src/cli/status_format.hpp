// Rendering a store::StatusReport for `gridbatch status`: a table for people,
// one JSON object for scripts (shape in status_command.cpp's help).
#pragma once

#include <ostream>

#include "gridbatch/store/status_report.hpp"

namespace gridbatch::cli {

// A plain-text table for people.
void WriteStatusText(const store::StatusReport& report, std::ostream& out);

// One JSON object for scripts.
void WriteStatusJson(const store::StatusReport& report, std::ostream& out);

}  // namespace gridbatch::cli
