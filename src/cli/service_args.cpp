#include "service_args.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "gridbatch/api/api_client.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/util/time_format.hpp"

namespace gridbatch::cli {

Seconds Duration(const std::string& text, const char* option) {
  auto value = ParseDuration(text);
  if (!value) {
    throw Error(kExitUsage, std::string(option) + ": '" + text +
                                "' is not a duration (examples: 0.2, 500ms, 5s, 2m)");
  }
  return *value;
}

namespace {

constexpr double kMsPerSecond = 1000;

}  // namespace

std::string DurationText(Seconds seconds) {
  const auto whole = static_cast<long long>(std::llround(seconds));
  if (std::abs(seconds - static_cast<double>(whole)) > 1e-9) {
    return std::to_string(std::llround(seconds * kMsPerSecond)) + "ms";
  }
  if (whole >= 60 && whole % 60 == 0) return std::to_string(whole / 60) + "m";
  return std::to_string(whole) + "s";
}

void AddServiceOptions(CLI::App* cmd, ServiceArgs& args, const std::string& network_group) {
  const char* env_endpoint = std::getenv("GRIDBATCH_ENDPOINT");
  args.endpoint = env_endpoint && *env_endpoint ? env_endpoint : api::ApiOptions{}.endpoint;
  const http::ClientOptions defaults;
  args.connect_timeout =
      DurationText(static_cast<double>(defaults.connect_timeout_ms) / kMsPerSecond);
  args.request_timeout =
      DurationText(static_cast<double>(defaults.total_timeout_ms) / kMsPerSecond);
  cmd->add_option("--endpoint", args.endpoint, "Service base URL (env GRIDBATCH_ENDPOINT)")
      ->capture_default_str()
      ->type_name("URL");
  cmd->add_option("--token-file", args.token_file,
                  "File whose first line is the API token (default: env GRIDREPUBLIC_TOKEN)")
      ->type_name("FILE");
  cmd->add_option("--ca-file", args.ca_file, "CA bundle for TLS verification (default: system)")
      ->type_name("FILE");
  auto* connect =
      cmd->add_option("--connect-timeout", args.connect_timeout, "Connection set-up limit")
          ->capture_default_str();
  auto* request = cmd->add_option("--request-timeout", args.request_timeout, "Whole-request limit")
                      ->capture_default_str();
  if (!network_group.empty()) {
    connect->group(network_group);
    request->group(network_group);
  }
}

http::ClientOptions HttpOptionsFor(const ServiceArgs& args) {
  http::ClientOptions options;
  options.connect_timeout_ms =
      std::lround(Duration(args.connect_timeout, "--connect-timeout") * kMsPerSecond);
  options.total_timeout_ms =
      std::lround(Duration(args.request_timeout, "--request-timeout") * kMsPerSecond);
  options.ca_file = args.ca_file;
  return options;
}

std::string ReadToken(const std::string& token_file) {
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    if (!in) throw Error(kExitNoInput, "--token-file " + token_file + ": cannot read the file");
    std::string token;
    std::getline(in, token);
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
      token.pop_back();
    }
    if (token.empty()) {
      throw Error(kExitUsage, "--token-file " + token_file + ": the first line is empty");
    }
    api::CheckToken(token);
    return token;
  }
  if (const char* env = std::getenv("GRIDREPUBLIC_TOKEN"); env && *env) {
    api::CheckToken(env);
    return env;
  }
  throw Error(kExitUsage, "no API token: set GRIDREPUBLIC_TOKEN or pass --token-file FILE");
}

}  // namespace gridbatch::cli
