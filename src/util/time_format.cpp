#include "gridbatch/util/time_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace gridbatch {
namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
long long DaysFromCivil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

bool ReadInt(std::string_view& s, std::size_t digits, int& out) {
  if (s.size() < digits) return false;
  int value = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    value = value * 10 + (s[i] - '0');
  }
  out = value;
  s.remove_prefix(digits);
  return true;
}

bool Eat(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

std::optional<double> ParseNumber(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace

std::string FormatIsoUtc(Seconds t) {
  const double whole = std::floor(t);
  auto millis = static_cast<int>(std::lround((t - whole) * 1000.0));
  auto secs = static_cast<std::time_t>(whole);
  if (millis == 1000) {
    millis = 0;
    ++secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::optional<Seconds> ParseIsoTime(std::string_view s) {
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!ReadInt(s, 4, year) || !Eat(s, '-') || !ReadInt(s, 2, month) || !Eat(s, '-') ||
      !ReadInt(s, 2, day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  double fraction = 0;
  int offset_seconds = 0;
  if (!s.empty()) {
    if (!Eat(s, 'T') && !Eat(s, ' ')) return std::nullopt;
    if (!ReadInt(s, 2, hour) || !Eat(s, ':') || !ReadInt(s, 2, minute) || !Eat(s, ':') ||
        !ReadInt(s, 2, second)) {
      return std::nullopt;
    }
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    if (Eat(s, '.')) {
      double scale = 0.1;
      std::size_t n = 0;
      while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
        fraction += (s.front() - '0') * scale;
        scale /= 10;
        s.remove_prefix(1);
        ++n;
      }
      if (n == 0) return std::nullopt;
    }
    if (Eat(s, 'Z')) {
    } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
      const int sign = s.front() == '+' ? 1 : -1;
      s.remove_prefix(1);
      int oh, om = 0;
      if (!ReadInt(s, 2, oh)) return std::nullopt;
      Eat(s, ':');
      if (!s.empty() && !ReadInt(s, 2, om)) return std::nullopt;
      offset_seconds = sign * (oh * 3600 + om * 60);
    }
    if (!s.empty()) return std::nullopt;
  }
  const long long days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const double t = static_cast<double>(days * 86400 + hour * 3600LL + minute * 60LL + second) +
                   fraction - offset_seconds;
  return t;
}

std::optional<Seconds> ParseDuration(std::string_view text) {
  struct Unit {
    std::string_view suffix;
    double scale;
  };
  static constexpr Unit kUnits[] = {{"ms", 0.001}, {"s", 1}, {"m", 60}, {"min", 60}, {"h", 3600}};
  double scale = 1;
  std::string_view number = text;
  for (const Unit& unit : kUnits) {
    if (text.size() > unit.suffix.size() && text.ends_with(unit.suffix)) {
      const char before = text[text.size() - unit.suffix.size() - 1];
      if (before >= '0' && before <= '9') {
        scale = unit.scale;
        number = text.substr(0, text.size() - unit.suffix.size());
      }
    }
  }
  auto value = ParseNumber(number);
  if (!value || *value < 0) return std::nullopt;
  return *value * scale;
}

std::optional<double> ParseRate(std::string_view text) {
  double per = 1;
  std::string_view number = text;
  if (const auto slash = text.find('/'); slash != std::string_view::npos) {
    const std::string_view unit = text.substr(slash + 1);
    if (unit == "s" || unit == "sec") {
      per = 1;
    } else if (unit == "m" || unit == "min") {
      per = 60;
    } else if (unit == "h" || unit == "hour") {
      per = 3600;
    } else {
      return std::nullopt;
    }
    number = text.substr(0, slash);
  }
  auto value = ParseNumber(number);
  if (!value || *value < 0) return std::nullopt;
  return *value / per;
}

}  // namespace gridbatch
