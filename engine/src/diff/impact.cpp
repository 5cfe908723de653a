// The impact of a policy diff on the same data: the results under both policies compared community
// by community, and the rule changes that reach each changed output.
#include <algorithm>
#include <deque>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "common.hpp"
#include "jixiao/engine/diff.hpp"
#include "jixiao/engine/plan.hpp"
#include "patch.hpp"

namespace jixiao::engine::diff_detail {

namespace {

bool contains(const std::optional<ast::Interval>& iv, std::int64_t v) { return iv && iv->contains(v); }

using NameMap = std::unordered_map<std::string, std::uint32_t>;

NameMap symbol_names(const CheckedPolicy& p) {
  NameMap m;
  for (std::size_t i = 0; i < p.symbols.size(); ++i) m.emplace(p.symbols[i].name, static_cast<std::uint32_t>(i));
  return m;
}

// Which symbols depend, transitively, on any of `seeds` (the seeds included).
std::vector<bool> reach(const CheckedPolicy& p, const std::vector<std::vector<std::uint32_t>>& dependents, const NameMap& names,
                        const Names& seeds) {
  std::vector<bool> seen(p.symbols.size(), false);
  std::deque<std::uint32_t> queue;
  for (const auto& s : seeds) {
    const auto it = names.find(s);
    if (it == names.end() || seen[it->second]) continue;
    seen[it->second] = true;
    queue.push_back(it->second);
  }
  while (!queue.empty()) {
    const std::uint32_t s = queue.front();
    queue.pop_front();
    for (const std::uint32_t d : dependents[s]) {
      if (!seen[d]) {
        seen[d] = true;
        queue.push_back(d);
      }
    }
  }
  return seen;
}

std::vector<std::vector<std::uint32_t>> dependents_of(const CheckedPolicy& p) {
  std::vector<std::vector<std::uint32_t>> r(p.symbols.size());
  for (std::size_t from = 0; from < p.deps.size(); ++from) {
    for (const dsl::Dep& d : p.deps[from]) {
      if (d.to != dsl::kNoSymbol) r[static_cast<std::uint32_t>(d.to)].push_back(static_cast<std::uint32_t>(from));
    }
  }
  return r;
}

std::string key_text(const ImpactSide& s, std::size_t row) {
  const std::int64_t id = s.data->key.values[row];
  return id < 0 ? std::string() : s.data->strings.text(static_cast<std::uint32_t>(id));
}

const FundResult* find_fund(const EvalResult& r, const std::string& name) {
  for (const FundResult& f : r.funds) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const TrackResult* find_track(const FundResult* f, const std::string& name) {
  if (f == nullptr) return nullptr;
  for (const TrackResult& t : f->tracks) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

class ImpactBuilder {
 public:
  ImpactBuilder(const PolicyDiff& d, const ImpactSide& o, const ImpactSide& n, const Reevaluation* rerun)
      : d_(d), o_(o), n_(n), rerun_(rerun), op_(*o.policy), np_(*n.policy), onames_(symbol_names(op_)), nnames_(symbol_names(np_)) {}

  Impact run() {
    Impact impact;
    impact.data_path = n_.data->path;
    impact.key_name = np_.key == dsl::kNoSymbol ? "" : np_.symbol(np_.key).name;
    if (!n_.data->periods.empty() && !n_.result->selected.empty()) {
      impact.period = n_.data->periods[static_cast<std::size_t>(n_.data->period_index[n_.result->selected.front()])];
    }
    reaches();
    if (rerun_ != nullptr) units(impact);
    outputs(impact);
    // Communities by key.
    std::unordered_map<std::string, std::size_t> old_rows;
    for (const std::size_t r : o_.result->selected) old_rows.emplace(key_text(o_, r), r);
    std::set<std::string> matched;
    for (const std::size_t rn : n_.result->selected) {
      const std::string key = key_text(n_, rn);
      const auto it = old_rows.find(key);
      if (it == old_rows.end()) {
        ++impact.only_new;
        continue;
      }
      matched.insert(key);
      ++impact.compared;
      community(impact, key, it->second, rn);
    }
    impact.only_old = o_.result->selected.size() - matched.size();
    return impact;
  }

 private:
  // What each change reaches in each policy, and on which rows a band change matters.
  void reaches() {
    const auto od = dependents_of(op_);
    const auto nd = dependents_of(np_);
    for (const RuleChange& c : d_.changes) {
      old_reach_.push_back(reach(op_, od, onames_, c.old_symbols));
      new_reach_.push_back(reach(np_, nd, nnames_, c.new_symbols));
      BandValues bv;
      if (c.band) {
        bv.old_values = banded(o_, c.band->decl);
        bv.new_values = banded(n_, c.band->decl);
        const std::size_t rows = std::min(o_.data->rows, n_.data->rows);
        bv.any = o_.data->rows != n_.data->rows;
        for (std::size_t r = 0; r < rows && !bv.any; ++r) bv.any = band_matters(c, bv, r, r);
      }
      band_values_.push_back(bv);
      effective_.push_back(effective(c));
    }
  }

  // Whether a symbol has the same value on every row under both policies (numbers, money and
  // yes/no by value, labels and texts by their text). False when that cannot be told.
  [[nodiscard]] bool same_column(const std::string& old_name, const std::string& new_name) const {
    const auto oi = onames_.find(old_name);
    const auto ni = nnames_.find(new_name);
    if (oi == onames_.end() || ni == nnames_.end()) return false;
    const dsl::Symbol& os = op_.symbols[oi->second];
    const dsl::Symbol& ns = np_.symbols[ni->second];
    const auto& oc = o_.result->columns[oi->second];
    const auto& nc = n_.result->columns[ni->second];
    const std::size_t rows = o_.data->rows;
    if (os.type.kind != ns.type.kind || rows != n_.data->rows || oc.size() != rows || nc.size() != rows) return false;
    switch (os.type.kind) {
      case TypeKind::kNumber:
      case TypeKind::kMoney:
      case TypeKind::kBool: return std::equal(oc.begin(), oc.end(), nc.begin(), nc.end());
      case TypeKind::kLabel: {
        const auto& ol = op_.domains[os.type.domain].labels;
        const auto& nl = np_.domains[ns.type.domain].labels;
        for (std::size_t r = 0; r < rows; ++r) {
          const auto a = static_cast<std::size_t>(oc[r]);
          const auto b = static_cast<std::size_t>(nc[r]);
          if (a >= ol.size() || b >= nl.size() || ol[a] != nl[b]) return false;
        }
        return true;
      }
      case TypeKind::kText:
        for (std::size_t r = 0; r < rows; ++r) {
          if ((oc[r] < 0) != (nc[r] < 0)) return false;
          if (oc[r] >= 0 && o_.result->texts.text(static_cast<std::uint32_t>(oc[r])) !=
                                n_.result->texts.text(static_cast<std::uint32_t>(nc[r]))) {
            return false;
          }
        }
        return true;
      default: return false;
    }
  }

  // Whether a change can have had any effect: not when every symbol it alters directly has the
  // same values under both policies (matched by name, or the one symbol only the old policy has
  // with the one only the new policy has: a moved indicator).
  [[nodiscard]] bool effective(const RuleChange& c) const {
    Names only_old;
    Names only_new;
    std::set<std::string> both;
    for (const auto& name : c.old_symbols) {
      if (nnames_.count(name)) {
        both.insert(name);
      } else {
        only_old.push_back(name);
      }
    }
    for (const auto& name : c.new_symbols) {
      if (onames_.count(name)) {
        both.insert(name);
      } else {
        only_new.push_back(name);
      }
    }
    if (both.empty() && only_old.empty() && only_new.empty()) return true;
    for (const auto& name : both) {
      if (!same_column(name, name)) return true;
    }
    if (only_old.empty() && only_new.empty()) return false;
    if (only_old.size() == 1 && only_new.size() == 1) return !same_column(only_old[0], only_new[0]);
    return true;
  }

  struct BandValues {
    const std::span<const std::int64_t>* old_values = nullptr;  ///< the banded value per row, when it is a symbol
    const std::span<const std::int64_t>* new_values = nullptr;
    bool any = true;  ///< the change matters on some row
  };

  // The column of the value a grade or alert bands, when it names a symbol.
  const std::span<const std::int64_t>* banded(const ImpactSide& s, const std::string& decl) {
    for (const ast::BandDecl& b : s.policy->module.bands) {
      if (b.name.name != decl) continue;
      if (!std::holds_alternative<ast::NameRef>(s.policy->module.expr(b.of))) return nullptr;
      const dsl::SymbolId id = s.policy->ref(b.of);
      if (id == dsl::kNoSymbol) return nullptr;
      const auto& col = s.result->columns[static_cast<std::uint32_t>(id)];
      return col.size() == s.data->rows ? &col : nullptr;
    }
    return nullptr;
  }

  static bool band_matters(const RuleChange& c, const BandValues& bv, std::size_t ro, std::size_t rn) {
    if (bv.old_values == nullptr || bv.new_values == nullptr) return true;
    const auto differs = [&](std::int64_t v) { return contains(c.band->before, v) != contains(c.band->after, v); };
    return differs((*bv.old_values)[ro]) || differs((*bv.new_values)[rn]);
  }

  [[nodiscard]] bool reaches_name(std::size_t c, const std::string& name) const {
    if (const auto it = onames_.find(name); it != onames_.end() && old_reach_[c][it->second]) return true;
    if (const auto it = nnames_.find(name); it != nnames_.end() && new_reach_[c][it->second]) return true;
    return false;
  }

  // The changes that reach any of `names` on this pair of rows.
  std::vector<std::size_t> causes(const Names& names, std::size_t ro, std::size_t rn) const {
    std::vector<std::size_t> out;
    for (std::size_t c = 0; c < d_.changes.size(); ++c) {
      const RuleChange& ch = d_.changes[c];
      if (ch.derived || ch.cosmetic || !effective_[c]) continue;
      bool hit = false;
      for (const auto& name : names) {
        if (!reaches_name(c, name)) continue;
        if (ch.band) {
          const BandValues& bv = band_values_[c];
          if (name == ch.band->decl ? !band_matters(ch, bv, ro, rn) : !bv.any) continue;
        }
        hit = true;
        break;
      }
      if (hit) out.push_back(c);
    }
    return out;
  }

  struct Source {
    std::optional<std::uint32_t> old_symbol;  ///< kScore, kGrade, kAlert
    std::optional<std::uint32_t> new_symbol;
    std::string fund;   ///< kMoney
    std::string track;  ///< kMoney: empty for the fund's total
  };

  void outputs(Impact& impact) {
    std::set<std::string> shown;  // segments' copies of a tree are one column
    for (const std::uint32_t root : np_.module.roots) {
      const std::string& name = np_.symbol(np_.nodes[root].symbol).name;
      const auto it = onames_.find(name);
      if (it == onames_.end() || op_.symbols[it->second].kind != SymbolKind::kIndicator || !shown.insert(name).second) continue;
      impact.outputs.push_back({name, OutputKind::kScore, op_.precision, np_.precision});
      sources_.push_back({it->second, nnames_.at(name), "", ""});
    }
    for (std::size_t i = 0; i < np_.symbols.size(); ++i) {
      const dsl::Symbol& s = np_.symbols[i];
      if (s.kind != SymbolKind::kGrade && s.kind != SymbolKind::kAlert) continue;
      const auto it = onames_.find(s.name);
      if (it == onames_.end() || op_.symbols[it->second].kind != s.kind) continue;
      impact.outputs.push_back({s.name, s.kind == SymbolKind::kGrade ? OutputKind::kGrade : OutputKind::kAlert, 2, 2});
      sources_.push_back({it->second, static_cast<std::uint32_t>(i), "", ""});
    }
    if (!op_.module.vetoes.empty() || !np_.module.vetoes.empty()) {
      impact.outputs.push_back({"vetoes", OutputKind::kVetoes, 2, 2});
      sources_.push_back({});
    }
    Names funds;
    for (const auto& f : np_.module.funds) funds.push_back(f.name.name);
    for (const auto& f : op_.module.funds) {
      if (std::find(funds.begin(), funds.end(), f.name.name) == funds.end()) funds.push_back(f.name.name);
    }
    for (const auto& fund : funds) {
      const FundResult* of = find_fund(*o_.result, fund);
      const FundResult* nf = find_fund(*n_.result, fund);
      Names tracks;
      if (nf != nullptr) {
        for (const auto& t : nf->tracks) tracks.push_back(t.name);
      }
      if (of != nullptr) {
        for (const auto& t : of->tracks) {
          if (std::find(tracks.begin(), tracks.end(), t.name) == tracks.end()) tracks.push_back(t.name);
        }
      }
      for (const auto& t : tracks) {
        impact.outputs.push_back({fund + "." + t, OutputKind::kMoney, 2, 2});
        sources_.push_back({std::nullopt, std::nullopt, fund, t});
        const TrackResult* ot = find_track(of, t);
        const TrackResult* nt = find_track(nf, t);
        impact.money.push_back({fund + "." + t, ot ? ot->paid : 0, nt ? nt->paid : 0, 0});
      }
      impact.outputs.push_back({fund, OutputKind::kMoney, 2, 2});
      sources_.push_back({std::nullopt, std::nullopt, fund, ""});
      impact.money.push_back({fund, of ? of->paid : 0, nf ? nf->paid : 0, 0});
    }
    for (const ComparedOutput& out : impact.outputs) {
      if (out.kind == OutputKind::kGrade || out.kind == OutputKind::kAlert) impact.moves.push_back({out.name, out.kind, 0, 0, 0, 0});
    }
  }

  static std::string label(const ImpactSide& s, std::uint32_t symbol, std::size_t row) {
    const dsl::Symbol& sym = s.policy->symbols[symbol];
    const auto& labels = s.policy->domains[sym.type.domain].labels;
    const auto v = static_cast<std::size_t>(s.result->columns[symbol][row]);
    return v < labels.size() ? labels[v] : std::string();
  }

  static Names fired(const ImpactSide& s, std::size_t row) {
    Names out;
    for (std::size_t i = 0; i < s.policy->symbols.size(); ++i) {
      if (s.policy->symbols[i].kind != SymbolKind::kVeto) continue;
      const auto& col = s.result->columns[i];
      if (row < col.size() && col[row] != 0) out.push_back(s.policy->symbols[i].name);
    }
    return out;
  }

  static std::int64_t money(const ImpactSide& s, const std::string& fund, const std::string& track, std::size_t row) {
    const FundResult* f = find_fund(*s.result, fund);
    if (f == nullptr) return 0;
    if (track.empty()) return f->totals.empty() ? 0 : f->totals[row];
    const TrackResult* t = find_track(f, track);
    return t == nullptr || t->amounts.empty() ? 0 : t->amounts[row];
  }

  void community(Impact& impact, const std::string& key, std::size_t ro, std::size_t rn) {
    CommunityImpact ci;
    ci.key = key;
    bool any = false;
    std::size_t move = 0;
    std::size_t money_index = 0;
    for (std::size_t k = 0; k < impact.outputs.size(); ++k) {
      const ComparedOutput& out = impact.outputs[k];
      const Source& src = sources_[k];
      OutputValue v;
      Names names;
      switch (out.kind) {
        case OutputKind::kScore:
          v.before = o_.result->columns[*src.old_symbol][ro];
          v.after = n_.result->columns[*src.new_symbol][rn];
          v.changed = v.before != v.after;
          names = {out.name};
          break;
        case OutputKind::kGrade:
        case OutputKind::kAlert: {
          v.before_text = label(o_, *src.old_symbol, ro);
          v.after_text = label(n_, *src.new_symbol, rn);
          v.changed = v.before_text != v.after_text;
          names = {out.name};
          LabelMoves& m = impact.moves[move++];
          const auto& labels = np_.domains[np_.symbols[*src.new_symbol].type.domain].labels;
          const auto before = std::find(labels.begin(), labels.end(), v.before_text);
          const auto after = std::find(labels.begin(), labels.end(), v.after_text);
          if (!v.changed) {
            ++m.unchanged;
          } else if (before == labels.end() || after == labels.end()) {
            ++m.other;
          } else if (after < before) {
            ++m.up;
          } else {
            ++m.down;
          }
          break;
        }
        case OutputKind::kVetoes: {
          const Names of = fired(o_, ro);
          const Names nf = fired(n_, rn);
          v.before_text = join(of, ";");
          v.after_text = join(nf, ";");
          std::set<std::string> a(of.begin(), of.end());
          std::set<std::string> b(nf.begin(), nf.end());
          v.changed = a != b;
          std::set_symmetric_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(names));
          break;
        }
        case OutputKind::kMoney: {
          v.before = money(o_, src.fund, src.track, ro);
          v.after = money(n_, src.fund, src.track, rn);
          v.changed = v.before != v.after;
          const std::int64_t delta = v.after - v.before;
          MoneyMoved& moved = impact.money[money_index++];
          moved.abs_changes += delta < 0 ? -delta : delta;
          if (delta > 0) {
            ++moved.gainers;
            moved.gained += delta;
          } else if (delta < 0) {
            ++moved.losers;
            moved.lost -= delta;
          }
          names = {src.fund};
          break;
        }
      }
      if (v.changed) {
        v.causes = causes(names, ro, rn);
        if (rerun_ != nullptr) attribute(out, src, v, ro);
        any = true;
      }
      ci.values.push_back(std::move(v));
    }
    if (any) impact.communities.push_back(std::move(ci));
  }

  // ---- causes from making each unit of changes alone ----

  // The old policy with one unit's changes made, evaluated on the old data.
  struct Trial {
    std::vector<std::size_t> changes;
    std::unique_ptr<CheckedPolicy> policy;
    std::optional<EvalResult> result;
    NameMap names;
    ImpactSide side;
  };

  // Groups the changes that can be causes into units, and makes and evaluates each unit alone.
  void units(Impact& impact) {
    unmade_change_.assign(d_.changes.size(), false);
    std::vector<std::vector<std::size_t>> groups;
    std::map<std::string, std::size_t> by_unit;
    for (std::size_t c = 0; c < d_.changes.size(); ++c) {
      const RuleChange& ch = d_.changes[c];
      if (ch.derived || ch.cosmetic || !effective_[c]) continue;
      if (!ch.unit.empty()) {
        const auto [it, fresh] = by_unit.emplace(ch.unit, groups.size());
        if (!fresh) {
          groups[it->second].push_back(c);
          continue;
        }
      }
      groups.push_back({c});
    }
    for (auto& changes : groups) {
      const std::optional<UnmadeWhy> why = trial(changes);
      if (why) {
        for (const std::size_t c : changes) unmade_change_[c] = true;
        impact.unmade.push_back({std::move(changes), *why});
      }
    }
  }

  std::optional<UnmadeWhy> trial(const std::vector<std::size_t>& changes) {
    for (const std::size_t c : changes) {
      if (!d_.changes[c].apply) return UnmadeWhy::kKind;
    }
    ast::Module module = op_.module;
    std::vector<dsl::ParamOverride> params = rerun_->params;
    ChangePatch patch(module, np_.module, params);
    for (const std::size_t c : changes) d_.changes[c].apply(patch);
    if (!patch.evaluable) return UnmadeWhy::kEvaluate;
    CollectingSink quiet;  // what the made policy would be told is not the user's concern
    dsl::CheckOptions options;
    options.params = std::move(params);
    auto checked = dsl::check(*rerun_->sources, std::move(module), options, quiet);
    if (!checked) return UnmadeWhy::kCheck;
    Trial t;
    t.changes = changes;
    t.policy = std::make_unique<CheckedPolicy>(std::move(*checked));
    const auto plan = build_plan(*t.policy, quiet);
    if (!plan) return UnmadeWhy::kCheck;
    t.result = evaluate(*plan, *rerun_->data, rerun_->options, quiet);
    if (!t.result) return UnmadeWhy::kEvaluate;
    t.names = symbol_names(*t.policy);
    trials_.push_back(std::move(t));
    Trial& made = trials_.back();
    made.side = {made.policy.get(), rerun_->data, &*made.result};
    return std::nullopt;
  }

  // Whether a trial's value of an output on the old row differs from the old policy's, and (money)
  // its value.
  [[nodiscard]] bool differs(const Trial& t, const ComparedOutput& out, const Source& src, const OutputValue& v, std::size_t row,
                             std::int64_t& fen) const {
    switch (out.kind) {
      case OutputKind::kScore: {
        const auto it = t.names.find(out.name);
        if (it == t.names.end()) return true;
        return t.side.result->columns[it->second][row] != v.before;
      }
      case OutputKind::kGrade:
      case OutputKind::kAlert: {
        const auto it = t.names.find(out.name);
        if (it == t.names.end()) return true;
        return label(t.side, it->second, row) != v.before_text;
      }
      case OutputKind::kVetoes: {
        const Names before = fired(o_, row);
        const Names made = fired(t.side, row);
        return std::set<std::string>(before.begin(), before.end()) != std::set<std::string>(made.begin(), made.end());
      }
      case OutputKind::kMoney:
        fen = money(t.side, src.fund, src.track, row);
        return fen != v.before;
    }
    return true;
  }

  // The causes of a changed output: the units that alone change it; when none does, the changes
  // that reach it (`v.causes` as the graph found them), jointly. Changes not made alone are only
  // `unknown`. Money is split by the units that alone move it, the rest to nobody in particular.
  void attribute(const ComparedOutput& out, const Source& src, OutputValue& v, std::size_t row) {
    std::vector<std::size_t> reached;
    for (const std::size_t c : v.causes) (unmade_change_[c] ? v.unknown : reached).push_back(c);
    std::set<std::size_t> alone;
    std::int64_t explained = 0;
    for (const Trial& t : trials_) {
      std::int64_t fen = 0;
      if (!differs(t, out, src, v, row, fen)) continue;
      alone.insert(t.changes.begin(), t.changes.end());
      if (out.kind == OutputKind::kMoney) {
        v.parts.push_back({t.changes, fen - v.before});
        explained += fen - v.before;
      }
    }
    if (alone.empty()) {
      v.causes = std::move(reached);
      v.jointly = !v.causes.empty();
      v.parts.clear();
      return;
    }
    v.causes.assign(alone.begin(), alone.end());
    // The parts in the order of the causes (units are disjoint, so their first changes order them).
    std::sort(v.parts.begin(), v.parts.end(), [](const MoneyPart& a, const MoneyPart& b) { return a.changes.front() < b.changes.front(); });
    if (out.kind == OutputKind::kMoney && v.after - v.before != explained) v.parts.push_back({{}, v.after - v.before - explained});
  }

  const PolicyDiff& d_;
  const ImpactSide& o_;
  const ImpactSide& n_;
  const Reevaluation* rerun_;
  std::deque<Trial> trials_;  ///< a deque: each trial's side points into it
  std::vector<bool> unmade_change_;  ///< by change: in a unit not made alone
  const CheckedPolicy& op_;
  const CheckedPolicy& np_;
  NameMap onames_;
  NameMap nnames_;
  std::vector<std::vector<bool>> old_reach_;
  std::vector<std::vector<bool>> new_reach_;
  std::vector<BandValues> band_values_;
  std::vector<bool> effective_;
  std::vector<Source> sources_;
};
}  // namespace

}  // namespace jixiao::engine::diff_detail

namespace jixiao::engine {

Impact compute_impact(const PolicyDiff& diff, const ImpactSide& old_side, const ImpactSide& new_side, const Reevaluation* rerun) {
  diff_detail::ImpactBuilder b(diff, old_side, new_side, rerun);
  return b.run();
}

}  // namespace jixiao::engine
