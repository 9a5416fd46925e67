#include "gridbatch/run/progress_reporter.hpp"

#include <cmath>
#include <cstdio>
#include <deque>
#include <sstream>
#include <vector>

#include "gridbatch/util/json_escape.hpp"

namespace gridbatch::run {
namespace {

// Seconds between redraws of the live line, and between JSON events.
constexpr double kBarEvery = 0.2;
constexpr double kJsonEvery = 1.0;
// The rates are over about this many seconds, sampled at most every kRateSampleEvery.
constexpr double kRateWindow = 10;
constexpr double kRateSampleEvery = 0.5;
// The width assumed when the terminal does not say.
constexpr int kDefaultWidth = 80;
// Clears the terminal row the cursor is on: carriage return, erase line.
constexpr const char* kClearRow = "\r\033[K";

// Short names of the states, for a narrow terminal.
std::string_view ShortName(JobState state) {
  switch (state) {
    case JobState::kPending:
      return "pend";
    case JobState::kSubmitting:
      return "subm";
    case JobState::kSubmitted:
      return "sent";
    case JobState::kRunning:
      return "run";
    case JobState::kCompleted:
      return "done";
    case JobState::kFailed:
      return "fail";
    case JobState::kCancelled:
      return "canc";
  }
  return "?";
}

std::int64_t Count(const Progress& p, JobState s) {
  return p.counts[s];
}

std::string Fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

// Submit and completion rates over the last ten seconds.
class RateWindow {
 public:
  void Add(const Progress& p) {
    if (!samples_.empty() && p.now - samples_.back().now < kRateSampleEvery) return;
    samples_.push_back({p.now, p.submits, p.finished});
    while (samples_.size() > 2 && p.now - samples_.front().now > kRateWindow) samples_.pop_front();
  }
  double SubmitRate() const { return Rate(&Sample::submits); }
  double FinishRate() const { return Rate(&Sample::finished); }

 private:
  struct Sample {
    double now;
    std::int64_t submits, finished;
  };
  double Rate(std::int64_t Sample::*field) const {
    if (samples_.size() < 2) return 0;
    const double dt = samples_.back().now - samples_.front().now;
    if (dt <= 0) return 0;
    return static_cast<double>(samples_.back().*field - samples_.front().*field) / dt;
  }
  std::deque<Sample> samples_;
};

class StreamReporter final : public Reporter {
 public:
  StreamReporter(std::ostream& out, ReporterOptions options)
      : out_(out), options_(std::move(options)) {}

  void Tick(const Progress& p) override {
    rates_.Add(p);
    const double every = options_.mode == ProgressMode::kBar    ? kBarEvery
                         : options_.mode == ProgressMode::kJson ? kJsonEvery
                                                                : options_.plain_every;
    if (options_.mode == ProgressMode::kNone || p.now - last_ < every) return;
    last_ = p.now;
    if (options_.mode == ProgressMode::kJson) {
      out_ << Json(p, "progress") << "\n" << std::flush;
    } else if (options_.mode == ProgressMode::kBar) {
      out_ << kClearRow << FittedLine(p, Width()) << std::flush;
      bar_shown_ = true;
    } else {
      out_ << Line(p) << "\n" << std::flush;
    }
  }

  void Log(const std::string& message) override {
    if (options_.mode == ProgressMode::kJson) {
      out_ << "{\"event\":\"log\",\"message\":" << JsonString(message) << "}\n" << std::flush;
      return;
    }
    ClearBar();
    out_ << "gridbatch: " << message << "\n" << std::flush;
  }

  void Finish(const Progress& p) override {
    if (!options_.summary) return;
    if (options_.mode == ProgressMode::kJson) {
      out_ << Json(p, "summary", WholeRunRates(p)) << "\n" << std::flush;
      return;
    }
    ClearBar();
    out_ << "gridbatch: " << Summary(p) << "\n" << std::flush;
  }

 private:
  void ClearBar() {
    if (!bar_shown_) return;
    out_ << kClearRow;
    bar_shown_ = false;
  }

  int Width() const {
    const int width = options_.terminal_width ? options_.terminal_width() : 0;
    return width > 0 ? width : kDefaultWidth;
  }

  static std::int64_t Left(const Progress& p) {
    std::int64_t left = 0;
    for (JobState s : kAllJobStates) {
      if (!IsFinal(s)) left += Count(p, s);
    }
    return left;
  }

  // {"pending 3", "completed 1"}, with the short names when `short_names`.
  static std::vector<std::string> CountParts(const Progress& p, bool short_names) {
    std::vector<std::string> parts;
    for (JobState s : kAllJobStates) {
      const std::int64_t n = Count(p, s);
      if (n == 0 && s != JobState::kCompleted) continue;
      parts.push_back((short_names ? std::string(ShortName(s)) : std::string(ToString(s))) + " " +
                      std::to_string(n));
    }
    return parts;
  }

  // "pending 3 completed 1".
  static std::string Counts(const Progress& p, bool short_names) {
    std::string text;
    for (const std::string& part : CountParts(p, short_names)) {
      text += (text.empty() ? "" : " ") + part;
    }
    return text;
  }

  std::string Rates() const {
    return " | submit " + Fixed(rates_.SubmitRate(), 1) + "/s, done " +
           Fixed(rates_.FinishRate(), 1) + "/s";
  }

  std::string Eta(const Progress& p) const {
    const double rate = rates_.FinishRate();
    const std::int64_t left = Left(p);
    if (rate <= 0 || left <= 0) return "";
    return " | ETA " + FormatDuration(static_cast<double>(left) / rate);
  }

  // The full line, as plain mode prints it.
  std::string Line(const Progress& p) const { return Counts(p, false) + Rates() + Eta(p); }

  // The most detailed form of the line that fits in `width` columns less
  // one (a line reaching the last column may wrap, and the next redraw
  // would clear only the new row): dropping the rates, then the long state
  // names, then the ETA, then the last states' counts.
  std::string FittedLine(const Progress& p, int width) const {
    const auto fits = static_cast<std::size_t>(std::max(width - 1, 1));
    const std::string eta = Eta(p);
    const std::vector<std::string> forms = {Counts(p, false) + Rates() + eta,
                                            Counts(p, false) + eta, Counts(p, true) + eta,
                                            Counts(p, true)};
    for (const std::string& form : forms) {
      if (form.size() <= fits) return form;
    }
    std::string line;
    for (const std::string& part : CountParts(p, true)) {
      std::string longer = line;
      if (!longer.empty()) longer += ' ';
      longer += part;
      if (longer.size() > fits) break;
      line = longer;
    }
    return line.empty() ? forms.back().substr(0, fits) : line;
  }

  struct RatePair {
    double submit = 0;
    double finish = 0;
  };

  RatePair WindowRates() const { return {rates_.SubmitRate(), rates_.FinishRate()}; }

  // The summary's rates are over the whole run: a run shorter than the rate
  // window's sampling step would otherwise report 0 jobs/s.
  static RatePair WholeRunRates(const Progress& p) {
    const double elapsed = p.now - p.started;
    if (elapsed <= 0) return {};
    return {static_cast<double>(p.submits) / elapsed, static_cast<double>(p.finished) / elapsed};
  }

  std::string Json(const Progress& p, const char* event) const {
    return Json(p, event, WindowRates());
  }

  static std::string Json(const Progress& p, const char* event, RatePair rates) {
    std::ostringstream json;
    json << "{\"event\":\"" << event << "\",\"elapsed\":" << Fixed(p.now - p.started, 3);
    for (JobState s : kAllJobStates) json << ",\"" << ToString(s) << "\":" << Count(p, s);
    json << ",\"submits_sent\":" << p.submits_sent << ",\"submits\":" << p.submits
         << ",\"finished\":" << p.finished << ",\"status_requests\":" << p.poll_requests
         << ",\"submit_rate\":" << Fixed(rates.submit, 2)
         << ",\"finish_rate\":" << Fixed(rates.finish, 2) << "}";
    return json.str();
  }

  static std::string Summary(const Progress& p) {
    std::ostringstream s;
    s << "run ended after " << FormatDuration(p.now - p.started) << ": "
      << Count(p, JobState::kCompleted) << " completed, " << Count(p, JobState::kFailed)
      << " failed, " << Count(p, JobState::kCancelled) << " cancelled";
    const std::int64_t left = Left(p);
    if (left > 0) s << ", " << left << " not final";
    s << "; " << p.submits_sent << " submits sent (" << p.submits << " accepted), "
      << p.poll_requests << " status requests this run";
    return s.str();
  }

  std::ostream& out_;
  ReporterOptions options_;
  RateWindow rates_;
  double last_ = -1e18;
  bool bar_shown_ = false;
};

}  // namespace

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  const auto total = static_cast<long long>(std::llround(seconds));
  const long long h = total / 3600, m = (total / 60) % 60, s = total % 60;
  char buf[64];
  if (h > 0) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm%02llds", h, m, s);
  } else if (m > 0) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", m, s);
  } else {
    std::snprintf(buf, sizeof buf, "%llds", s);
  }
  return buf;
}

std::unique_ptr<Reporter> MakeReporter(std::ostream& out, ReporterOptions options) {
  if (options.mode == ProgressMode::kAuto) {
    options.mode = options.is_terminal ? ProgressMode::kBar : ProgressMode::kPlain;
  }
  return std::make_unique<StreamReporter>(out, options);
}

}  // namespace gridbatch::run
