// Progress on stderr while a run goes: a live line on a terminal, a plain
// line every few seconds otherwise, JSON lines for scripts, or nothing.
// A summary at the end in every mode but kNone.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "gridbatch/runner.hpp"

namespace gridbatch::run {

enum class ProgressMode {
  kAuto,   // kBar on a terminal, kPlain otherwise
  kBar,    // one line rewritten in place
  kPlain,  // a line every plain_every seconds
  kJson,   // {"event":"progress",...} a line every second; logs as {"event":"log",...}
  kNone,   // nothing but warnings (--quiet)
};

struct ReporterOptions {
  ProgressMode mode = ProgressMode::kAuto;
  // Seconds between lines in kPlain. Default: 5.
  double plain_every = 5;
  // Whether `out` is a terminal (decides kAuto).
  bool is_terminal = false;
};

std::unique_ptr<Reporter> MakeReporter(std::ostream& out, ReporterOptions options);

// "1h02m03s", "4m05s", "12s" - for ETAs and durations.
std::string FormatDuration(double seconds);

}  // namespace gridbatch::run
