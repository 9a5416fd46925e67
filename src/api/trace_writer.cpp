#include "gridbatch/api/trace_writer.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <utility>

#include "gridbatch/error.hpp"
#include "gridbatch/util/time_format.hpp"
#include "reply_classifier.hpp"

namespace gridbatch::api {
namespace {

// Room kept for the line that says the trace stopped.
constexpr std::uint64_t kStopLineReserve = 512;

std::string Dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

TraceWriter::TraceWriter(const std::string& path, TraceOptions options, std::string token,
                         const Clock& clock, Warn warn)
    : path_(path),
      options_(options),
      token_(std::move(token)),
      clock_(clock),
      warn_(std::move(warn)),
      out_(path, std::ios::binary | std::ios::trunc) {
  if (!out_) throw Error(kExitCantCreate, "--trace " + path + ": cannot create the file");
}

// Redacts before cutting, over a window one token longer than what is kept,
// so a token straddling the cut cannot leave its first characters behind.
void TraceWriter::Cut(std::string& body, bool& cut) const {
  cut = body.size() > options_.body_max;
  if (cut) body.resize(std::min(body.size(), options_.body_max + token_.size()));
  body = Redact(std::move(body), token_);
  if (body.size() > options_.body_max) {
    body.resize(options_.body_max);
    cut = true;
  }
}

void TraceWriter::Record(const http::Exchange& exchange) {
  if (stopped_) return;
  const http::Response& response = exchange.response;
  std::string request_body(exchange.request_body);
  std::string reply_body = response.body;
  bool request_cut = false;
  bool reply_cut = false;
  Cut(request_body, request_cut);
  Cut(reply_body, reply_cut);
  nlohmann::json line = nlohmann::json::object();
  line["time"] = FormatIsoUtc(clock_.Now());
  line["method"] = exchange.method == http::Request::Method::kPost ? "POST" : "GET";
  line["url"] = Redact(std::string(exchange.url), token_);
  line["status"] = response.status;
  line["retry_after"] = response.retry_after_seconds ? nlohmann::json(*response.retry_after_seconds)
                                                     : nlohmann::json(nullptr);
  line["latency_ms"] = std::round(response.elapsed_seconds * 1e6) / 1e3;
  line["error"] = Redact(response.error, token_);
  line["request_bytes"] = exchange.request_body.size();
  line["request_body"] = std::move(request_body);
  if (request_cut) line["request_cut"] = true;
  line["reply_bytes"] = response.body.size();
  line["reply_body"] = std::move(reply_body);
  if (reply_cut) line["reply_cut"] = true;
  std::string text = Dump(line);
  text += '\n';
  if (bytes_ + text.size() + kStopLineReserve > options_.max_bytes) {
    Stop("the trace reached its size cap of " + std::to_string(options_.max_bytes) +
         " bytes (--trace-max-bytes); later requests are not recorded");
    return;
  }
  out_ << text;
  out_.flush();
  if (!out_) {
    stopped_ = true;
    warn_("--trace " + path_ + ": cannot write (disk full?); tracing stopped");
    return;
  }
  bytes_ += text.size();
  ++lines_;
}

void TraceWriter::Stop(const std::string& reason) {
  stopped_ = true;
  nlohmann::json line = nlohmann::json::object();
  line["time"] = FormatIsoUtc(clock_.Now());
  line["trace"] = "stopped";
  line["reason"] = reason;
  line["lines"] = lines_;
  out_ << Dump(line) << '\n';
  out_.flush();
  warn_("--trace " + path_ + ": " + reason);
}

http::Client::Observer TraceWriter::Observer() {
  return [this](const http::Exchange& exchange) { Record(exchange); };
}

}  // namespace gridbatch::api
