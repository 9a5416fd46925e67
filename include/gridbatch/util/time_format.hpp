// Timestamps as users see them: ISO-8601 UTC with a 'Z', millisecond precision.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gridbatch/clock.hpp"

namespace gridbatch {

// 1700000000.25 -> "2023-11-14T22:13:20.250Z".
std::string FormatIsoUtc(Seconds t);

// Parses "2024-05-06T21:26:00+00:00", "2024-05-06T21:26:00Z",
// "2024-05-06T21:26:00.5-02:00", "2024-05-06 21:26:00" (taken as UTC) or
// "2024-05-06" (midnight UTC). Returns nullopt on anything else.
std::optional<Seconds> ParseIsoTime(std::string_view text);

// Durations as the command line takes them: "0.2" (seconds), "500ms", "5s",
// "2m", "1h". Returns nullopt for anything else, or a negative value.
std::optional<Seconds> ParseDuration(std::string_view text);

// Rates: "40/s", "300/min", "1000/h", "12.5" (per second) or "0" (unlimited,
// returned as 0). Returns requests per second, or nullopt when malformed.
std::optional<double> ParseRate(std::string_view text);

}  // namespace gridbatch
