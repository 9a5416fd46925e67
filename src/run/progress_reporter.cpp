#include "gridbatch/progress_reporter.hpp"

#include <cmath>
#include <cstdio>
#include <deque>
#include <sstream>

namespace gridbatch::run {
namespace {

std::int64_t Count(const Progress& p, JobState s) {
  return p.counts[static_cast<std::size_t>(s)];
}

std::string JsonEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
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
    if (!samples_.empty() && p.now - samples_.back().now < 0.5) return;
    samples_.push_back({p.now, p.submits, p.finished});
    while (samples_.size() > 2 && p.now - samples_.front().now > 10) samples_.pop_front();
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
  StreamReporter(std::ostream& out, ReporterOptions options) : out_(out), options_(options) {}

  void Tick(const Progress& p) override {
    rates_.Add(p);
    const double every = options_.mode == ProgressMode::kBar    ? 0.2
                         : options_.mode == ProgressMode::kJson ? 1.0
                                                                : options_.plain_every;
    if (options_.mode == ProgressMode::kNone || p.now - last_ < every) return;
    last_ = p.now;
    if (options_.mode == ProgressMode::kJson) {
      out_ << Json(p, "progress") << "\n" << std::flush;
    } else if (options_.mode == ProgressMode::kBar) {
      out_ << "\r\033[K" << Line(p) << std::flush;
      bar_shown_ = true;
    } else {
      out_ << Line(p) << "\n" << std::flush;
    }
  }

  void Log(const std::string& message) override {
    if (options_.mode == ProgressMode::kJson) {
      out_ << "{\"event\":\"log\",\"message\":\"" << JsonEscape(message) << "\"}\n" << std::flush;
      return;
    }
    ClearBar();
    out_ << "gridbatch: " << message << "\n" << std::flush;
  }

  void Finish(const Progress& p) override {
    if (options_.mode == ProgressMode::kNone) return;
    if (options_.mode == ProgressMode::kJson) {
      out_ << Json(p, "summary") << "\n" << std::flush;
      return;
    }
    ClearBar();
    out_ << "gridbatch: " << Summary(p) << "\n" << std::flush;
  }

 private:
  void ClearBar() {
    if (!bar_shown_) return;
    out_ << "\r\033[K";
    bar_shown_ = false;
  }

  std::string Line(const Progress& p) const {
    std::ostringstream line;
    bool first = true;
    for (JobState s : kAllJobStates) {
      const std::int64_t n = Count(p, s);
      if (n == 0 && s != JobState::kCompleted) continue;
      line << (first ? "" : " ") << ToString(s) << " " << n;
      first = false;
    }
    line << " | submit " << Fixed(rates_.SubmitRate(), 1) << "/s, done "
         << Fixed(rates_.FinishRate(), 1) << "/s";
    const double rate = rates_.FinishRate();
    std::int64_t left = 0;
    for (JobState s : kAllJobStates) {
      if (!IsFinal(s)) left += Count(p, s);
    }
    if (rate > 0 && left > 0) line << " | ETA " << FormatDuration(static_cast<double>(left) / rate);
    return line.str();
  }

  std::string Json(const Progress& p, const char* event) const {
    std::ostringstream json;
    json << "{\"event\":\"" << event << "\",\"elapsed\":" << Fixed(p.now - p.started, 3);
    for (JobState s : kAllJobStates) json << ",\"" << ToString(s) << "\":" << Count(p, s);
    json << ",\"submits\":" << p.submits << ",\"finished\":" << p.finished
         << ",\"status_requests\":" << p.poll_requests
         << ",\"submit_rate\":" << Fixed(rates_.SubmitRate(), 2)
         << ",\"finish_rate\":" << Fixed(rates_.FinishRate(), 2) << "}";
    return json.str();
  }

  static std::string Summary(const Progress& p) {
    std::ostringstream s;
    s << "run ended after " << FormatDuration(p.now - p.started) << ": "
      << Count(p, JobState::kCompleted) << " completed, " << Count(p, JobState::kFailed)
      << " failed, " << Count(p, JobState::kCancelled) << " cancelled";
    std::int64_t left = 0;
    for (JobState st : kAllJobStates) {
      if (!IsFinal(st)) left += Count(p, st);
    }
    if (left > 0) s << ", " << left << " not final";
    s << "; " << p.submits << " submits, " << p.poll_requests << " status requests this run";
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
