#include "sweep_vars.hpp"

#include <nlohmann/json.hpp>
#include <utility>

#include "gridbatch/util/utf8.hpp"

namespace gridbatch::exporter {
namespace {

// The object in `vars_json`, or a discarded value when there is none.
nlohmann::json ParseObject(std::optional<std::string_view> vars_json) {
  if (!vars_json) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
  std::string text = SanitizeUtf8(*vars_json);
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
  return parsed;
}

std::string CompactJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::vector<std::optional<VarCell>> VarCells(std::optional<std::string_view> vars_json,
                                             const std::vector<std::string>& names) {
  std::vector<std::optional<VarCell>> cells(names.size());
  const nlohmann::json object = ParseObject(vars_json);
  if (object.is_discarded()) {
    return cells;
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto found = object.find(names[i]);
    if (found == object.end() || found->is_null()) {
      continue;
    }
    if (found->is_string()) {
      cells[i] = VarCell{found->get<std::string>(), true};
    } else {
      cells[i] = VarCell{CompactJson(*found), false};
    }
  }
  return cells;
}

std::string VarsJson(std::optional<std::string_view> vars_json) {
  const nlohmann::json object = ParseObject(vars_json);
  if (object.is_discarded()) {
    return "null";
  }
  return CompactJson(object);
}

VarsDecoder::VarsDecoder(std::vector<std::string> names)
    : names_(std::move(names)), none_{VarCells(std::nullopt, names_), "null"} {}

const std::vector<std::optional<VarCell>>& VarsDecoder::Cells(
    std::optional<std::string_view> vars_json) {
  return Decode(vars_json).cells;
}

const std::string& VarsDecoder::Json(std::optional<std::string_view> vars_json) {
  return Decode(vars_json).json;
}

const VarsDecoder::Decoded& VarsDecoder::Decode(std::optional<std::string_view> vars_json) {
  if (!vars_json) {
    return none_;
  }
  if (const auto found = memory_.find(*vars_json); found != memory_.end()) {
    return found->second;
  }
  if (memory_.size() >= kMaxEntries || memory_bytes_ >= kMaxBytes) {
    memory_.clear();
    memory_bytes_ = 0;
  }
  memory_bytes_ += vars_json->size();
  Decoded decoded{VarCells(vars_json, names_), VarsJson(vars_json)};
  return memory_.emplace(std::string(*vars_json), std::move(decoded)).first->second;
}

}  // namespace gridbatch::exporter
