#include "sim_test_client.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace gridbatch::sim::testing {

SimOptions FastOptions() {
  SimOptions options;
  options.queue_seconds = 0.02;
  options.run_seconds = 0.04;
  options.jitter = 0;
  options.threads = 64;
  return options;
}

std::string SubmitBody(const std::string& model, const std::string& prompt) {
  return json{{"app", "gridrepublic:text-inference"},
              {"commandLine", json{{"inputs", {prompt}}}.dump()},
              {"tag", model}}
      .dump();
}

TestClient::TestClient(const SimServer& server, std::string token)
    : base_("/remotejobs/v2"), client_("127.0.0.1", server.port()) {
  client_.set_keep_alive(true);
  client_.set_read_timeout(10, 0);
  client_.set_default_headers({{"Authorization", "Bearer " + token}});
}

httplib::Result TestClient::Submit(const std::string& model, const std::string& prompt) {
  return PostRaw(SubmitBody(model, prompt));
}

httplib::Result TestClient::PostRaw(const std::string& body) {
  return client_.Post((base_ + "/jobs").c_str(), body, "application/json");
}

httplib::Result TestClient::Status(const std::vector<std::string>& ids) {
  std::string path = base_ + "/jobs/";
  for (std::size_t i = 0; i < ids.size(); ++i) path += (i ? "," : "") + ids[i];
  return client_.Get(path.c_str());
}

std::string TestClient::SubmitOk(const std::string& model, const std::string& prompt) {
  auto res = Submit(model, prompt);
  EXPECT_TRUE(res);
  if (!res) return "";
  EXPECT_EQ(res->status, 200);
  const json reply = json::parse(res->body, nullptr, false);
  EXPECT_EQ(reply.value("success", false), true) << res->body;
  if (!reply.contains("ids")) return "";
  return reply["ids"][0].get<std::string>();
}

json TestClient::Jobs(const std::vector<std::string>& ids) {
  auto res = Status(ids);
  if (!res || res->status != 200) return nullptr;
  const json reply = json::parse(res->body, nullptr, false);
  if (reply.is_discarded() || !reply.contains("jobs")) return nullptr;
  return reply["jobs"];
}

json TestClient::WaitFinal(const std::string& id) {
  for (int attempt = 0; attempt < 2000; ++attempt) {
    const json jobs = Jobs({id});
    if (jobs.is_object() && jobs.contains(id)) {
      const std::string status = jobs[id]["states"]["default"]["status"];
      if (status != "provisioning" && status != "downloading" && status != "running" &&
          status != "Provisioning" && status != "Downloading" && status != "Running") {
        return jobs[id];
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ADD_FAILURE() << "job " << id << " never reached a final status";
  return nullptr;
}

}  // namespace gridbatch::sim::testing
