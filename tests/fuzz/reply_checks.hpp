// What every classified reply must satisfy, for the api fuzz targets.
#pragma once

#include <string_view>

#include "gridbatch/api/api_client.hpp"

namespace gridbatch::fuzz {

// An error message is one line of valid UTF-8, short (the excerpt is cut at
// 200 characters), and present exactly when the outcome is not kSuccess.
void CheckError(api::Outcome outcome, std::string_view error);

}  // namespace gridbatch::fuzz
