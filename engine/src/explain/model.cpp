// `jixiao explain`: the model of one row's derivation (explain_model.hpp), built from what the
// engine recorded on the row (EvalResult::trace) and its results. It computes nothing: every step
// it shows (clamping, scaling, rounding, reweighting, adjustments and caps, labels before and after
// each veto effect, each fund share's whole fen and remainder) is a value the engine recorded where
// it computed it; the rest is the policy's text and the row's data and results.
#include <algorithm>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

#include "common.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/decl_text.hpp"
#include "jixiao/dsl/unparse.hpp"
#include "jixiao/engine/explain.hpp"
#include "jixiao/engine/explain_model.hpp"
#include "jixiao/engine/results.hpp"

namespace jixiao::engine::explain {
namespace {

using ast::ExprId;
using dsl::SymbolId;
using dsl::SymbolKind;
using dsl::TypeKind;
constexpr std::int64_t kHundred = 100 * decimal::kOne;

class Builder {
 public:
  Builder(const dsl::CheckedPolicy& p, const Dataset& d, const EvalResult& r, std::size_t row)
      : p_(p), m_(p.module), d_(d), r_(r), row_(row), t_(traced_row(r, row)) {}

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

  static const RowTrace& traced_row(const EvalResult& r, std::size_t row) {
    const RowTrace* t = r.trace.find(row);
    if (t == nullptr) throw std::logic_error("explain: row " + std::to_string(row) + " was not traced (EvalOptions::trace_rows)");
    return *t;
  }

  // A value the engine recorded on the row, which it always records there.
  std::int64_t recorded(TraceKey::Kind kind, std::uint32_t a, std::uint32_t b = 0) const {
    const auto v = t_.get(kind, a, b);
    if (!v) throw std::logic_error("explain: the engine recorded no value of kind " + std::to_string(static_cast<int>(kind)));
    return *v;
  }
  Int128 recorded_wide(TraceKey::Kind kind, std::uint32_t a, std::uint32_t b = 0) const {
    const auto v = t_.get_wide(kind, a, b);
    if (!v) throw std::logic_error("explain: the engine recorded no value of kind " + std::to_string(static_cast<int>(kind)));
    return *v;
  }

  std::string text_of(std::int64_t id) const {
    return id < 0 ? std::string() : r_.texts.text(static_cast<std::uint32_t>(id));
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
        v = typed(s.type, c.value(row));
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

  // The value of `e` on the row, where the engine recorded it (an expression explain_trace() names).
  std::optional<std::int64_t> traced(ExprId e) const { return t_.get(TraceKey::Kind::kValue, static_cast<std::uint32_t>(e)); }

  // The value `raw` of `e`, shown as its kind: a name's as its symbol's (a score, a percentage).
  Val shaped(ExprId e, std::int64_t raw) const {
    if (std::holds_alternative<ast::NameRef>(m_.expr(e)) && p_.ref(e) != dsl::kNoSymbol) {
      const dsl::Symbol& s = p_.symbol(p_.ref(e));
      Val v = typed(s.type, raw);
      if (s.kind == SymbolKind::kIndicator) v.kind = Val::Kind::kScore;
      if (s.kind == SymbolKind::kInput && m_.inputs[s.index].kind == ast::InputKind::kPercent) v.kind = Val::Kind::kPercent;
      return v;
    }
    return typed(p_.type(e), raw);
  }

  // The exact value of `e` inside a fund weight, where the engine recorded it (TraceKey::kExactNumerator).
  std::optional<Val> exact_val(ExprId e, std::size_t row) const {
    const auto key = static_cast<std::uint32_t>(e);
    const auto numerator = t_.get_wide(TraceKey::Kind::kExactNumerator, key);
    if (row != row_ || !numerator) return std::nullopt;
    const Int128 n = *numerator;
    const Int128 d = recorded_wide(TraceKey::Kind::kExactDenominator, key);
    // Shown exactly; its ordinary value (at 6 decimals) is the one the engine computed outside the weight.
    const SymbolId s = std::holds_alternative<ast::NameRef>(m_.expr(e)) ? p_.ref(e) : dsl::kNoSymbol;
    Val v = s != dsl::kNoSymbol ? symbol_val(s, row) : typed(p_.type(e), traced(e).value_or(0));  // a score stays one
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
    const auto v = row == row_ ? traced(e) : std::nullopt;
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
    f.rounded = inexact(e, f.value);
    std::set<std::string> seen;
    walk(e, true, f, seen);
    return f;
  }

  // How the engine rounded on the way to a number (rounded()), which is then shown as `≈`.
  int inexact(ExprId e, const Val& v) const {
    const bool number = v.kind == Val::Kind::kNumber || v.kind == Val::Kind::kScore || v.kind == Val::Kind::kPercent ||
                        v.kind == Val::Kind::kMoney;
    return number && !v.exact ? rounded(e) : 0;
  }

  // How the engine rounded the × and ÷ of `e`'s arithmetic on the row (TraceKey::kRounded, ORed):
  // through + − × ÷ and the `if` branch taken, and a function's own rounding (`avg`); not what
  // rounded inside a function's arguments (shown apart, as the function's value is), nor inside
  // a comparison or a table's key.
  int rounded(ExprId e) const {
    using B = ast::BinaryOp;
    const ast::Expr& x = m_.expr(e);
    int how = 0;
    auto note = [&](ExprId op) { how |= static_cast<int>(t_.get(TraceKey::Kind::kRounded, static_cast<std::uint32_t>(op)).value_or(0)); };
    if (const auto* i = std::get_if<ast::If>(&x)) {
      const auto cond = traced(i->cond);
      return ((!cond || *cond != 0) ? rounded(i->then_expr) : 0) | ((!cond || *cond == 0) ? rounded(i->else_expr) : 0);
    }
    if (const auto* u = std::get_if<ast::Unary>(&x)) return rounded(u->operand);
    if (const auto* b = std::get_if<ast::Binary>(&x)) {
      if (b->op != B::kAdd && b->op != B::kSub && b->op != B::kMul && b->op != B::kDiv) return 0;
      for (const ExprId op : ast::left_chain(m_.exprs, e)) note(op);  // `a / b * c`: its operands are a, b and c
      ast::for_each_operand(m_.exprs, e, [&](ExprId c) { how |= rounded(c); });
    } else if (std::get_if<ast::Call>(&x) != nullptr) {
      note(e);
    }
    return how;
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
      const auto cond = traced(i->cond);
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
      if (!root) f.details.push_back(detail(e));
      return;
    }
    // Every traced inner value: calls, coef, bands, `if` conditions, compound arguments.
    if (!root && traced(e)) f.details.push_back(detail(e));
    ast::for_each_operand(m_.exprs, e, [&](ExprId child) { walk(child, false, f, seen); });
  }

  Detail detail(ExprId e) const {
    Detail d{dsl::unparse(m_, e), expr_val(e, row_), "", {}, 0};
    d.rounded = inexact(e, d.value);
    return d;
  }

  // A history or peer function: its value, and the periods or peers it read (as the engine
  // recorded them).
  Detail history(ExprId e, const ast::Call& c) const {
    Detail d;
    d.expr = dsl::unparse(m_, e);
    d.value = expr_val(e, row_);
    const dsl::Builtin f = p_.builtin(e);
    const ExprId arg = c.args[0];
    const auto key = static_cast<std::uint32_t>(e);
    if (f == dsl::Builtin::kPrev || f == dsl::Builtin::kAvgPrev || f == dsl::Builtin::kStreak) {
      const std::int64_t reads = recorded(TraceKey::Kind::kHistoryCount, key);
      for (std::int64_t k = 0; k < reads; ++k) {
        const auto at = static_cast<std::size_t>(recorded(TraceKey::Kind::kHistoryRow, key, static_cast<std::uint32_t>(k)));
        const std::int64_t value = recorded(TraceKey::Kind::kHistoryValue, key, static_cast<std::uint32_t>(k));
        const bool name = std::holds_alternative<ast::NameRef>(m_.expr(arg)) && p_.ref(arg) != dsl::kNoSymbol;
        d.history.push_back({period_of(at), name ? symbol_val(p_.ref(arg), at) : shaped(arg, value)});
      }
    }
    if (f == dsl::Builtin::kPrev) {
      d.note = d.history.empty() ? "无上一期数据, 取默认值" : "上一期";
    } else if (f == dsl::Builtin::kAvgPrev) {
      const std::int64_t n = ast::literal_value(std::get<ast::NumberLit>(m_.expr(c.args[1]))) / decimal::kOne;
      d.note = static_cast<std::int64_t>(d.history.size()) == n ? "前 " + std::to_string(n) + " 期的平均"
                                                                 : "前期数据不足 " + std::to_string(n) + " 期, 取默认值";
    } else if (f == dsl::Builtin::kStreak) {
      d.note = "从本期往前连续成立的期数";
    } else {
      // rank, percentile, peer_avg: the rows of the same period (and group).
      const ast::NamedArg* within = named_arg(c, dsl::NamedArg::kWithin);
      const std::string peers = std::to_string(recorded(TraceKey::Kind::kPeers, key));
      std::string where = within ? "同组 (" + dsl::unparse(m_, within->value) + " = " + expr_val(within->value, row_).text + ")" : "同期";
      if (f == dsl::Builtin::kRank) {
        d.note = where + " " + peers + " 个中的名次";
      } else if (f == dsl::Builtin::kPercentile) {
        d.note = where + " " + peers + " 个中的百分位";
      } else {
        d.note = where + " " + peers + " 个的平均";
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
    using K = TraceKey::Kind;
    const ast::IndicatorNode& n = m_.nodes[index];
    const dsl::NodeInfo& info = p_.nodes[index];
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
        // The engine's steps (kLeafScore): the formula's value, clamped, scaled, rounded.
        const std::int64_t v = recorded(K::kLeafRaw, index);
        out.clamp_limit = out.points ? out.full : kHundred;
        out.clamped = recorded(K::kLeafClamped, index);
        out.clamp = v < out.clamped ? -1 : v > out.clamped ? 1 : 0;
        out.unrounded = recorded(K::kLeafScaled, index);
        out.base = recorded(K::kLeafRounded, index);
      }
    } else {
      for (const std::uint32_t c : n.children) out.children.push_back(node(c, depth + 1));
      out.sum = recorded(K::kGroupSum, index);
      out.base = out.sum;
      if (const auto absent_full = t_.get(K::kAbsentFull, index); absent_full && *absent_full > 0) {
        out.reweighted = true;
        out.absent_full = *absent_full;
        out.absent = dropped(info.symbol);
        out.reweight_scaled = recorded(K::kReweightScaled, index);
        out.base = recorded(K::kReweighted, index);
      }
    }
    if (!n.adjusts.empty()) {
      out.adjusted = true;
      for (std::uint32_t k = 0; k < n.adjusts.size(); ++k) out.adjustments.push_back(adjustment(n.adjusts[k], index, k));
      total(out.deductions, n.deductions_max, recorded(K::kDeductionsTotal, index), recorded(K::kCombineDeducted, index));
      total(out.bonuses, n.bonuses_max, recorded(K::kBonusesTotal, index), recorded(K::kCombineAdded, index));
      out.floored = recorded(K::kCombineFloored, index) != 0;
      out.combined = recorded(K::kCombineTotal, index);
    }
    return out;
  }

  // Adjustment `k` of node `node`: its amount as computed, and as applied after its cap.
  Adjustment adjustment(const ast::Adjust& a, std::uint32_t node, std::uint32_t k) const {
    Adjustment out;
    out.bonus = a.kind == ast::AdjustKind::kBonus;
    out.name = a.name.name;
    out.amount = formula(a.amount);
    if (ast::present(a.per)) out.per = formula(a.per);
    if (ast::present(a.when)) out.when = formula(a.when);
    out.product = t_.get(TraceKey::Kind::kAdjustProduct, node, k);
    out.computed = recorded(TraceKey::Kind::kAdjustComputed, node, k);
    out.applied = recorded(TraceKey::Kind::kAdjustApplied, node, k);
    if (ast::present(a.max)) {
      out.cap = expr_val(a.max, row_).raw;
      out.capped = out.applied < out.computed;
    }
    return out;
  }

  // The total of a node's deductions (or bonuses) before its cap, and as taken.
  void total(Total& t, ExprId cap, std::int64_t total, std::int64_t applied) const {
    t.total = total;
    t.applied = applied;
    if (!ast::present(cap)) return;
    t.cap = expr_val(cap, row_).raw;
    t.capped = applied < total;
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
    using K = TraceKey::Kind;
    const ast::BandDecl& decl = m_.bands[index];
    const dsl::Domain& domain = p_.domains[p_.band_domain[index]];
    const auto band = static_cast<std::uint32_t>(index);
    BandStep s;
    s.name = decl.name.name;
    s.alert = decl.kind == ast::BandKind::kAlert;
    s.of = formula(decl.of);
    // The band the engine found (kBandLabel): the k-th of those with an interval.
    if (const auto found = t_.get(K::kBandInterval, band)) {
      std::int64_t k = *found;
      for (const ast::Band& b : decl.bands) {
        if (!b.has_interval || k-- != 0) continue;
        s.found = true;
        s.band = b.label.text;
        s.interval = dsl::unparse(b.interval);
        break;
      }
    }
    // The veto effects on it, as the engine's table lists them (compile.cpp band_decl), with the label
    // the engine recorded after each that fired (grades: caps, then drops, then forced grades).
    struct Entry {
      std::size_t veto;
      dsl::ResolvedEffect effect;
    };
    std::vector<Entry> table;
    for (std::size_t v = 0; v < m_.vetoes.size(); ++v) {
      for (const dsl::ResolvedEffect& e : p_.veto_effects[v]) {
        if (e.kind != ast::EffectKind::kFundZero && e.target == index) table.push_back({v, e});
      }
    }
    std::int64_t label = t_.get(K::kLabelBase, band).value_or(0);
    auto show = [&](std::uint32_t k) {
      const auto after = t_.get(K::kLabelAfter, band, k);
      if (!after) return;  // its veto did not fire
      const std::string veto = m_.vetoes[table[k].veto].name.name;
      s.effects.push_back({veto, effect(table[k].effect).text, domain.labels[static_cast<std::size_t>(label)],
                           domain.labels[static_cast<std::size_t>(*after)]});
      if (*after != label && std::find(s.changed_by.begin(), s.changed_by.end(), veto) == s.changed_by.end()) {
        s.changed_by.push_back(veto);
      }
      label = *after;
    };
    if (s.alert) {
      for (std::uint32_t k = 0; k < table.size(); ++k) show(k);
    } else {
      for (const ast::EffectKind kind : {ast::EffectKind::kGradeCap, ast::EffectKind::kGradeDown, ast::EffectKind::kGradeForce}) {
        for (std::uint32_t k = 0; k < table.size(); ++k) {
          if (table[k].effect.kind == kind) show(k);
        }
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
      if (tr.split_at(row_) >= 0) {
        s.group = tr.splits[static_cast<std::size_t>(tr.split_at(row_))].group;
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
    const auto fi = static_cast<std::uint32_t>(fund_index);
    const auto ti = static_cast<std::uint32_t>(k);
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
    if (ast::present(t.when)) s.when = formula(t.when);
    // As the fund stage found it (every reported row is in one of the track's splits).
    s.eligible = recorded(TraceKey::Kind::kTrackEligible, fi, ti) != 0;
    const bool split_by = t.mode == ast::TrackMode::kSplitBy;
    const ExprId weight = split_by ? t.by : t.proportional;
    if (ast::present(weight)) {
      s.weight = formula(weight);
      s.money_weight = p_.type(weight).kind == TypeKind::kMoney;
    }
    s.amount = tr.amounts[row_];
    s.extra = tr.extra_fen[row_] != 0;
    const auto split_index = tr.split_at(row_);
    if (split_index < 0) return s;
    const TrackSplit& split = tr.splits[static_cast<std::size_t>(split_index)];
    s.has_split = true;
    s.pool = split.pool;
    s.total_weight = split.total_weight;
    s.recipients = split.rows;
    const auto w = t_.get_wide(TraceKey::Kind::kShareWeight, fi, ti);
    s.in_split = w.has_value();
    s.w = w.value_or(0);
    s.denominator = tr.weight_denominator;
    if (t.mode == ast::TrackMode::kTop) {
      s.rank = formula(t.by);
      s.in_top = s.in_split;
      if (const auto lowest = t_.get(TraceKey::Kind::kTopLowest, fi, ti)) s.lowest_in_top = shaped(t.by, *lowest);
    }
    // The row's whole fen and remainder, and the fen left for the largest remainders (funds.cpp).
    if (s.total_weight > 0) {
      s.leftover = t_.get(TraceKey::Kind::kShareLeftover, fi, ti).value_or(0);
      if (s.in_split) {
        s.numerator = recorded_wide(TraceKey::Kind::kShareNumerator, fi, ti);
        s.whole = recorded_wide(TraceKey::Kind::kShareWhole, fi, ti);
        s.remainder = recorded_wide(TraceKey::Kind::kShareRemainder, fi, ti);
      }
    }
    return s;
  }

  const dsl::CheckedPolicy& p_;
  const ast::Module& m_;
  const Dataset& d_;
  const EvalResult& r_;
  std::size_t row_;
  const RowTrace& t_;  ///< what the engine recorded on the row
};

}  // namespace

Explanation explain_model(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result, std::size_t row) {
  return Builder(policy, data, result, row).build();
}

std::string explain_text(const Explanation& x) { return write_text(x); }

std::string explain_json(const Explanation& x) { return write_json(x); }

}  // namespace jixiao::engine::explain

namespace jixiao::engine {

std::string explain_row(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result,
                        std::size_t row, ExplainFormat format) {
  const explain::Explanation x = explain::explain_model(policy, data, result, row);
  return format == ExplainFormat::kJson ? explain::explain_json(x) : explain::explain_text(x);
}

}  // namespace jixiao::engine
