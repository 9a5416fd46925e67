// What `run` and `check` both read from the command line to reach the
// service: the token, and durations given as options.
#pragma once

#include <string>

#include "gridbatch/clock.hpp"

namespace gridbatch::cli {

// `text` as a duration ("0.2", "500ms", "5s", "2m"); a usage error naming
// `option` otherwise.
Seconds Duration(const std::string& text, const char* option);

// The token: the first line of `token_file` when given, else
// GRIDREPUBLIC_TOKEN. Its value never appears in a message; a usage error
// says where a token comes from when there is none.
std::string ReadToken(const std::string& token_file);

}  // namespace gridbatch::cli
