#include "gridbatch/run/status_map.hpp"

#include <algorithm>
#include <cctype>

namespace gridbatch::run {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

StatusMap::StatusMap()
    : StatusMap({"completed"}, {"failed", "aborted", "error", "cancelled", "canceled", "timeout"},
                {"provisioning", "downloading", "running", "queued", "pending", "starting",
                 "submitted", "uploading"}) {}

StatusMap::StatusMap(std::vector<std::string> completed, std::vector<std::string> failed,
                     std::vector<std::string> running)
    : completed_(std::move(completed)), failed_(std::move(failed)), running_(std::move(running)) {
  for (auto* list : {&completed_, &failed_, &running_}) {
    for (std::string& name : *list) name = Lower(name);
  }
}

StatusMap::Meaning StatusMap::Map(std::string_view status) const {
  const std::string name = Lower(status);
  if (Contains(completed_, name)) return Meaning::kCompleted;
  if (Contains(failed_, name)) return Meaning::kFailed;
  if (Contains(running_, name)) return Meaning::kRunning;
  return Meaning::kUnknown;
}

const std::vector<std::string>& StatusMap::completed() const {
  return completed_;
}
const std::vector<std::string>& StatusMap::failed() const {
  return failed_;
}
const std::vector<std::string>& StatusMap::running() const {
  return running_;
}

std::vector<std::string> StatusMap::SplitList(std::string_view text) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) {
      item.remove_prefix(1);
    }
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) {
      item.remove_suffix(1);
    }
    if (!item.empty()) names.push_back(Lower(item));
    start = comma + 1;
  }
  return names;
}

}  // namespace gridbatch::run
