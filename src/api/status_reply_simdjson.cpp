// ParseStatusReply: a status reply read with simdjson's On-Demand API in one
// pass over the body, every value visited (On-Demand checks only what it is
// asked for, and a reply nlohmann would refuse must not pass here). The fast
// path only answers a reply it reads completely, with `success: true` and
// each requested job an object; anything else (an error, a key twice, which
// nlohmann resolves to the last, a body deeper than any reply) goes to the
// nlohmann reader, whose answer is the reference.
#include <simdjson.h>

#include <cctype>
#include <string_view>
#include <unordered_map>

#include "gridbatch/util/utf8.hpp"
#include "reply_classifier.hpp"
#include "status_parsers.hpp"

namespace gridbatch::api {
namespace {

namespace od = simdjson::ondemand;

// Replies are 5 levels deep; a deeper body is left to the reference reader
// rather than recursed into.
constexpr int kMaxDepth = 32;

bool Failed(simdjson::error_code error) {
  return error != simdjson::SUCCESS;
}

bool SkipValue(od::value value, int depth);

bool SkipObject(od::object object, int depth) {
  for (auto field : object) {
    std::string_view key;
    if (Failed(field.unescaped_key().get(key)) || !SkipValue(field.value(), depth)) return false;
  }
  return true;
}

// Reads `value` to its end, as nlohmann's parse would: strings unescaped,
// numbers converted, literals spelled out.
bool SkipValue(od::value value, int depth) {
  if (depth > kMaxDepth) return false;
  od::json_type type;
  if (Failed(value.type().get(type))) return false;
  switch (type) {
    case od::json_type::object: {
      od::object object;
      return !Failed(value.get_object().get(object)) && SkipObject(object, depth + 1);
    }
    case od::json_type::array: {
      od::array array;
      if (Failed(value.get_array().get(array))) return false;
      for (auto element : array) {
        od::value item;
        if (Failed(element.get(item)) || !SkipValue(item, depth + 1)) return false;
      }
      return true;
    }
    case od::json_type::string: {
      std::string_view text;
      return !Failed(value.get_string().get(text));
    }
    case od::json_type::number: {
      od::number number;
      return !Failed(value.get_number().get(number));
    }
    case od::json_type::boolean: {
      bool flag = false;
      return !Failed(value.get_bool().get(flag));
    }
    case od::json_type::null: {
      bool is_null = false;
      return !Failed(value.is_null().get(is_null)) && is_null;
    }
  }
  return false;
}

// A string field: its text, or "" when it holds another type.
bool ReadString(od::value value, std::string& out, int depth) {
  od::json_type type;
  if (Failed(value.type().get(type))) return false;
  if (type != od::json_type::string) return SkipValue(value, depth);
  std::string_view text;
  if (Failed(value.get_string().get(text))) return false;
  out.assign(text);
  return true;
}

// The same reading as the reference's ReadRuntime.
bool ReadRuntime(od::value value, std::optional<std::int64_t>& runtime, int depth) {
  od::json_type type;
  if (Failed(value.type().get(type))) return false;
  if (type == od::json_type::string) {
    std::string_view text;
    if (Failed(value.get_string().get(text))) return false;
    runtime = RuntimeFromText(std::string(text));
    return true;
  }
  if (type != od::json_type::number) return SkipValue(value, depth);
  od::number number;
  if (Failed(value.get_number().get(number))) return false;
  switch (number.get_number_type()) {
    case od::number_type::signed_integer: {
      const std::int64_t whole = number.get_int64();
      if (whole >= 0) runtime = whole;
      return true;
    }
    case od::number_type::unsigned_integer:
      return true;  // 2^63 or more: past int64, unreadable as a runtime
    case od::number_type::floating_point_number:
      runtime = RuntimeFromDouble(number.get_double());
      return true;
  }
  return false;
}

// Marks `seen` once; a field met twice sends the reply to the reference.
bool First(bool& seen) {
  if (seen) return false;
  seen = true;
  return true;
}

bool ReadDefaultState(od::object state, JobView& view, int depth) {
  bool status_seen = false;
  bool log_seen = false;
  for (auto field : state) {
    std::string_view key;
    if (Failed(field.unescaped_key().get(key))) return false;
    bool ok = true;
    if (key == "status") {
      ok = First(status_seen) && ReadString(field.value(), view.status, depth);
    } else if (key == "log") {
      ok = First(log_seen) && ReadString(field.value(), view.log, depth);
    } else {
      ok = SkipValue(field.value(), depth);
    }
    if (!ok) return false;
  }
  return true;
}

// `states`: only an object's "default" object counts, as in the reference.
bool ReadStates(od::value value, JobView& view, int depth) {
  od::json_type type;
  if (Failed(value.type().get(type))) return false;
  if (type != od::json_type::object) return SkipValue(value, depth);
  od::object states;
  if (Failed(value.get_object().get(states))) return false;
  bool default_seen = false;
  for (auto field : states) {
    std::string_view key;
    if (Failed(field.unescaped_key().get(key))) return false;
    if (key != "default") {
      if (!SkipValue(field.value(), depth + 1)) return false;
      continue;
    }
    if (!First(default_seen)) return false;
    od::value state_value = field.value();
    if (Failed(state_value.type().get(type))) return false;
    if (type != od::json_type::object) {
      if (!SkipValue(state_value, depth + 1)) return false;
      continue;
    }
    od::object state;
    if (Failed(state_value.get_object().get(state)) || !ReadDefaultState(state, view, depth + 2)) {
      return false;
    }
  }
  return true;
}

bool ReadJob(od::object job, JobView& view, int depth) {
  bool vm_status_seen = false;
  bool created_seen = false;
  bool runtime_seen = false;
  bool states_seen = false;
  for (auto field : job) {
    std::string_view key;
    if (Failed(field.unescaped_key().get(key))) return false;
    bool ok = true;
    if (key == "vmStatus") {
      ok = First(vm_status_seen) && ReadString(field.value(), view.vm_status, depth);
    } else if (key == "created") {
      ok = First(created_seen) && ReadString(field.value(), view.created, depth);
    } else if (key == "runtime") {
      ok = First(runtime_seen) && ReadRuntime(field.value(), view.runtime, depth);
    } else if (key == "states") {
      ok = First(states_seen) && ReadStates(field.value(), view, depth);
    } else {
      ok = SkipValue(field.value(), depth);
    }
    if (!ok) return false;
  }
  return true;
}

// The requested ids, each with the view the reply gave it (if any). Ids
// are hex: a reply's key matches a requested id whatever the case of its
// letters, and the view keeps the requested spelling.
class Slots {
 public:
  explicit Slots(const std::vector<std::string>& requested)
      : requested_(requested), views_(requested.size()) {
    folded_.reserve(requested.size());
    for (const std::string& id : requested) folded_.push_back(FoldCase(id));
    index_.reserve(requested.size());
    exact_.reserve(requested.size());
    for (std::size_t i = 0; i < requested.size(); ++i) {
      exact_.emplace(requested[i], i);
      index_.emplace(folded_[i], i);
    }
  }

  // The slot of a requested id (the first, if it was requested twice).
  std::optional<std::size_t> Find(std::string_view id) {
    if (auto exact = exact_.find(id); exact != exact_.end()) return exact->second;
    key_.assign(id);
    for (char& c : key_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto it = index_.find(key_);
    return it == index_.end() ? std::nullopt : std::optional<std::size_t>(it->second);
  }
  std::optional<JobView>& at(std::size_t slot) { return views_[slot]; }
  const std::string& requested(std::size_t slot) const { return requested_[slot]; }

 private:
  static std::string FoldCase(std::string id) {
    for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return id;
  }
  const std::vector<std::string>& requested_;
  std::vector<std::string> folded_;
  std::unordered_map<std::string_view, std::size_t> exact_;
  std::unordered_map<std::string_view, std::size_t> index_;  // by folded id
  std::vector<std::optional<JobView>> views_;
  std::string key_;
};

// `jobs`: an object keyed by id, or [] for none (the PHP service's empty map).
bool ReadJobs(od::value value, Slots& slots) {
  od::json_type type;
  if (Failed(value.type().get(type))) return false;
  if (type == od::json_type::array) {
    od::array array;
    if (Failed(value.get_array().get(array))) return false;
    for ([[maybe_unused]] auto element : array) return false;  // not empty: malformed
    return true;
  }
  od::object jobs;
  if (type != od::json_type::object || Failed(value.get_object().get(jobs))) return false;
  for (auto field : jobs) {
    std::string_view id;
    if (Failed(field.unescaped_key().get(id))) return false;
    const std::optional<std::size_t> slot = slots.Find(id);
    if (!slot) {
      if (!SkipValue(field.value(), 2)) return false;
      continue;
    }
    std::optional<JobView>& view = slots.at(*slot);
    od::object job;
    if (view || Failed(field.value().get_object().get(job))) return false;
    view.emplace();
    view->id = slots.requested(*slot);
    if (!ReadJob(job, *view, 3)) return false;
  }
  return true;
}

// Whether the document's first value is all there is but blanks: On-Demand
// stops at the end of that value, where nlohmann refuses anything more.
bool NothingAfter(od::document& document, std::string_view json) {
  std::string_view value;
  if (Failed(document.raw_json().get(value))) return false;
  const auto end = static_cast<std::size_t>(value.data() + value.size() - json.data());
  return json.find_first_not_of(" \t\n\r", end) == std::string_view::npos;
}

// The answer for a whole, successful reply, or nullopt for the reference.
std::optional<StatusResult> ReadFast(const simdjson::padded_string_view json,
                                     const http::Response& response,
                                     const std::vector<std::string>& requested) {
  thread_local od::parser parser;
  od::document document;
  if (Failed(parser.iterate(json).get(document)) || !NothingAfter(document, json)) {
    return std::nullopt;
  }
  document.rewind();
  od::object top;
  if (Failed(document.get_object().get(top))) return std::nullopt;
  Slots slots(requested);
  bool success_seen = false;
  bool success = false;
  bool jobs_seen = false;
  for (auto field : top) {
    std::string_view key;
    if (Failed(field.unescaped_key().get(key))) return std::nullopt;
    bool ok = true;
    if (key == "success") {
      ok = First(success_seen) && !Failed(field.value().get_bool().get(success));
    } else if (key == "jobs") {
      ok = First(jobs_seen) && ReadJobs(field.value(), slots);
    } else {
      ok = SkipValue(field.value(), 1);
    }
    if (!ok) return std::nullopt;
  }
  if (!success || !jobs_seen) return std::nullopt;
  StatusResult result;
  result.outcome = Outcome::kSuccess;
  result.requested = requested;
  result.http_status = response.status;
  // Each view is moved out where its id is asked for the last time.
  std::vector<std::size_t> slot_of(requested.size());
  std::vector<std::size_t> last_use(requested.size());
  for (std::size_t i = 0; i < requested.size(); ++i) {
    slot_of[i] = *slots.Find(requested[i]);
    last_use[slot_of[i]] = i;
  }
  for (std::size_t i = 0; i < requested.size(); ++i) {
    std::optional<JobView>& view = slots.at(slot_of[i]);
    if (!view) {
      result.missing.push_back(requested[i]);
    } else if (last_use[slot_of[i]] == i) {
      result.jobs.push_back(std::move(*view));
    } else {
      result.jobs.push_back(*view);
    }
  }
  return result;
}

// `text` with the padding simdjson reads past its end: in place when the
// string's capacity has room, else copied into a buffer kept per thread.
simdjson::padded_string_view Padded(std::string_view text, std::size_t capacity) {
  if (capacity >= text.size() + simdjson::SIMDJSON_PADDING) {
    return simdjson::padded_string_view(text.data(), text.size(), capacity);
  }
  thread_local std::string buffer;
  buffer.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  buffer.assign(text);
  return simdjson::padded_string_view(buffer.data(), buffer.size(), buffer.capacity());
}

}  // namespace

std::optional<StatusResult> ReadStatusReplySimdjson(const http::Response& response,
                                                    const std::vector<std::string>& requested) {
  if (response.transport_error != 0 || response.status < 200 || response.status >= 300 ||
      response.body.empty()) {
    return std::nullopt;
  }
  if (auto result =
          ReadFast(Padded(response.body, response.body.capacity()), response, requested)) {
    return result;
  }
  // As the reference does: a log cut mid-character is read with U+FFFD.
  if (!FindInvalidUtf8(response.body)) return std::nullopt;
  const std::string valid = SanitizeUtf8(response.body);
  return ReadFast(Padded(valid, valid.capacity()), response, requested);
}

StatusResult ParseStatusReply(const http::Response& response,
                              const std::vector<std::string>& requested) {
  std::optional<StatusResult> fast = ReadStatusReplySimdjson(response, requested);
  StatusResult result = fast ? std::move(*fast) : ParseStatusReplyNlohmann(response, requested);
  result.elapsed_seconds = response.elapsed_seconds;
  return result;
}

StatusResult ParseStatusReplyInFull(const http::Response& response,
                                    const std::vector<std::string>& requested) {
  StatusResult result = ParseStatusReplyNlohmann(response, requested);
  result.elapsed_seconds = response.elapsed_seconds;
  return result;
}

}  // namespace gridbatch::api
