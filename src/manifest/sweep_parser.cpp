// Sweeps: a template over the cartesian product of variables (`vars`, one
// axis each) and zip groups (variables whose values go together: one axis).
#include <algorithm>
#include <unordered_map>

#include "manifest_keys.hpp"
#include "manifest_parser.hpp"
#include "stable_hash.hpp"

namespace gridbatch::manifest {
namespace {

struct Variable {
  std::string name;
  Location where;
};

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view text) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    return i > start;
  };
  if (i < text.size() && text[i] == '-') ++i;
  if (i < text.size() && text[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == text.size();
}

// A plain (unquoted, untagged) value spelled as a JSON number is a number,
// and true or false (YAML 1.2's spellings) a boolean; anything else,
// quoted values included ("20"), is a string.
VarType ScalarType(const YAML::Node& item) {
  if (item.Tag() != "?") return VarType::kString;
  const std::string& text = item.Scalar();
  if (IsJsonNumber(text)) return VarType::kNumber;
  for (const char* spelling : {"true", "True", "TRUE", "false", "False", "FALSE"}) {
    if (text == spelling) return VarType::kBoolean;
  }
  return VarType::kString;
}

std::vector<VarType> TypesOf(const YAML::Node& values) {
  std::vector<VarType> types;
  for (const auto& item : values) types.push_back(ScalarType(item));
  return types;
}

// Where an axis was declared, to report it unused.
struct AxisSite {
  Location where;
  std::size_t zip_group = 0;  // 0 for a `vars` variable
};

class SweepParser {
 public:
  SweepParser(YamlReader& reader, const MapFields& fields) : reader_(reader), fields_(fields) {}
  std::optional<Sweep> Parse(const YAML::Node& node, const BatchDefaults& batch);

 private:
  bool ParseVars(const Field& vars);
  bool ParseZip(const Field& zip);
  bool ParseZipGroup(const YAML::Node& node, std::size_t number);
  std::optional<std::vector<std::string>> Values(const MapFields& owner, const Field& field,
                                                 bool unique) const;
  bool AddVariable(const MapFields& owner, const Field& field);
  bool CheckRows(const MapFields& group, const SweepAxis& axis) const;
  bool CheckTemplate(const Field& tmpl);
  bool CheckDefined(const Field& tmpl) const;
  bool CheckUsed() const;
  bool CheckRenderedSize(const Field& tmpl) const;
  bool CountPrompts();

  YamlReader& reader_;
  const MapFields& fields_;
  Sweep sweep_;
  std::vector<Variable> variables_;
  std::vector<AxisSite> axis_sites_;  // parallel to sweep_.axes
  std::size_t errors_before_ = 0;
  std::size_t errors_before_axes_ = 0;
};

std::optional<Sweep> SweepParser::Parse(const YAML::Node& node, const BatchDefaults& batch) {
  errors_before_ = reader_.error_count();
  sweep_.label = fields_.label();
  sweep_.where = reader_.At(node);
  const Field* id = fields_.Find("id");
  const auto id_text = id ? fields_.Text(*id, TextKind::kName) : std::nullopt;
  if (id_text) {
    sweep_.id_prefix = *id_text;
    sweep_.id_given = true;
    sweep_.where = id->value_at;
  }
  const Field* tmpl = fields_.Require("template");
  const Field* vars = fields_.Find("vars");
  const Field* zip = fields_.Find("zip");
  if (!vars && !zip) fields_.Error(fields_.where(), "missing 'vars' (or 'zip')");
  errors_before_axes_ = reader_.error_count();
  if (vars) ParseVars(*vars);
  if (zip) ParseZip(*zip);
  if (tmpl) CheckTemplate(*tmpl);
  auto settings = ParseSettings(fields_, batch);
  if (settings) sweep_.settings = std::move(*settings);
  if (reader_.error_count() != errors_before_ || !CountPrompts()) return std::nullopt;
  return std::move(sweep_);
}

bool SweepParser::ParseVars(const Field& vars) {
  if (!vars.value.IsMap() || vars.value.size() == 0) {
    fields_.Error(vars.value_at, "'vars' must be a map of variable names to lists of values");
    return false;
  }
  const MapFields entries(reader_, vars.value, {}, fields_.label());
  bool ok = true;
  for (const auto& entry : vars.value) {
    const Field* var = entry.first.IsScalar() ? entries.Find(entry.first.Scalar()) : nullptr;
    if (!var) continue;  // reported by MapFields
    auto values = Values(entries, *var, /*unique=*/true);
    if (!AddVariable(entries, *var) || !values) {
      ok = false;
      continue;
    }
    axis_sites_.push_back({var->key_at, 0});
    sweep_.axes.push_back({{var->key}, {std::move(*values)}, {TypesOf(var->value)}});
  }
  return ok;
}

bool SweepParser::ParseZip(const Field& zip) {
  if (!zip.value.IsSequence() || zip.value.size() == 0) {
    fields_.Error(zip.value_at,
                  "'zip' must be a list of maps of variable names to lists of values");
    return false;
  }
  bool ok = true;
  std::size_t number = 0;
  for (const auto& group : zip.value) ok = ParseZipGroup(group, ++number) && ok;
  return ok;
}

bool SweepParser::ParseZipGroup(const YAML::Node& node, std::size_t number) {
  const std::string label = fields_.label() + ": zip group " + std::to_string(number);
  if (!node.IsMap() || node.size() == 0) {
    reader_.Error(reader_.At(node), label + " must be a map of variable names to lists of values");
    return false;
  }
  const MapFields group(reader_, node, {}, label);
  SweepAxis axis;
  const Field* first = nullptr;
  bool ok = true;
  for (const auto& entry : node) {
    const Field* var = entry.first.IsScalar() ? group.Find(entry.first.Scalar()) : nullptr;
    if (!var) continue;
    auto values = Values(group, *var, /*unique=*/false);
    if (!AddVariable(group, *var) || !values) {
      ok = false;
    } else if (first && values->size() != axis.size()) {
      group.Error(var->value_at, "'" + var->key + "' has " + std::to_string(values->size()) +
                                     " values but '" + first->key + "' has " +
                                     std::to_string(axis.size()));
      ok = false;
    } else {
      first = first ? first : var;
      axis.names.push_back(var->key);
      axis.values.push_back(std::move(*values));
      axis.types.push_back(TypesOf(var->value));
    }
  }
  if (!ok || !CheckRows(group, axis)) return false;
  axis_sites_.push_back({group.where(), number});
  sweep_.axes.push_back(std::move(axis));
  return true;
}

std::optional<std::vector<std::string>> SweepParser::Values(const MapFields& owner,
                                                            const Field& field, bool unique) const {
  const std::string name = "'" + field.key + "'";
  if (!field.value.IsSequence() || field.value.size() == 0) {
    owner.Error(field.value_at, name + " must be a non-empty list of values");
    return std::nullopt;
  }
  std::vector<std::string> values;
  for (const auto& item : field.value) {
    const Location at = reader_.At(item);
    if (!item.IsScalar()) {
      owner.Error(at, name + " values must be strings or numbers");
      return std::nullopt;
    }
    if (item.Scalar().find('\0') != std::string::npos) {
      owner.Error(at, name + " values must not contain a NUL character");
      return std::nullopt;
    }
    if (unique && std::find(values.begin(), values.end(), item.Scalar()) != values.end()) {
      owner.Error(at, "duplicate value '" + item.Scalar() + "' in " + name);
      return std::nullopt;
    }
    values.push_back(item.Scalar());
  }
  return values;
}

bool SweepParser::AddVariable(const MapFields& owner, const Field& field) {
  if (!IsVariableName(field.key)) {
    owner.Error(field.key_at, "variable name '" + field.key +
                                  "' must be letters, digits and '_', not starting with a digit");
    return false;
  }
  const auto first = std::find_if(variables_.begin(), variables_.end(),
                                  [&](const Variable& v) { return v.name == field.key; });
  if (first != variables_.end()) {
    owner.Error(field.key_at, "variable '" + field.key + "' is defined twice (first at line " +
                                  std::to_string(first->where.line) + ")");
    return false;
  }
  variables_.push_back({field.key, field.key_at});
  return true;
}

// Two equal rows of a zip group would make the same prompts twice.
bool SweepParser::CheckRows(const MapFields& group, const SweepAxis& axis) const {
  if (axis.names.empty()) return false;
  std::unordered_map<std::uint64_t, std::size_t> seen;
  for (std::size_t row = 0; row < axis.size(); ++row) {
    StableHash hash;
    for (const auto& values : axis.values) hash.Add(values[row]);
    const auto inserted = seen.emplace(hash.Value(), row);
    const std::size_t first = inserted.first->second;
    const bool same =
        !inserted.second && std::all_of(axis.values.begin(), axis.values.end(),
                                        [&](const auto& v) { return v[row] == v[first]; });
    if (same) {
      group.Error(group.where(), "value set " + std::to_string(row + 1) + " repeats value set " +
                                     std::to_string(first + 1));
      return false;
    }
  }
  return true;
}

bool SweepParser::CheckTemplate(const Field& tmpl) {
  const auto text = fields_.Text(tmpl, TextKind::kPrompt);
  if (!text) return false;
  std::string error;
  auto parsed = PromptTemplate::Parse(*text, error);
  if (!parsed) {
    fields_.Error(tmpl.value_at, "in 'template', " + error);
    return false;
  }
  if (!sweep_.id_given) sweep_.id_prefix = "s" + HexDigits(HashText(*text), 8);
  sweep_.prompt_template = std::move(*parsed);
  // After a problem in `vars` or `zip`, a name may be missing only because
  // of it: say nothing more until the variables are right.
  if (reader_.error_count() != errors_before_axes_) return false;
  return CheckDefined(tmpl) && CheckUsed() && CheckRenderedSize(tmpl);
}

// A template that repeats a long value can render prompts far past the limit
// from a small manifest (100,000 x {a} with a 10 KB value: 1 GB): check the
// longest prompt now, before the load renders it.
bool SweepParser::CheckRenderedSize(const Field& tmpl) const {
  const auto& names = sweep_.prompt_template.names();
  std::vector<std::size_t> longest(names.size(), 0);
  for (const SweepAxis& axis : sweep_.axes) {
    for (std::size_t k = 0; k < axis.names.size(); ++k) {
      const auto at = std::find(names.begin(), names.end(), axis.names[k]);
      if (at == names.end()) continue;
      std::size_t& size = longest[static_cast<std::size_t>(at - names.begin())];
      for (const std::string& value : axis.values[k]) size = std::max(size, value.size());
    }
  }
  const std::size_t size = sweep_.prompt_template.RenderedSize(longest);
  if (size <= kMaxPromptBytes) return true;
  fields_.Error(tmpl.value_at,
                "'template' makes prompts of up to " + std::to_string(size) +
                    " bytes (with the longest values), more than the limit of 1 MiB");
  return false;
}

bool SweepParser::CheckDefined(const Field& tmpl) const {
  bool ok = true;
  for (const std::string& name : sweep_.prompt_template.names()) {
    if (std::none_of(variables_.begin(), variables_.end(),
                     [&](const Variable& v) { return v.name == name; })) {
      fields_.Error(tmpl.value_at,
                    "'template' uses {" + name + "}, which 'vars' and 'zip' do not define");
      ok = false;
    }
  }
  return ok;
}

// An unused axis would multiply the jobs with copies of the same prompts.
// (A zip group needs only one variable used: the others travel with it.)
bool SweepParser::CheckUsed() const {
  bool ok = true;
  for (std::size_t axis = 0; axis < sweep_.axes.size(); ++axis) {
    const auto& names = sweep_.axes[axis].names;
    const auto used = [&](const std::string& n) { return sweep_.prompt_template.Uses(n); };
    if (std::any_of(names.begin(), names.end(), used)) continue;
    const AxisSite& site = axis_sites_[axis];
    if (site.zip_group == 0) {
      fields_.Error(site.where, "variable '" + names.front() + "' is not used in 'template'");
    } else {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      fields_.Error(site.where, "zip group " + std::to_string(site.zip_group) +
                                    ": none of its variables (" + list + ") is used in 'template'");
    }
    ok = false;
  }
  return ok;
}

bool SweepParser::CountPrompts() {
  std::uint64_t count = 1;
  for (const SweepAxis& axis : sweep_.axes) {
    if (count > kMaxJobs / axis.size()) {
      fields_.Error(fields_.where(), "makes more than " + std::to_string(kMaxJobs) + " prompts");
      return false;
    }
    count *= axis.size();
  }
  sweep_.prompt_count = count;
  return !sweep_.axes.empty();
}

}  // namespace

std::optional<Sweep> ParseSweep(YamlReader& reader, const YAML::Node& node, std::size_t number,
                                const BatchDefaults& batch) {
  std::string label = "sweep " + std::to_string(number);
  if (!node.IsMap()) {
    reader.Error(reader.At(node), label + " must be a map with 'template' and 'vars'");
    return std::nullopt;
  }
  const YAML::Node id = node["id"];
  if (id && id.IsScalar() && !id.Scalar().empty()) label = "sweep '" + id.Scalar() + "'";
  const MapFields fields(reader, node, kSweepKeys, label);
  return SweepParser(reader, fields).Parse(node, batch);
}

}  // namespace gridbatch::manifest
