// The service's jobs API, at its smallest, on tests/http's LoopbackServer:
// for the faults the simulator has no option for (a connection that dies
// under a request it acted on, a reply that echoes the token). POST
// {Endpoint()}/jobs creates a job and returns its id; GET .../jobs/ID,ID
// reports each as completed. A test's `fault` may answer any request
// instead (after it was counted: the server has seen it, so a POST's job
// exists whatever the reply).
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "loopback_server.hpp"

namespace gridbatch::reliability {

using http::testing::LoopbackServer;
using http::testing::Reply;
using http::testing::SeenRequest;

class LoopbackService {
 public:
  using Fault = std::function<std::optional<Reply>(const SeenRequest&)>;

  explicit LoopbackService(Fault fault = {})
      : fault_(std::move(fault)), server_([this](const SeenRequest& r) { return Answer(r); }) {}

  std::string Endpoint() const { return server_.Url("/v2"); }
  // Every POST the server received: each made a job.
  std::vector<SeenRequest> Posts() const {
    std::vector<SeenRequest> posts;
    for (const SeenRequest& r : server_.requests()) {
      if (r.method == "POST") posts.push_back(r);
    }
    return posts;
  }
  std::size_t requests() const { return server_.requests().size(); }
  int connections() const { return server_.connections_accepted(); }

 private:
  Reply Answer(const SeenRequest& request) {
    if (fault_) {
      if (std::optional<Reply> reply = fault_(request)) return *reply;
    }
    Reply reply;
    if (request.method == "POST") {
      reply.body = "{\"success\":true,\"ids\":[\"job" + std::to_string(++jobs_) + "\"]}";
      return reply;
    }
    const std::string prefix = "/v2/jobs/";
    std::string ids = request.target.substr(std::min(prefix.size(), request.target.size()));
    std::string jobs;
    for (std::size_t from = 0; from <= ids.size();) {
      std::size_t comma = ids.find(',', from);
      if (comma == std::string::npos) comma = ids.size();
      const std::string id = ids.substr(from, comma - from);
      if (!id.empty()) {
        if (!jobs.empty()) jobs += ",";
        jobs += "\"" + id +
                "\":{\"states\":{\"default\":{\"status\":\"completed\",\"log\":\"done " + id +
                "\"}},\"runtime\":1}";
      }
      from = comma + 1;
    }
    reply.body = "{\"success\":true,\"jobs\":{" + jobs + "}}";
    return reply;
  }

  Fault fault_;
  std::atomic<int> jobs_{0};
  LoopbackServer server_;  // last: its threads call Answer() until it is gone
};

}  // namespace gridbatch::reliability
