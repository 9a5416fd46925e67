#include "service_args.hpp"

#include <cctype>
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
