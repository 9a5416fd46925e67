// What `run` and `check` both read from the command line to reach the
// service: the endpoint, the token, TLS and timeouts, and durations given
// as options.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "gridbatch/clock.hpp"
#include "gridbatch/http/http_client.hpp"

namespace gridbatch::cli {

// "5s", "2m", "500ms": how a duration default is shown and parsed back.
std::string DurationText(Seconds seconds);

// The service options, declared once for both commands.
struct ServiceArgs {
  std::string endpoint;  // GRIDBATCH_ENDPOINT, else api::ApiOptions{}'s (AddServiceOptions)
  std::string token_file;
  std::string ca_file;
  std::string connect_timeout;  // http::ClientOptions{}'s, as text
  std::string request_timeout;
};

// --endpoint, --token-file and --ca-file; --connect-timeout and
// --request-timeout in `network_group` ("" for the command's own list).
void AddServiceOptions(CLI::App* cmd, ServiceArgs& args, const std::string& network_group);

// The http client options they give (timeouts, CA file); a usage error
// names a timeout that is not a duration.
http::ClientOptions HttpOptionsFor(const ServiceArgs& args);

// `text` as a duration ("0.2", "500ms", "5s", "2m"); a usage error naming
// `option` otherwise.
Seconds Duration(const std::string& text, const char* option);

// The token: the first line of `token_file` when given, else
// GRIDREPUBLIC_TOKEN. Its value never appears in a message; a usage error
// says where a token comes from when there is none.
std::string ReadToken(const std::string& token_file);

}  // namespace gridbatch::cli
