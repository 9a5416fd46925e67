// A small client for the simulator's tests: httplib over loopback, bodies
// built with nlohmann, so the tests share nothing with the project's client.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim_server.hpp"

namespace gridbatch::sim::testing {

using nlohmann::json;

// Short times so a test's jobs finish in tens of milliseconds.
SimOptions FastOptions();

std::string SubmitBody(const std::string& model, const std::string& prompt);

class TestClient {
 public:
  explicit TestClient(const SimServer& server, std::string token = "sim-token");

  httplib::Result Submit(const std::string& model, const std::string& prompt);
  httplib::Result PostRaw(const std::string& body);
  httplib::Result Status(const std::vector<std::string>& ids);
  // Submits and returns the new id; fails the test if it cannot.
  std::string SubmitOk(const std::string& model, const std::string& prompt);
  // The reply's jobs object, or null when the reply is not a 200 with JSON.
  json Jobs(const std::vector<std::string>& ids);
  // Polls until `id` reaches a final status and returns its entry.
  json WaitFinal(const std::string& id);

  httplib::Client& http() { return client_; }

 private:
  std::string base_;
  httplib::Client client_;
};

}  // namespace gridbatch::sim::testing
