// `jixiao explain`: builds the derivation of one row (plain structs, from an EvalResult with traced
// expressions), then writes it as text for people or as JSON for tools, with the same structure.
#include "jixiao/engine/explain.hpp"
#include "jixiao/engine/explain_model.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/decl_text.hpp"
#include "jixiao/dsl/json_writer.hpp"
#include "jixiao/dsl/unparse.hpp"
#include "jixiao/dsl/version.hpp"
#include "jixiao/engine/results.hpp"
#include "weights.hpp"

namespace jixiao::engine {
namespace {

using ast::ExprId;
using dsl::SymbolId;
using dsl::SymbolKind;
using dsl::TypeKind;
constexpr std::int64_t kHundred = 100 * decimal::kOne;

// ---- walking expressions ----

const ast::NamedArg* named_arg(const ast::Call& c, dsl::NamedArg arg) {
  for (const auto& a : c.named) {
    if (dsl::named_arg(a.name.name) == arg) return &a;
  }
  return nullptr;
}

// The expressions under `e` an explanation shows a value for.
void collect_traced(const dsl::CheckedPolicy& p, ExprId e, bool root, std::vector<ExprId>& out) {
  if (!ast::present(e)) return;
  const ast::Module& m = p.module;
  const ast::Expr& x = m.expr(e);
  const auto* call = std::get_if<ast::Call>(&x);
  if (root || call != nullptr || std::holds_alternative<ast::Coef>(x) || std::holds_alternative<ast::Bands>(x)) {
    out.push_back(e);
  }
  if (const auto* i = std::get_if<ast::If>(&x)) out.push_back(i->cond);
  if (call != nullptr && p.reads_other_rows(e)) {
    out.push_back(call->args[0]);
    if (const ast::NamedArg* w = named_arg(*call, dsl::NamedArg::kWithin)) out.push_back(w->value);
  }
  // The argument a function, `coef` or `bands` works on, when it is computed (not a name or literal).
  auto compound = [&](ExprId a) {
    const ast::Expr& ax = m.expr(a);
    if (std::holds_alternative<ast::Binary>(ax) || std::holds_alternative<ast::Unary>(ax) || std::holds_alternative<ast::If>(ax)) {
      out.push_back(a);
    }
  };
  if (call != nullptr && !call->args.empty()) compound(call->args[0]);
  if (const auto* c = std::get_if<ast::Coef>(&x)) compound(c->subject);
  if (const auto* b = std::get_if<ast::Bands>(&x)) compound(b->subject);
  ast::for_each_operand(m.exprs, e, [&](ExprId c) { collect_traced(p, c, false, out); });
}

using namespace explain;  // the model (explain_model.hpp)

using detail::gcd128;

using detail::exact_decimal;

// A track's weight w (over the track's denominator), as exact_decimal.
std::string exact_weight_text(const TrackStep& t, Int128 w, int precision, bool mark_inexact) {
  const bool score = t.weight && t.weight->value.kind == Val::Kind::kScore;
  return exact_decimal(w, t.denominator, t.money_weight, score ? precision : 0, mark_inexact);
}

// A Val's exact value (Val::exact), as exact_decimal.
std::string exact_val_text(const Val& v, int precision, bool mark_inexact) {
  return exact_decimal(v.exact->first, v.exact->second, v.kind == Val::Kind::kMoney,
                       v.kind == Val::Kind::kScore ? precision : 0, mark_inexact);
}

// ---- building the model ----

class Builder {
 public:
  Builder(const dsl::CheckedPolicy& p, const Dataset& d, const EvalResult& r, std::size_t row)
      : p_(p), m_(p.module), d_(d), r_(r), row_(row) {}

  Explanation build() {
    Explanation x;
    if (m_.policy) {
      x.policy = m_.policy->name;
      x.version = m_.policy->version;
    }
    if (m_.subject) {
      x.subject = m_.subject->subject.name;
      x.key_column = m_.subject->key.name;
    }
    x.key = text_of(d_.key.values[row_]);
    x.row = row_;
    x.shown_row = d_.shown_row(row_);
    x.precision = p_.precision;
    if (!d_.periods.empty()) {
      x.period = period_of(row_);
      x.first_period = d_.periods.front();
    }
    // With segments, the row was scored with its segment's copy of the trees, and only that.
    std::uint32_t segment = ast::IndicatorNode::kNoNode;
    if (!r_.segment.empty() && r_.segment[row_] >= 0) {
      segment = static_cast<std::uint32_t>(r_.segment[row_]);
      x.segment = m_.segments[segment].name.name;
      x.segment_when = dsl::unparse(m_, m_.segments[segment].when);
    }
    for (const std::uint32_t root : m_.roots) {
      if (m_.nodes[root].segment == segment) x.trees.push_back(node(root, 0));
    }
    for (std::size_t i = 0; i < m_.lets.size(); ++i) x.lets.push_back(let(i));
    for (std::size_t i = 0; i < m_.vetoes.size(); ++i) x.vetoes.push_back(veto(i));
    for (std::size_t i = 0; i < m_.bands.size(); ++i) x.bands.push_back(band(i));
    for (std::size_t i = 0; i < m_.funds.size(); ++i) x.funds.push_back(fund(i));
    // The same entries as the results' reasons column for the row.
    const std::vector<ReasonEntry> entries = reason_entries(p_, r_);
    x.has_rules = !entries.empty();
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (r_.rules[i].values[row_] > 0) x.reasons.push_back(entries[i]);
    }
    return x;
  }

 private:
  // ---- values ----

  std::string text_of(std::int64_t id) const {
    return id < 0 ? std::string() : d_.strings.text(static_cast<std::uint32_t>(id));
  }

  std::string period_of(std::size_t row) const {
    return d_.periods[static_cast<std::size_t>(d_.period_index[row])];
  }

  std::span<const std::int64_t> column(SymbolId s) const { return r_.columns[static_cast<std::uint32_t>(s)]; }

  Val typed(const dsl::Type& t, std::int64_t raw) const {
    Val v;
    v.raw = raw;
    switch (t.kind) {
      case TypeKind::kNumber: v.kind = Val::Kind::kNumber; break;
      case TypeKind::kMoney: v.kind = Val::Kind::kMoney; break;
      case TypeKind::kBool: v.kind = Val::Kind::kBool; break;
      case TypeKind::kLabel:
        v.kind = Val::Kind::kText;
        v.text = p_.domains[t.domain].labels[static_cast<std::size_t>(raw)];
        break;
      case TypeKind::kText:
        v.kind = Val::Kind::kText;
        v.text = text_of(raw);
        break;
      default: v.kind = Val::Kind::kText; break;
    }
    return v;
  }

  bool input_missing(std::uint32_t input, std::size_t row) const {
    const auto& missing = d_.inputs[input].missing;
    return !missing.empty() && missing[row] != 0;
  }

  // Optional inputs under `e` (not resolved by present/fill) that are missing on the row.
  std::vector<std::string> missing_under(ExprId e, std::size_t row) const {
    std::vector<std::string> names;
    for (const std::uint32_t i : dsl::optional_inputs(p_, e)) {
      if (input_missing(i, row)) names.push_back(m_.inputs[i].name.name);
    }
    return names;
  }

  Val symbol_val(SymbolId id, std::size_t row) const {
    const dsl::Symbol& s = p_.symbol(id);
    Val v;
    switch (s.kind) {
      case SymbolKind::kKey:
        v.kind = Val::Kind::kText;
        v.text = text_of(s.index == 1 ? d_.period.values[row] : d_.key.values[row]);
        return v;
      case SymbolKind::kInput: {
        const ast::InputDecl& in = m_.inputs[s.index];
        if (in.optional && input_missing(s.index, row)) {
          v.kind = Val::Kind::kMissing;
          return v;
        }
        const Column& c = d_.inputs[s.index];
        if (s.type.kind == TypeKind::kTextList || s.type.kind == TypeKind::kNumberList) {
          const bool numbers = s.type.kind == TypeKind::kNumberList;
          v.kind = numbers ? Val::Kind::kNumberList : Val::Kind::kList;
          for (std::uint32_t k = c.list_offsets[row]; k < c.list_offsets[row + 1]; ++k) {
            v.items.push_back(numbers ? decimal::to_string(c.list_numbers[k]) : d_.strings.text(c.list_items[k]));
          }
          return v;
        }
        v = typed(s.type, c.values[row]);
        if (in.kind == ast::InputKind::kPercent) v.kind = Val::Kind::kPercent;
        return v;
      }
      case SymbolKind::kParam: {
        const dsl::ParamValue& pv = p_.params[s.index];
        switch (pv.type.kind) {
          case TypeKind::kText:
            v.kind = Val::Kind::kText;
            v.text = pv.text;
            return v;
          case TypeKind::kBool:
            v.kind = Val::Kind::kBool;
            v.raw = pv.boolean ? 1 : 0;
            return v;
          case TypeKind::kTable: {
            v.kind = Val::Kind::kList;
            for (const auto& [k, amount] : pv.table) {
              v.items.push_back(k + ": " + (pv.type.value == TypeKind::kMoney ? decimal::format_yuan_grouped(amount) + "元"
                                                                               : decimal::to_string(amount)));
            }
            return v;
          }
          default:
            return typed(pv.type, pv.number);
        }
      }
      case SymbolKind::kSet:
        v.kind = Val::Kind::kSet;
        if (const auto* set = std::get_if<ast::SetLit>(&m_.expr(m_.sets[s.index].value))) {
          for (const ExprId item : set->items) {
            if (const auto* str = std::get_if<ast::StringLit>(&m_.expr(item))) v.items.push_back(str->value);
          }
        }
        return v;
      case SymbolKind::kLet:
        if (!missing_under(m_.lets[s.index].value, row).empty()) {
          v.kind = Val::Kind::kMissing;
          return v;
        }
        return typed(s.type, column(id)[row]);
      case SymbolKind::kIndicator:
        v.kind = Val::Kind::kScore;
        v.raw = column(id)[row];
        return v;
      default:
        return typed(s.type, column(id)[row]);
    }
  }

  std::optional<std::int64_t> traced(ExprId e, std::size_t row) const {
    const auto it = r_.traced.find(e);
    if (it == r_.traced.end()) return std::nullopt;
    return it->second[row];
  }

  // The exact value of `e` inside a fund weight, where the engine kept it (EvalResult::exact_traced).
  std::optional<Val> exact_val(ExprId e, std::size_t row) const {
    const auto it = r_.exact_traced.find(e);
    if (it == r_.exact_traced.end() || it->second.computed[row] == 0) return std::nullopt;
    const Int128 n = it->second.values[row];
    const Int128 d = it->second.denominator;
    const dsl::Type t = p_.type(e);
    const Int128 unit = t.kind == TypeKind::kMoney ? 1 : decimal::kOne;
    Int128 raw = 0;
    if (__builtin_mul_overflow(n, unit, &raw)) raw = 0;
    const Int128 rounded = std::clamp<Int128>(detail::div_round_128(raw, d), INT64_MIN, INT64_MAX);
    const SymbolId s = std::holds_alternative<ast::NameRef>(m_.expr(e)) ? p_.ref(e) : dsl::kNoSymbol;
    Val v = s != dsl::kNoSymbol ? symbol_val(s, row) : typed(t, static_cast<std::int64_t>(rounded));  // a score stays one
    v.exact = {n, d};
    return v;
  }

  Val expr_val(ExprId e, std::size_t row) const {
    if (auto exact = exact_val(e, row)) return *exact;
    if (std::holds_alternative<ast::NameRef>(m_.expr(e))) {
      const SymbolId s = p_.ref(e);
      if (s != dsl::kNoSymbol) return symbol_val(s, row);
    }
    const dsl::Type t = p_.type(e);
    const auto v = traced(e, row);
    if (!v) {
      // Literals are not traced: their value is what is written.
      const ast::Expr& x = m_.expr(e);
      if (const auto* n = std::get_if<ast::NumberLit>(&x)) return typed(t, ast::literal_value(*n));
      if (const auto* mo = std::get_if<ast::MoneyLit>(&x)) return typed(t, mo->fen);
      if (const auto* b = std::get_if<ast::BoolLit>(&x)) return typed(t, b->value ? 1 : 0);
      Val text;
      text.kind = Val::Kind::kText;
      text.text = dsl::unparse(m_, e);
      return text;
    }
    return typed(t, *v);
  }

  // ---- formulas ----

  Formula formula(ExprId e) const {
    Formula f;
    f.text = dsl::unparse(m_, e);
    f.value = expr_val(e, row_);
    std::set<std::string> seen;
    walk(e, true, f, seen);
    return f;
  }

  void walk(ExprId e, bool root, Formula& f, std::set<std::string>& seen) const {
    const ast::Expr& x = m_.expr(e);
    if (std::holds_alternative<ast::NameRef>(x)) {
      const SymbolId s = p_.ref(e);
      if (s == dsl::kNoSymbol) return;
      const std::string& name = p_.symbol(s).name;
      if (seen.insert(name).second) f.reads.push_back({name, exact_val(e, row_).value_or(symbol_val(s, row_))});
      return;
    }
    if (const auto* i = std::get_if<ast::If>(&x)) {
      walk(i->cond, false, f, seen);
      const auto cond = traced(i->cond, row_);
      if (!cond || *cond != 0) walk(i->then_expr, false, f, seen);
      if (!cond || *cond == 0) walk(i->else_expr, false, f, seen);
      return;
    }
    if (const auto* c = std::get_if<ast::Call>(&x); c != nullptr && p_.reads_other_rows(e)) {
      f.details.push_back(history(e, *c));
      return;  // what it read is in other rows: the detail says which
    }
    if (p_.builtin(e) != dsl::kNoBuiltin && dsl::builtin_info(p_.builtin(e)).kind == dsl::BuiltinKind::kSubPeriod) {
      // Rolled up: what it read are the data's rows of the sub-periods, not this row's value.
      if (!root) f.details.push_back({dsl::unparse(m_, e), expr_val(e, row_), "", {}});
      return;
    }
    // Every traced inner value: calls, coef, bands, `if` conditions, compound arguments.
    if (!root && traced(e, row_)) f.details.push_back({dsl::unparse(m_, e), expr_val(e, row_), "", {}});
    ast::for_each_operand(m_.exprs, e, [&](ExprId child) { walk(child, false, f, seen); });
  }

  // A history or peer function: its value, and the periods or peers it read.
  Detail history(ExprId e, const ast::Call& c) const {
    Detail d;
    d.expr = dsl::unparse(m_, e);
    d.value = expr_val(e, row_);
    const dsl::Builtin f = p_.builtin(e);
    const ExprId arg = c.args[0];
    auto prev = [&](std::int64_t r) -> std::int64_t {
      return r < 0 || d_.prev_row.empty() ? -1 : d_.prev_row[static_cast<std::size_t>(r)];
    };
    auto arg_at = [&](std::int64_t r) { return expr_val(arg, static_cast<std::size_t>(r)); };
    if (f == dsl::Builtin::kPrev) {
      const std::int64_t p = prev(static_cast<std::int64_t>(row_));
      if (p < 0) {
        d.note = "无上一期数据, 取默认值";
      } else {
        d.history.push_back({period_of(static_cast<std::size_t>(p)), arg_at(p)});
        d.note = "上一期";
      }
    } else if (f == dsl::Builtin::kAvgPrev) {
      const std::int64_t n = ast::literal_value(std::get<ast::NumberLit>(m_.expr(c.args[1]))) / decimal::kOne;
      std::int64_t p = static_cast<std::int64_t>(row_);
      bool complete = true;
      for (std::int64_t k = 0; k < n; ++k) {
        p = prev(p);
        if (p < 0) {
          complete = false;
          break;
        }
        d.history.push_back({period_of(static_cast<std::size_t>(p)), arg_at(p)});
      }
      d.note = complete ? "前 " + std::to_string(n) + " 期的平均" : "前期数据不足 " + std::to_string(n) + " 期, 取默认值";
    } else if (f == dsl::Builtin::kStreak) {
      for (std::int64_t p = static_cast<std::int64_t>(row_); p >= 0; p = prev(p)) {
        d.history.push_back({period_of(static_cast<std::size_t>(p)), arg_at(p)});
        if (d.history.back().value.raw == 0) break;
      }
      d.note = "从本期往前连续成立的期数";
    } else {
      // rank, percentile, peer_avg: the rows of the same period (and group).
      const ast::NamedArg* within = named_arg(c, dsl::NamedArg::kWithin);
      const auto group = within ? traced(within->value, row_) : std::nullopt;
      std::size_t peers = 0;
      for (std::size_t r = 0; r < d_.rows; ++r) {
        if (!d_.period_index.empty() && d_.period_index[r] != d_.period_index[row_]) continue;
        if (group && traced(within->value, r) != group) continue;
        ++peers;
      }
      std::string where = within ? "同组 (" + dsl::unparse(m_, within->value) + " = " + expr_val(within->value, row_).text + ")" : "同期";
      if (f == dsl::Builtin::kRank) {
        d.note = where + " " + std::to_string(peers) + " 个中的名次";
      } else if (f == dsl::Builtin::kPercentile) {
        d.note = where + " " + std::to_string(peers) + " 个中的百分位";
      } else {
        d.note = where + " " + std::to_string(peers) + " 个的平均";
      }
    }
    return d;
  }

  // ---- indicators ----

  // Whether the engine dropped the indicator out of its parent on the row (`missing reweight`).
  bool dropped(SymbolId indicator) const {
    return std::any_of(r_.absent.begin(), r_.absent.end(),
                       [&](const AbsentColumn& a) { return a.indicator == indicator && a.values[row_] != 0; });
  }

  const RuleColumn* rule(RuleColumn::Kind kind, const std::string& name) const {
    for (const RuleColumn& rc : r_.rules) {
      if (rc.kind == kind && rc.name == name) return &rc;
    }
    return nullptr;
  }

  Node node(std::uint32_t index, int depth) const {
    const ast::IndicatorNode& n = m_.nodes[index];
    const dsl::NodeInfo& info = p_.nodes[index];
    const int places = p_.precision;
    Node out;
    out.name = n.name.name;
    out.path = p_.symbol(info.symbol).name;
    out.depth = depth;
    if (n.parent != ast::IndicatorNode::kNoNode) out.weight = dsl::unparse(n.weight);
    out.full = info.full;
    out.points = info.points;
    out.score = column(info.symbol)[row_];
    out.leaf = n.children.empty();
    if (out.leaf) {
      out.formula = formula(n.formula);
      const RuleColumn* missing = rule(RuleColumn::Kind::kMissing, out.path);
      out.missing = missing != nullptr && missing->values[row_] != 0;
      if (out.missing) {
        out.missing_rule = n.missing == ast::MissingRule::kZero           ? "zero"
                           : n.missing == ast::MissingRule::kPeerAverage ? "peer_average"
                                                                          : "reweight";
        out.missing_inputs = missing_under(n.formula, row_);
        out.absent = dropped(info.symbol);
        if (n.missing == ast::MissingRule::kPeerAverage) {
          out.base = out.score;  // the peers' average of the whole indicator, adjustments included
          return out;
        }
      } else {
        const std::int64_t v = out.formula->value.raw;
        out.clamp_limit = out.points ? out.full : kHundred;
        out.clamped = std::clamp<std::int64_t>(v, 0, out.clamp_limit);
        out.clamp = v < 0 ? -1 : v > out.clamp_limit ? 1 : 0;
        out.unrounded = out.points ? out.clamped
                                   : static_cast<std::int64_t>(decimal::div_round(Int128{out.clamped} * out.full, kHundred));
        out.base = decimal::round_to(out.unrounded, places);
      }
    } else {
      for (const std::uint32_t c : n.children) {
        out.children.push_back(node(c, depth + 1));
        const Node& child = out.children.back();
        out.sum += child.score;
        if (child.absent) out.absent_full += child.full;
      }
      out.base = out.sum;
      if (out.absent_full > 0) {
        out.reweighted = true;
        const std::int64_t present = out.full - out.absent_full;
        out.absent = dropped(info.symbol);
        out.base = present <= 0 ? 0
                                : decimal::round_to(static_cast<std::int64_t>(decimal::div_round(Int128{out.sum} * out.full, present)),
                                                    places);
      }
    }
    if (!n.adjusts.empty()) {
      out.adjusted = true;
      for (const ast::Adjust& a : n.adjusts) {
        out.adjustments.push_back(adjustment(a));
        Total& t = a.kind == ast::AdjustKind::kDeduct ? out.deductions : out.bonuses;
        t.total += out.adjustments.back().applied;
      }
      total_cap(out.deductions, n.deductions_max);
      total_cap(out.bonuses, n.bonuses_max);
    }
    return out;
  }

  Adjustment adjustment(const ast::Adjust& a) const {
    Adjustment out;
    out.bonus = a.kind == ast::AdjustKind::kBonus;
    out.name = a.name.name;
    out.amount = formula(a.amount);
    std::int64_t v = out.amount.value.raw;
    if (ast::present(a.per)) {
      out.per = formula(a.per);
      std::int64_t product = 0;
      v = decimal::mul(v, out.per->value.raw, product) ? product : 0;
    }
    if (ast::present(a.when)) {
      out.when = formula(a.when);
      if (out.when->value.raw == 0) v = 0;
    }
    out.computed = std::max<std::int64_t>(0, v);
    out.applied = out.computed;
    if (ast::present(a.max)) {
      out.cap = expr_val(a.max, row_).raw;
      out.capped = out.computed > *out.cap;
      out.applied = std::min(out.computed, *out.cap);
    }
    // The engine's own amount (after the cap) is the one reported.
    if (const RuleColumn* rc = rule(out.bonus ? RuleColumn::Kind::kBonus : RuleColumn::Kind::kDeduct, out.name)) {
      out.applied = rc->values[row_];
    }
    return out;
  }

  void total_cap(Total& t, ExprId cap) const {
    t.applied = t.total;
    if (!ast::present(cap)) return;
    t.cap = expr_val(cap, row_).raw;
    t.capped = t.total > *t.cap;
    t.applied = std::min(t.total, *t.cap);
  }

  // ---- lets and vetoes ----

  LetStep let(std::size_t i) const {
    LetStep s;
    s.name = m_.lets[i].name.name;
    s.formula = formula(m_.lets[i].value);
    s.formula.value = symbol_val(p_.find(s.name), row_);
    s.missing = s.formula.value.kind == Val::Kind::kMissing;
    return s;
  }

  EffectInfo effect(const dsl::ResolvedEffect& e) const {
    EffectInfo out;
    if (e.kind == ast::EffectKind::kFundZero) {
      out.kind = "fund_zero";
      if (!e.all_funds) out.target = m_.funds[e.target].name.name;
      out.text = e.all_funds ? "不参与资金分配" : "不参与 " + out.target + " 的分配";
      return out;
    }
    out.target = m_.bands[e.target].name.name;
    out.label = p_.domains[p_.band_domain[e.target]].labels[e.label];
    out.steps = e.steps;
    switch (e.kind) {
      case ast::EffectKind::kGradeForce:
        out.kind = "grade";
        out.text = out.target + " 定为 " + out.label;
        break;
      case ast::EffectKind::kGradeCap:
        out.kind = "grade_at_most";
        out.text = out.target + " 最高为 " + out.label;
        break;
      case ast::EffectKind::kGradeDown:
        out.kind = "grade_down";
        out.label.clear();
        out.text = out.target + " 降 " + std::to_string(e.steps) + " 档";
        break;
      default:
        out.kind = "alert";
        out.text = out.target + " 设为 " + out.label;
        break;
    }
    return out;
  }

  VetoStep veto(std::size_t i) const {
    const ast::VetoDecl& v = m_.vetoes[i];
    VetoStep s;
    s.name = v.name.name;
    s.condition = formula(v.when);
    s.fired = column(p_.find(s.name))[row_] != 0;
    s.reason = v.reason.value_or("");
    for (const dsl::ResolvedEffect& e : p_.veto_effects[i]) s.effects.push_back(effect(e));
    return s;
  }

  bool fired(std::size_t veto) const { return column(p_.find(m_.vetoes[veto].name.name))[row_] != 0; }

  // ---- grades and alerts ----

  BandStep band(std::size_t index) const {
    const ast::BandDecl& decl = m_.bands[index];
    const dsl::Domain& domain = p_.domains[p_.band_domain[index]];
    BandStep s;
    s.name = decl.name.name;
    s.alert = decl.kind == ast::BandKind::kAlert;
    s.of = formula(decl.of);
    std::int64_t label = 0;
    for (const ast::Band& b : decl.bands) {
      if (!b.has_interval || !b.interval.contains(s.of.value.raw)) continue;
      s.found = true;
      s.band = b.label.text;
      s.interval = dsl::unparse(b.interval);
      label = std::find(domain.labels.begin(), domain.labels.end(), b.label.text) - domain.labels.begin();
      break;
    }
    // The veto effects in the engine's order: caps, then drops, then forced grades (grades); the
    // most severe colour (alerts).
    struct Pending {
      std::size_t veto;
      dsl::ResolvedEffect effect;
    };
    std::vector<Pending> effects;
    for (std::size_t v = 0; v < m_.vetoes.size(); ++v) {
      if (!fired(v)) continue;
      for (const dsl::ResolvedEffect& e : p_.veto_effects[v]) {
        if (e.kind != ast::EffectKind::kFundZero && e.target == index) effects.push_back({v, e});
      }
    }
    const auto last = static_cast<std::int64_t>(domain.labels.size()) - 1;
    auto apply = [&](const Pending& pe, std::int64_t after) {
      s.effects.push_back({m_.vetoes[pe.veto].name.name, effect(pe.effect).text, domain.labels[static_cast<std::size_t>(label)],
                           domain.labels[static_cast<std::size_t>(after)]});
      if (after != label && std::find(s.changed_by.begin(), s.changed_by.end(), s.effects.back().veto) == s.changed_by.end()) {
        s.changed_by.push_back(s.effects.back().veto);
      }
      label = after;
    };
    if (s.alert) {
      for (const Pending& pe : effects) apply(pe, std::min<std::int64_t>(label, pe.effect.label));
    } else {
      for (const Pending& pe : effects) {
        if (pe.effect.kind == ast::EffectKind::kGradeCap) apply(pe, std::max<std::int64_t>(label, pe.effect.label));
      }
      for (const Pending& pe : effects) {
        if (pe.effect.kind == ast::EffectKind::kGradeDown) apply(pe, std::min(last, label + pe.effect.steps));
      }
      std::int64_t forced = -1;
      for (const Pending& pe : effects) {
        if (pe.effect.kind != ast::EffectKind::kGradeForce) continue;
        forced = std::max<std::int64_t>(forced, pe.effect.label);
        apply(pe, forced);
      }
    }
    const auto final_label = static_cast<std::size_t>(column(p_.find(s.name))[row_]);
    s.label = domain.labels[final_label];
    const ast::Band& b = decl.bands[final_label];
    if (b.deadline) s.deadline = dsl::deadline_length(*b.deadline).str(Lang::kZh);
    s.text = b.text.value_or("");
    return s;
  }

  // ---- funds ----

  FundStep fund(std::size_t index) const {
    const ast::FundDecl& f = m_.funds[index];
    const FundResult& fr = r_.funds[index];
    FundStep s;
    s.name = f.name.name;
    s.pool_expr = dsl::unparse(m_, f.pool);
    if (ast::present(f.per_group)) s.per_expr = dsl::unparse(m_, f.per_group);
    s.fund_pool = fr.pool;
    s.total = fr.totals[row_];
    for (std::size_t k = 0; k < f.tracks.size(); ++k) {
      const TrackResult& tr = fr.tracks[k];
      if (!tr.split_of.empty() && tr.split_of[row_] >= 0) {
        s.group = tr.splits[static_cast<std::size_t>(tr.split_of[row_])].group;
        break;
      }
    }
    for (const GroupResult& g : fr.groups) {
      if (g.group == s.group) s.group_pool = g.pool;
    }
    for (std::size_t k = 0; k < f.tracks.size(); ++k) s.tracks.push_back(track(index, k));
    return s;
  }

  TrackStep track(std::size_t fund_index, std::size_t k) const {
    const ast::Track& t = m_.funds[fund_index].tracks[k];
    const TrackResult& tr = r_.funds[fund_index].tracks[k];
    TrackStep s;
    s.name = t.name.name;
    s.share = dsl::unparse(t.share);
    s.mode = t.mode;
    if (t.mode == ast::TrackMode::kTop) {
      s.top = decimal::to_string(t.top_raw) + (t.top_percent ? "%" : "") +
              (t.top_base == ast::TopBase::kAll ? " 占全部" : "") + (t.top_rounding == ast::TopRounding::kUp ? " 向上取整" : "");
    }
    for (std::size_t v = 0; v < m_.vetoes.size(); ++v) {
      if (!fired(v)) continue;
      for (const dsl::ResolvedEffect& e : p_.veto_effects[v]) {
        if (e.kind == ast::EffectKind::kFundZero && (e.all_funds || e.target == fund_index)) {
          s.excluded_by.push_back(m_.vetoes[v].name.name);
          break;
        }
      }
    }
    s.eligible = s.excluded_by.empty();
    if (ast::present(t.when)) {
      s.when = formula(t.when);
      if (s.when->value.raw == 0) s.eligible = false;
    }
    const bool split_by = t.mode == ast::TrackMode::kSplitBy;
    const ExprId weight = split_by ? t.by : t.proportional;
    if (ast::present(weight)) {
      s.weight = formula(weight);
      s.money_weight = p_.type(weight).kind == TypeKind::kMoney;
    }
    s.amount = tr.amounts[row_];
    s.extra = tr.extra_fen[row_] != 0;
    if (tr.split_of.empty() || tr.split_of[row_] < 0) return s;
    const auto split_index = tr.split_of[row_];
    const TrackSplit& split = tr.splits[static_cast<std::size_t>(split_index)];
    s.has_split = true;
    s.pool = split.pool;
    s.total_weight = split.total_weight;
    s.recipients = split.rows;
    s.in_split = tr.in_split[row_] != 0;
    s.w = tr.weights[row_];
    s.denominator = tr.weight_denominator;
    if (t.mode == ast::TrackMode::kTop) {
      s.rank = formula(t.by);
      s.in_top = s.in_split;
      std::optional<std::size_t> lowest;
      for (std::size_t r = 0; r < d_.rows; ++r) {
        if (tr.split_of[r] != split_index || tr.in_split[r] == 0) continue;
        if (!lowest || expr_val(t.by, r).raw < expr_val(t.by, *lowest).raw) lowest = r;
      }
      if (lowest) s.lowest_in_top = expr_val(t.by, *lowest);
    }
    // Every recipient's whole fen, and what is left for the largest remainders.
    if (s.total_weight > 0) {
      Int128 whole_sum = 0;
      for (std::size_t r = 0; r < d_.rows; ++r) {
        if (tr.split_of[r] != split_index || tr.in_split[r] == 0) continue;
        whole_sum += Int128{split.pool} * tr.weights[r] / s.total_weight;
      }
      s.leftover = static_cast<std::int64_t>(split.pool - whole_sum);
      if (s.in_split) {
        s.numerator = Int128{split.pool} * s.w;
        s.whole = s.numerator / s.total_weight;
        s.remainder = s.numerator % s.total_weight;
      }
    }
    return s;
  }

  const dsl::CheckedPolicy& p_;
  const ast::Module& m_;
  const Dataset& d_;
  const EvalResult& r_;
  std::size_t row_;
};

// ---- text ----

class TextWriter {
 public:
  explicit TextWriter(const Explanation& x) : x_(x) {}

  std::string write() {
    line(0, "【" + x_.subject + " " + x_.key + "】 " + x_.policy + " " + x_.version);
    std::string where = "数据第 " + std::to_string(x_.shown_row) + " 行 (" + x_.key_column + " = " + x_.key + ")";
    if (!x_.period.empty()) {
      where += ", 评价期 " + x_.period + (x_.first_period != x_.period ? " (历史数据自 " + x_.first_period + ")" : "");
    }
    line(0, where);
    if (!x_.segment.empty()) line(0, "分类 " + x_.segment + " (" + x_.segment_when + "): 按该分类的指标树评分");
    if (!x_.trees.empty()) {
      blank();
      line(0, "一、指标得分");
      for (const Node& n : x_.trees) node(n, 1);
    }
    if (!x_.lets.empty()) {
      blank();
      line(0, "二、中间值");
      for (const LetStep& l : x_.lets) {
        line(1, l.name + " = " + l.formula.text + " = " + val(l.formula.value));
        inner(l.formula, 2, false);
      }
    }
    if (!x_.vetoes.empty()) {
      blank();
      line(0, "三、否决");
      for (const VetoStep& v : x_.vetoes) veto(v);
    }
    if (!x_.bands.empty()) {
      blank();
      line(0, "四、等级与预警");
      for (const BandStep& b : x_.bands) band(b);
    }
    if (!x_.funds.empty()) {
      blank();
      line(0, "五、资金");
      for (const FundStep& f : x_.funds) fund(f);
    }
    if (x_.has_rules) {
      blank();
      line(0, "六、触发规则 (结果中 触发规则 一列)");
      if (x_.reasons.empty()) line(1, "无");
      for (const ReasonEntry& e : x_.reasons) line(1, reason_entry_display(e));
    }
    return out_;
  }

 private:
  void line(int indent, const std::string& text) {
    out_.append(static_cast<std::size_t>(indent) * 2, ' ');
    out_ += bullet_;
    out_ += text;
    out_ += '\n';
  }
  void blank() { out_ += '\n'; }

  std::string score(std::int64_t raw) const { return decimal::format(raw, decimal::kPlaces, x_.precision); }
  static std::string num(std::int64_t raw) { return decimal::to_string(raw); }

  std::string rounded_to_precision() const { return "四舍五入到 " + std::to_string(x_.precision) + " 位小数"; }

  // The end of a line `a × b ÷ c` whose product is `product` (raw × raw) and divisor `divisor`
  // (raw): ` = ` the engine's result at 6 decimals (`at6`) when that is the exact quotient, else
  // ` ≈ ` it and that it was rounded there; then, when the policy's precision changed it, the
  // score it was rounded to (`rounded`). Every `=` it prints holds exactly: an auditor who redoes
  // the line gets the same number, or is told where it was rounded.
  std::string quotient(Int128 product, std::int64_t divisor, std::int64_t at6, std::int64_t rounded) const {
    const bool exact = divisor != 0 && product % divisor == 0;
    std::string out = exact ? " = " : " ≈ ";
    if (at6 == rounded) {
      out += score(rounded) + "分";
      if (!exact) out += " (保留 " + std::to_string(decimal::kPlaces) + " 位小数)";
      return out;
    }
    out += num(at6);
    if (!exact) out += " (保留 " + std::to_string(decimal::kPlaces) + " 位小数)";
    return out + " → " + score(rounded) + "分 (" + rounded_to_precision() + ")";
  }
  static std::string money(std::int64_t fen) { return decimal::format_yuan_grouped(fen) + "元"; }

  std::string val(const Val& v) const {
    if (v.exact) {
      const std::string text = exact_val_text(v, x_.precision, true);
      return v.kind == Val::Kind::kMoney ? grouped(text) + "元" : v.kind == Val::Kind::kScore ? text + "分" : text;
    }
    switch (v.kind) {
      case Val::Kind::kNumber: return num(v.raw);
      case Val::Kind::kScore: return score(v.raw) + "分";
      case Val::Kind::kPercent: return num(v.raw) + "%";
      case Val::Kind::kMoney: return money(v.raw);
      case Val::Kind::kBool: return v.raw ? "是" : "否";
      case Val::Kind::kText: return v.text.empty() ? "(空)" : v.text;
      case Val::Kind::kList:
      case Val::Kind::kNumberList: {
        if (v.items.empty()) return "(空)";
        std::string s;
        for (const auto& i : v.items) s += (s.empty() ? "" : "、") + i;
        return s;
      }
      case Val::Kind::kSet: {
        std::string s;
        for (const auto& i : v.items) s += (s.empty() ? "{ \"" : ", \"") + i + "\"";
        return s.empty() ? "{ }" : s + " }";
      }
      case Val::Kind::kMissing: return "缺项 (无数据)";
    }
    return "";
  }

  std::string reads(const std::vector<Read>& rs) const {
    std::string s;
    for (const Read& r : rs) s += (s.empty() ? "" : ", ") + r.name + " = " + val(r.value);
    return s;
  }

  // The names a formula read and its inner values, one line each, at `indent`.
  void inner(const Formula& f, int indent, bool with_formula) {
    if (with_formula) line(indent, "公式: " + f.text);
    if (!f.reads.empty()) line(indent, "读取: " + reads(f.reads));
    for (const Detail& d : f.details) {
      std::string s = d.expr + " = " + val(d.value);
      if (!d.note.empty() || !d.history.empty()) {
        s += " (" + d.note;
        if (!d.history.empty()) {
          s += d.note.empty() ? "" : ": ";
          for (std::size_t i = 0; i < d.history.size(); ++i) {
            s += (i ? ", " : "") + d.history[i].period + " " + val(d.history[i].value);
          }
        }
        s += ")";
      }
      line(indent, "其中: " + s);
    }
  }

  // A node's line at `level`; its details one level deeper, marked `·`, after its sub-indicators.
  void node(const Node& n, int level) {
    std::string head = n.name;
    if (!n.weight.empty()) head += "  权重 " + n.weight;
    head += "  满分 " + num(n.full) + "分  得分 " + (n.absent ? std::string("不计 (缺项)") : score(n.score) + "分");
    line(level, head);
    for (const Node& c : n.children) node(c, level + 1);
    bullet_ = "· ";
    details(n, level + 1);
    bullet_.clear();
  }

  void details(const Node& n, int in) {
    if (n.leaf) {
      inner(*n.formula, in, true);
      if (n.missing) {
        std::string names;
        for (const auto& m : n.missing_inputs) names += (names.empty() ? "" : "、") + m;
        const std::string rule = n.missing_rule == "zero"           ? "按 0 分计 (missing zero)"
                                 : n.missing_rule == "peer_average" ? "按同期平均分 " + score(n.base) + "分计 (missing peer_average)"
                                                                    : "不参与计分, 由同级指标按权重分摊 (missing reweight)";
        line(in, "缺项: " + names + " 无数据, " + rule);
        if (n.missing_rule == "peer_average") return;
      } else {
        line(in, "公式值: " + num(n.formula->value.raw));
        if (n.clamp > 0) {
          line(in, "公式值高于 " + num(n.clamp_limit) + ", 按 " + num(n.clamp_limit) + " 计 (满分为止)");
        } else if (n.clamp < 0) {
          line(in, "公式值低于 0, 按 0 计 (扣完为止)");
        }
        std::string calc = "折算: " + num(n.clamped);
        if (n.points) {
          calc += n.unrounded != n.base ? " → " + score(n.base) + "分 (" + rounded_to_precision() + ")" : std::string("分");
        } else {
          calc += " × " + num(n.full) + "分 ÷ 100" + quotient(Int128{n.clamped} * n.full, kHundred, n.unrounded, n.base);
        }
        line(in, calc);
      }
    } else {
      std::string sum;
      std::string absent;
      for (const Node& c : n.children) {
        if (c.absent) {
          absent += (absent.empty() ? "" : "、") + c.name;
          continue;
        }
        sum += (sum.empty() ? "" : " + ") + score(c.score);
      }
      line(in, "合计: " + (sum.empty() ? "0" : sum) + " = " + score(n.sum) + "分" +
                   (absent.empty() ? "" : " (" + absent + " 缺项, 不计)"));
      if (n.reweighted) {
        if (n.absent) {
          line(in, "下级指标全部缺项: 本项不参与计分, 由同级指标分摊");
        } else {
          const std::int64_t present = n.full - n.absent_full;
          const Int128 product = Int128{n.sum} * n.full;
          line(in, "重新加权: " + score(n.sum) + " × " + num(n.full) + " ÷ (" + num(n.full) + " − " + num(n.absent_full) + ")" +
                       quotient(product, present, static_cast<std::int64_t>(decimal::div_round(product, present)), n.base));
        }
      }
    }
    if (!n.adjusted) return;
    bool deducts = false;
    bool bonuses = false;
    for (const Adjustment& a : n.adjustments) {
      adjustment(a, in);
      (a.bonus ? bonuses : deducts) = true;
    }
    total("扣分", n.deductions, in, "扣分合计 最多");
    total("加分", n.bonuses, in, "加分合计 最多");
    std::string result = "结果: " + score(n.base);
    if (deducts) {
      result += " − 扣分 " + num(n.deductions.applied);
      if (Int128{n.base} - n.deductions.applied < 0) result += " → 0 (扣完为止)";
    }
    if (bonuses) result += " + 加分 " + num(n.bonuses.applied);
    line(in, result + " = " + score(n.score) + "分");
  }

  void adjustment(const Adjustment& a, int indent) {
    std::string s = std::string(a.bonus ? "加分 " : "扣分 ") + a.name + ": ";
    if (a.when && a.when->value.raw == 0) {
      s += "条件 " + a.when->text + " 不成立 → 0分";
    } else {
      if (a.when) s += "条件 " + a.when->text + " 成立; ";
      if (a.per) {
        s += num(a.amount.value.raw) + " × " + a.per->text + " (" + num(a.per->value.raw) + ") = " + num(a.computed) + "分";
      } else {
        s += a.amount.text + " = " + num(a.computed) + "分";
      }
      if (a.cap) {
        s += ", 上限 " + num(*a.cap) + "分";
        if (a.capped) s += ", 按上限计 " + num(a.applied) + "分 (上限起作用)";
      }
    }
    line(indent, s);
    std::vector<Read> rs;
    std::vector<Detail> ds;
    for (const Formula* f : {&a.amount, a.per ? &*a.per : nullptr, a.when ? &*a.when : nullptr}) {
      if (f == nullptr) continue;
      for (const Read& r : f->reads) {
        if (std::none_of(rs.begin(), rs.end(), [&](const Read& x) { return x.name == r.name; })) rs.push_back(r);
      }
      ds.insert(ds.end(), f->details.begin(), f->details.end());
    }
    Formula merged;
    merged.reads = std::move(rs);
    merged.details = std::move(ds);
    inner(merged, indent + 1, false);
  }

  void total(const std::string& what, const Total& t, int indent, const std::string& keyword) {
    if (!t.cap) return;
    std::string s = what + "合计 " + num(t.total) + "分, 封顶 (" + keyword + ") " + num(*t.cap) + "分";
    s += t.capped ? ", 按上限计 " + num(t.applied) + "分 (上限起作用)" : "";
    line(indent, s);
  }

  void veto(const VetoStep& v) {
    line(1, v.name + ": " + (v.fired ? "触发" : "未触发"));
    line(2, "条件: " + v.condition.text);
    inner(v.condition, 2, false);
    if (!v.fired) return;
    line(2, "理由: " + v.reason);
    std::string effects;
    for (const EffectInfo& e : v.effects) effects += (effects.empty() ? "" : "; ") + e.text;
    line(2, "效果: " + effects);
  }

  void band(const BandStep& b) {
    line(1, b.name + ": " + b.label);
    line(2, "评定依据: " + b.of.text + " = " + val(b.of.value));
    if (!(b.of.reads.size() == 1 && b.of.reads[0].name == b.of.text)) inner(b.of, 2, false);
    line(2, b.found ? "所在档: " + b.band + " " + b.interval : "所在档: 无");
    for (const BandEffect& e : b.effects) {
      line(2, "否决 " + e.veto + " (" + e.effect + "): " + e.before + " → " + e.after + (e.before == e.after ? " (不变)" : ""));
    }
    std::string result = "结果: " + b.label;
    if (!b.changed_by.empty()) {
      std::string by;
      for (const auto& v : b.changed_by) by += (by.empty() ? "" : "、") + v;
      result += " (由否决 " + by + " 改变, 区间结果为 " + b.band + ")";
    }
    line(2, result);
    if (!b.deadline.empty()) line(2, "期限: " + b.deadline);
    if (!b.text.empty()) line(2, std::string(b.alert ? "措施: " : "说明: ") + b.text);
  }

  // A weight (or a sum of weights) in the unit of the track's weight formula, exactly.
  std::string weight_text(const TrackStep& t, Int128 w) const {
    if (!t.weight) return decimal::int128_to_string(w);
    if (t.money_weight) return grouped(weight_value(t, w, true)) + "元";
    if (t.weight->value.kind == Val::Kind::kScore) return weight_value(t, w, true) + "分";
    return weight_value(t, w, true);
  }

  // "1234567.891" → "1,234,567.891".
  static std::string grouped(std::string s) {
    const std::size_t first = s.find_first_of("0123456789");
    std::size_t end = s.find('.');
    if (end == std::string::npos) end = s.find_first_not_of("0123456789", first);
    if (end == std::string::npos) end = s.size();
    for (std::size_t i = end; i > first + 3; i -= 3) s.insert(i - 3, ",");
    return s;
  }

  std::string weight_value(const TrackStep& t, Int128 w, bool mark_inexact) const {
    return exact_weight_text(t, w, x_.precision, mark_inexact);
  }

  void fund(const FundStep& f) {
    line(1, f.name + ": 资金总额 " + money(f.fund_pool) + " (" + f.pool_expr + ")");
    if (!f.per_expr.empty()) line(2, "按 " + f.per_expr + " 分组: 本" + x_.subject + "属 " + f.group + ", 该组资金 " + money(f.group_pool));
    for (const TrackStep& t : f.tracks) track(t, !f.per_expr.empty());
    line(2, f.name + " 合计: " + money(f.total));
  }

  void track(const TrackStep& t, bool grouped) {
    std::string how;
    switch (t.mode) {
      case ast::TrackMode::kSplitBy: how = "按 " + t.weight->text + " 分配"; break;
      case ast::TrackMode::kEqually: how = "平均分配"; break;
      case ast::TrackMode::kTop:
        how = "按 " + t.rank->text + " 取前 " + t.top + (t.top.find('%') != std::string::npos ? "" : " 名") + ", " +
              (t.weight ? "按 " + t.weight->text + " 比例分配" : "平均分配");
        break;
    }
    if (t.mode == ast::TrackMode::kTop && !t.rank) how = "取前 " + t.top;
    line(2, t.name + " (" + t.share + ", " + how + ")");
    if (t.has_split) line(3, "本项资金: " + money(t.pool));
    std::string why;
    if (t.when) why = "条件 " + t.when->text + ": " + (t.when->value.raw ? "成立" : "不成立");
    for (const auto& v : t.excluded_by) why += (why.empty() ? "" : "; ") + ("否决 " + v + " 触发, 不参与分配");
    line(3, "资格: " + std::string(t.eligible ? "符合" : "不符合") + (why.empty() ? "" : " (" + why + ")"));
    if (t.when) inner(*t.when, 4, false);
    if (t.eligible && t.rank) {
      const std::string top = t.top + (t.top.find('%') != std::string::npos ? "" : " 名");
      std::string s = "排名依据: " + t.rank->text + " = " + val(t.rank->value);
      if (t.lowest_in_top) {
        s += (t.in_top ? ", 入选前 " : ", 未入选前 ") + top + " (入选者最低 " + val(*t.lowest_in_top) + ")";
      }
      line(3, s);
    }
    if (!t.in_split) {
      line(3, "实得: " + money(t.amount));
      return;
    }
    const std::string w = weight_text(t, t.w);
    const std::string who = std::string(grouped ? "本组" : "") + "参与分配 " + std::to_string(t.recipients) + " 个" + x_.subject;
    const std::string total = weight_text(t, t.total_weight);
    if (t.weight) {
      line(3, "权重: " + t.weight->text + " = " + w);
      inner(*t.weight, 4, false);
      line(3, who + ", 权重合计 " + total);
    } else {
      line(3, "权重: 每个 1; " + who + ", 权重合计 " + total);
    }
    if (t.total_weight == 0) {
      line(3, "实得: " + money(t.amount));
      return;
    }
    std::string share = "应得: " + money(t.pool) + " × " + w + " ÷ " + total + " = " +
                        money(static_cast<std::int64_t>(t.whole));
    if (t.remainder != 0) {
      const Int128 g = gcd128(t.remainder, t.total_weight);
      share += " + " + decimal::int128_to_string(t.remainder / g) + "/" + decimal::int128_to_string(t.total_weight / g) + "分";
    } else {
      share += " (恰好整分)";
    }
    line(3, share);
    std::string got = "实得: " + money(t.amount);
    const std::string left = std::string(grouped ? "本组" : "") + "各得整分后余 " + std::to_string(t.leftover) +
                             "分, 按余数从大到小每个补 1分";
    if (t.extra) {
      got += " = 整分 " + money(static_cast<std::int64_t>(t.whole)) + " + 补 1分 (" + left + ")";
    } else if (t.remainder != 0) {
      got += " (只得整分: " + left + ", 未轮到本" + x_.subject + ")";
    }
    line(3, got);
  }

  const Explanation& x_;
  std::string out_;
  std::string bullet_;  ///< before every line: `· ` for an indicator's details
};

// ---- JSON ----

class JsonOut {
 public:
  explicit JsonOut(const Explanation& x) : x_(x), w_(out_) {}

  std::string write() {
    w_.begin_object();
    str("policy", x_.policy);
    str("version", x_.version);
    str("engine", "jixiao " + std::string(kVersion));
    str("subject", x_.subject);
    str("key_column", x_.key_column);
    str("key", x_.key);
    w_.key("row");
    w_.integer(static_cast<std::int64_t>(x_.shown_row));
    w_.key("period");
    w_.string_or_null(x_.period);
    if (!x_.segment.empty()) {
      str("segment", x_.segment);
      str("segment_when", x_.segment_when);
    }
    w_.key("indicators");
    w_.begin_array();
    for (const Node& n : x_.trees) node(n);
    w_.end_array();
    w_.key("lets");
    w_.begin_array();
    for (const LetStep& l : x_.lets) {
      w_.begin_object();
      str("name", l.name);
      formula_fields(l.formula);
      w_.end_object();
    }
    w_.end_array();
    w_.key("vetoes");
    w_.begin_array();
    for (const VetoStep& v : x_.vetoes) veto(v);
    w_.end_array();
    w_.key("bands");
    w_.begin_array();
    for (const BandStep& b : x_.bands) band(b);
    w_.end_array();
    w_.key("funds");
    w_.begin_array();
    for (const FundStep& f : x_.funds) fund(f);
    w_.end_array();
    w_.key("reasons");
    w_.begin_array();
    for (const ReasonEntry& e : x_.reasons) write_reason_json(w_, e);
    w_.end_array();
    w_.end_object();
    return pretty(out_);
  }

 private:
  void str(std::string_view k, const std::string& v) {
    w_.key(k);
    w_.string(v);
  }
  void score(std::string_view k, std::int64_t raw) {
    w_.key(k);
    w_.number_text(decimal::format(raw, decimal::kPlaces, x_.precision));
  }
  void num(std::string_view k, std::int64_t raw) {
    w_.key(k);
    w_.number_text(decimal::to_string(raw));
  }
  void money(std::string_view k, std::int64_t fen) {
    w_.key(k);
    w_.number_text(decimal::format_yuan(fen));
  }
  void boolean(std::string_view k, bool b) {
    w_.key(k);
    w_.boolean(b);
  }
  void opt_num(std::string_view k, const std::optional<std::int64_t>& v) {
    w_.key(k);
    if (v) {
      w_.number_text(decimal::to_string(*v));
    } else {
      w_.null();
    }
  }
  void opt_str(std::string_view k, const std::string& v) {
    w_.key(k);
    w_.string_or_null(v);
  }

  void val(const Val& v) {
    if (v.exact) {
      w_.number_text(exact_val_text(v, x_.precision, false));
      return;
    }
    switch (v.kind) {
      case Val::Kind::kNumber:
      case Val::Kind::kPercent: w_.number_text(decimal::to_string(v.raw)); return;
      case Val::Kind::kScore: w_.number_text(decimal::format(v.raw, decimal::kPlaces, x_.precision)); return;
      case Val::Kind::kMoney: w_.number_text(decimal::format_yuan(v.raw)); return;
      case Val::Kind::kBool: w_.boolean(v.raw != 0); return;
      case Val::Kind::kText: w_.string(v.text); return;
      case Val::Kind::kList:
      case Val::Kind::kSet:
        w_.begin_array();
        for (const auto& i : v.items) w_.string(i);
        w_.end_array();
        return;
      case Val::Kind::kNumberList:
        w_.begin_array();
        for (const auto& i : v.items) w_.number_text(i);
        w_.end_array();
        return;
      case Val::Kind::kMissing: w_.null(); return;
    }
  }

  void formula_fields(const Formula& f) {
    str("text", f.text);
    w_.key("value");
    val(f.value);
    w_.key("reads");
    w_.begin_array();
    for (const Read& r : f.reads) {
      w_.begin_object();
      str("name", r.name);
      w_.key("value");
      val(r.value);
      w_.end_object();
    }
    w_.end_array();
    w_.key("values");
    w_.begin_array();
    for (const Detail& d : f.details) {
      w_.begin_object();
      str("expression", d.expr);
      w_.key("value");
      val(d.value);
      if (!d.note.empty()) str("note", d.note);
      if (!d.history.empty()) {
        w_.key("history");
        w_.begin_array();
        for (const HistoryItem& h : d.history) {
          w_.begin_object();
          str("period", h.period);
          w_.key("value");
          val(h.value);
          w_.end_object();
        }
        w_.end_array();
      }
      w_.end_object();
    }
    w_.end_array();
  }

  void formula(std::string_view k, const std::optional<Formula>& f) {
    w_.key(k);
    if (!f) {
      w_.null();
      return;
    }
    w_.begin_object();
    formula_fields(*f);
    w_.end_object();
  }

  void total(std::string_view k, const Total& t) {
    w_.key(k);
    w_.begin_object();
    num("total", t.total);
    opt_num("cap", t.cap);
    boolean("capped", t.capped);
    num("applied", t.applied);
    w_.end_object();
  }

  void node(const Node& n) {
    w_.begin_object();
    str("name", n.name);
    str("path", n.path);
    w_.key("depth");
    w_.integer(n.depth);
    opt_str("weight", n.weight);
    num("full_marks", n.full);
    if (n.leaf) {
      formula("formula", n.formula);
      w_.key("missing");
      if (n.missing) {
        w_.begin_object();
        str("rule", n.missing_rule);
        w_.key("inputs");
        w_.begin_array();
        for (const auto& i : n.missing_inputs) w_.string(i);
        w_.end_array();
        w_.end_object();
      } else {
        w_.null();
        w_.key("clamped");
        if (n.clamp == 0) {
          w_.null();
        } else {
          w_.string(n.clamp > 0 ? "to_maximum" : "to_zero");
        }
        num("clamped_value", n.clamped);
        num("unrounded_points", n.unrounded);
      }
      score("points", n.base);
    } else {
      w_.key("children");
      w_.begin_array();
      for (const Node& c : n.children) node(c);
      w_.end_array();
      score("sum", n.sum);
      w_.key("reweighted");
      if (n.reweighted) {
        w_.begin_object();
        num("absent_full_marks", n.absent_full);
        score("points", n.base);
        w_.end_object();
      } else {
        w_.null();
      }
    }
    boolean("absent", n.absent);
    w_.key("adjustments");
    w_.begin_array();
    for (const Adjustment& a : n.adjustments) {
      w_.begin_object();
      str("kind", a.bonus ? "bonus" : "deduct");
      str("name", a.name);
      formula("amount", a.amount);
      formula("per", a.per);
      formula("when", a.when);
      num("computed", a.computed);
      opt_num("cap", a.cap);
      boolean("capped", a.capped);
      num("applied", a.applied);
      w_.end_object();
    }
    w_.end_array();
    if (n.adjusted) {
      total("deductions", n.deductions);
      total("bonuses", n.bonuses);
    }
    if (n.absent) {
      w_.key("score");
      w_.null();
    } else {
      score("score", n.score);
    }
    w_.end_object();
  }

  void veto(const VetoStep& v) {
    w_.begin_object();
    str("name", v.name);
    formula("condition", v.condition);
    boolean("fired", v.fired);
    str("reason", v.reason);
    w_.key("effects");
    w_.begin_array();
    for (const EffectInfo& e : v.effects) {
      w_.begin_object();
      str("kind", e.kind);
      opt_str("target", e.target);
      if (e.kind == "grade_down") {
        w_.key("steps");
        w_.integer(e.steps);
      } else if (e.kind != "fund_zero") {
        str("label", e.label);
      }
      str("text", e.text);
      w_.end_object();
    }
    w_.end_array();
    w_.end_object();
  }

  void band(const BandStep& b) {
    w_.begin_object();
    str("name", b.name);
    str("kind", b.alert ? "alert" : "grade");
    formula("of", b.of);
    w_.key("band");
    if (b.found) {
      w_.begin_object();
      str("label", b.band);
      str("interval", b.interval);
      w_.end_object();
    } else {
      w_.null();
    }
    w_.key("effects");
    w_.begin_array();
    for (const BandEffect& e : b.effects) {
      w_.begin_object();
      str("veto", e.veto);
      str("effect", e.effect);
      str("from", e.before);
      str("to", e.after);
      w_.end_object();
    }
    w_.end_array();
    str("label", b.label);
    w_.key("changed_by");
    w_.begin_array();
    for (const auto& v : b.changed_by) w_.string(v);
    w_.end_array();
    opt_str("deadline", b.deadline);
    opt_str(b.alert ? "action" : "text", b.text);
    w_.end_object();
  }

  void weight(std::string_view k, const TrackStep& t, Int128 w) {
    w_.key(k);
    w_.number_text(t.weight ? exact_weight_text(t, w, x_.precision, false) : decimal::int128_to_string(w));
  }

  void fund(const FundStep& f) {
    w_.begin_object();
    str("name", f.name);
    str("pool_expression", f.pool_expr);
    money("pool", f.fund_pool);
    opt_str("per", f.per_expr);
    opt_str("group", f.per_expr.empty() ? "" : f.group);
    money("group_pool", f.group_pool);
    w_.key("tracks");
    w_.begin_array();
    for (const TrackStep& t : f.tracks) {
      w_.begin_object();
      str("name", t.name);
      str("track_share", t.share);
      str("mode", t.mode == ast::TrackMode::kSplitBy ? "split_by" : t.mode == ast::TrackMode::kEqually ? "equally" : "top");
      opt_str("top", t.top);
      formula("when", t.when);
      w_.key("excluded_by");
      w_.begin_array();
      for (const auto& v : t.excluded_by) w_.string(v);
      w_.end_array();
      boolean("eligible", t.eligible);
      formula("rank_by", t.rank);
      if (t.rank) {
        boolean("in_top", t.in_top);
        w_.key("lowest_in_top");
        if (t.lowest_in_top) {
          val(*t.lowest_in_top);
        } else {
          w_.null();
        }
      }
      formula("weight_formula", t.weight);
      w_.key("pool");
      if (t.has_split) {
        w_.number_text(decimal::format_yuan(t.pool));
      } else {
        w_.null();
      }
      boolean("in_split", t.in_split);
      if (t.in_split) {
        weight("weight", t, t.w);
        weight("total_weight", t, t.total_weight);
        w_.key("recipients");
        w_.integer(static_cast<std::int64_t>(t.recipients));
        if (t.total_weight != 0) {
          const Int128 g = gcd128(t.numerator, t.total_weight);
          w_.key("exact_share_fen");
          w_.string(decimal::int128_to_string(t.numerator / g) + "/" + decimal::int128_to_string(t.total_weight / g));
          w_.key("whole_fen");
          w_.number_text(decimal::int128_to_string(t.whole));
          const Int128 rg = t.remainder == 0 ? 1 : gcd128(t.remainder, t.total_weight);
          w_.key("remainder_fen");
          w_.string(t.remainder == 0 ? "0" : decimal::int128_to_string(t.remainder / rg) + "/" + decimal::int128_to_string(t.total_weight / rg));
          w_.key("leftover_fen");
          w_.integer(t.leftover);
        }
      }
      boolean("extra_fen", t.extra);
      money("amount", t.amount);
      w_.end_object();
    }
    w_.end_array();
    money("total", f.total);
    w_.end_object();
  }

  // Indents the one-line document: two spaces per level, `"key": value`, empty [] and {} kept.
  static std::string pretty(const std::string& in) {
    std::string out;
    int depth = 0;
    bool in_string = false;
    auto newline = [&]() {
      out += '\n';
      out.append(static_cast<std::size_t>(depth) * 2, ' ');
    };
    for (std::size_t i = 0; i < in.size(); ++i) {
      const char c = in[i];
      if (in_string) {
        out += c;
        if (c == '\\') {
          out += in[++i];
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      switch (c) {
        case '"':
          in_string = true;
          out += c;
          break;
        case '{':
        case '[':
          out += c;
          if (i + 1 < in.size() && (in[i + 1] == '}' || in[i + 1] == ']')) {
            out += in[++i];
            break;
          }
          ++depth;
          newline();
          break;
        case '}':
        case ']':
          --depth;
          newline();
          out += c;
          break;
        case ',':
          out += c;
          newline();
          break;
        case ':':
          out += ": ";
          break;
        default:
          out += c;
          break;
      }
    }
    out += '\n';
    return out;
  }

  const Explanation& x_;
  std::string out_;
  JsonWriter w_;
};

}  // namespace

std::vector<ast::ExprId> explain_trace(const dsl::CheckedPolicy& policy) {
  const ast::Module& m = policy.module;
  std::vector<ExprId> out;
  auto root = [&](ExprId e) { collect_traced(policy, e, true, out); };
  for (const ast::IndicatorNode& n : m.nodes) {
    if (n.detached) continue;
    if (ast::present(n.formula)) root(n.formula);
    for (const ast::Adjust& a : n.adjusts) {
      for (const ExprId e : {a.amount, a.per, a.when, a.max}) {
        if (ast::present(e)) root(e);
      }
    }
    if (ast::present(n.deductions_max)) root(n.deductions_max);
    if (ast::present(n.bonuses_max)) root(n.bonuses_max);
  }
  for (const ast::LetDecl& l : m.lets) root(l.value);
  for (const ast::VetoDecl& v : m.vetoes) root(v.when);
  for (const ast::BandDecl& b : m.bands) root(b.of);
  for (const ast::FundDecl& f : m.funds) {
    for (const ast::Track& t : f.tracks) {
      for (const ExprId e : {t.by, t.proportional, t.when}) {
        if (ast::present(e)) root(e);
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Explanation explain::explain_model(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result,
                                   std::size_t row) {
  return Builder(policy, data, result, row).build();
}

std::string explain::explain_text(const Explanation& x) { return TextWriter(x).write(); }

std::string explain::explain_json(const Explanation& x) { return JsonOut(x).write(); }

std::string explain_row(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result,
                        std::size_t row, ExplainFormat format) {
  const Explanation x = explain_model(policy, data, result, row);
  return format == ExplainFormat::kJson ? explain_json(x) : explain_text(x);
}

}  // namespace jixiao::engine
