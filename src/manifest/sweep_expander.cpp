#include <algorithm>
#include <numeric>

#include "prompt_walker.hpp"
#include "stable_hash.hpp"

namespace gridbatch::manifest {
namespace {

// A variable's place: which axis, and which of the axis's names.
struct Slot {
  std::size_t axis;
  std::size_t member;
};

class SweepOdometer {
 public:
  explicit SweepOdometer(const Sweep& sweep) : sweep_(sweep), index_(sweep.axes.size(), 0) {
    for (std::size_t a = 0; a < sweep.axes.size(); ++a) {
      for (std::size_t m = 0; m < sweep.axes[a].names.size(); ++m) slots_.push_back({a, m});
    }
    // Ids hash the variables by name, so reordering them in the manifest keeps the ids.
    by_name_.resize(slots_.size());
    std::iota(by_name_.begin(), by_name_.end(), 0);
    std::sort(by_name_.begin(), by_name_.end(),
              [&](std::size_t x, std::size_t y) { return Name(slots_[x]) < Name(slots_[y]); });
    for (const std::string& name : sweep.prompt_template.names()) {
      const auto slot = std::find_if(slots_.begin(), slots_.end(),
                                     [&](const Slot& s) { return Name(s) == name; });
      template_slots_.push_back(static_cast<std::size_t>(slot - slots_.begin()));
    }
    template_values_.resize(template_slots_.size());
  }

  void Fill(PromptRecord& record) {
    record.vars.resize(slots_.size());
    for (std::size_t k = 0; k < slots_.size(); ++k) {
      record.vars[k].name = Name(slots_[k]);
      record.vars[k].value = Value(slots_[k]);
      record.vars[k].type = Type(slots_[k]);
    }
    for (std::size_t i = 0; i < template_slots_.size(); ++i) {
      template_values_[i] = record.vars[template_slots_[i]].value;
    }
    sweep_.prompt_template.Render(template_values_, record.text);
    StableHash hash;
    for (const std::size_t k : by_name_) hash.Add(record.vars[k].name).Add(record.vars[k].value);
    record.id = GeneratedId(sweep_.id_prefix, hash.Value());
  }

  // Advances to the next combination; false after the last.
  bool Next() {
    for (std::size_t a = index_.size(); a-- > 0;) {
      if (++index_[a] < sweep_.axes[a].size()) return true;
      index_[a] = 0;
    }
    return false;
  }

 private:
  const std::string& Name(const Slot& s) const { return sweep_.axes[s.axis].names[s.member]; }
  const std::string& Value(const Slot& s) const {
    return sweep_.axes[s.axis].values[s.member][index_[s.axis]];
  }
  VarType Type(const Slot& s) const { return sweep_.axes[s.axis].types[s.member][index_[s.axis]]; }

  const Sweep& sweep_;
  std::vector<std::size_t> index_;
  std::vector<Slot> slots_;           // declaration order
  std::vector<std::size_t> by_name_;  // slots_ indices sorted by name
  std::vector<std::size_t> template_slots_;
  std::vector<std::string_view> template_values_;
};

}  // namespace

void ExpandSweep(const Sweep& sweep, const std::string& file, const PromptVisitor& visit) {
  PromptRecord record;
  record.generated_id = true;
  record.settings = &sweep.settings;
  record.file = &file;
  record.where = sweep.where;
  SweepOdometer odometer(sweep);
  do {
    odometer.Fill(record);
    visit(record);
  } while (odometer.Next());
}

}  // namespace gridbatch::manifest
