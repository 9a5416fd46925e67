// Progress on stderr while a run goes: a live line on a terminal (fitted to
// its width), a plain line every few seconds otherwise, JSON lines for
// scripts, or nothing. A summary at the end unless `summary` is false.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "gridbatch/run/runner.hpp"

namespace gridbatch::run {

enum class ProgressMode {
  kAuto,   // kBar on a terminal, kPlain otherwise
  kBar,    // one line rewritten in place
  kPlain,  // a line every plain_every seconds
  kJson,   // {"event":"progress",...} a line every second; logs as {"event":"log",...}
  kNone,   // no progress: warnings, and the summary if asked for
};

struct ReporterOptions {
  ProgressMode mode = ProgressMode::kAuto;
  // Seconds between lines in kPlain. Default: 5.
  double plain_every = 5;
  // Whether `out` is a terminal (decides kAuto).
  bool is_terminal = false;
  // The terminal's width in columns, asked before each redraw of the live
  // line (a window may be resized); unset or <= 0: 80.
  std::function<int()> terminal_width;
  // Whether Finish writes the summary (a line, or a JSON "summary" event
  // whose rates are over the whole run). False for --quiet.
  bool summary = true;
};

std::unique_ptr<Reporter> MakeReporter(std::ostream& out, ReporterOptions options);

// "1h02m03s", "4m05s", "12s" - for ETAs and durations.
std::string FormatDuration(double seconds);

}  // namespace gridbatch::run
