// Exact fund weights: building the program of a weight, running it row by row, and showing an
// exact value. See weights.hpp for the representation.
#include "weights.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "compile.hpp"
#include "parallel.hpp"

namespace jixiao::engine::detail {
namespace {

using ast::ExprId;
using dsl::SymbolKind;
using dsl::TypeKind;

constexpr Int128 kRawOne = decimal::kOne;

constexpr Int128 pow10_128(int n) {
  Int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}
constexpr Int128 kQuotientScale = pow10_128(kQuotientPlaces);

bool mul_fits(Int128 a, Int128 b, Int128& out) { return !__builtin_mul_overflow(a, b, &out); }

Int128 abs128(Int128 v) { return v < 0 ? -v : v; }

/// A value while the program is built: a constant (numerator `num`) or a register, over `den`.
struct Val {
  bool constant = false;
  Int128 num = 0;
  std::uint32_t reg = 0;
  Int128 den = 1;
};

class Builder {
 public:
  Builder(const dsl::CheckedPolicy& policy, PolicyTexts& texts, ExactProgram& out)
      : p_(policy), m_(policy.module), texts_(texts), out_(out) {}

  void run(ExprId root) {
    // The lets first, each after those it reads, so that building never follows a chain of lets
    // (however long) by recursion.
    for (const dsl::SymbolId l : let_order(root)) let(l, m_.lets[p_.symbol(l).index].value);
    std::vector<ExactOp> body;
    code_ = &body;
    const Val v = build(root);
    const std::uint32_t result = to_reg(v);
    if (too_large_) {
      out_ = ExactProgram{};
      ExactOp op;
      op.op = ExactOpCode::kTooLarge;
      op.src = too_large_at_;
      out_.code.push_back(op);
      return;
    }
    out_.code = std::move(prelude_);
    out_.code.insert(out_.code.end(), body.begin(), body.end());
    out_.result = result;
    out_.denominator = v.den;
  }

 private:
  // ---- values ----

  Val constant(Int128 num, Int128 den) {
    if (num == 0) return Val{true, 0, 0, 1};
    const Int128 g = gcd128(num, den);
    return Val{true, num / g, 0, den / g};
  }

  // What does not fit in 128 bits while building (a denominator, a constant) makes the whole
  // weight an error on every row.
  Val too_large(ExprId at) {
    if (!too_large_) too_large_at_ = at;
    too_large_ = true;
    return constant(0, 1);
  }

  Int128 times(Int128 a, Int128 b, ExprId at) {
    Int128 r = 0;
    if (!mul_fits(a, b, r)) {
      too_large(at);
      return 1;
    }
    return r;
  }

  Int128 lcm(Int128 a, Int128 b, ExprId at) { return times(a / gcd128(a, b), b, at); }

  std::uint32_t emit(ExactOpCode op, std::uint32_t a = 0, std::uint32_t b = 0, Int128 k = 1, Int128 k2 = 1,
                     ExprId src = ast::kNoExpr) {
    return emit_to(out_.registers++, op, a, b, k, k2, src);
  }

  std::uint32_t emit_to(std::uint32_t dst, ExactOpCode op, std::uint32_t a = 0, std::uint32_t b = 0, Int128 k = 1,
                        Int128 k2 = 1, ExprId src = ast::kNoExpr) {
    code_->push_back(ExactOp{op, dst, a, b, 0, k, k2, src});
    return dst;
  }

  std::uint32_t to_reg(const Val& v) { return v.constant ? emit(ExactOpCode::kConst, 0, 0, v.num) : v.reg; }

  Val in_reg(std::uint32_t reg, Int128 den) { return Val{false, 0, reg, den}; }

  std::uint32_t leaf_index(ExactLeaf::Kind kind, std::uint32_t id) {
    const auto key = std::make_pair(kind, id);
    const auto it = leaf_at_.find(key);
    if (it != leaf_at_.end()) return it->second;
    out_.leaves.push_back({kind, id, 0});
    const auto index = static_cast<std::uint32_t>(out_.leaves.size() - 1);
    leaf_at_[key] = index;
    return index;
  }

  // A row's value the ordinary programs computed: money in fen, numbers at scale 10^6.
  Val leaf(ExactLeaf::Kind kind, std::uint32_t id, const dsl::Type& t) {
    const std::uint32_t r = emit(ExactOpCode::kLeaf, leaf_index(kind, id));
    return in_reg(r, t.kind == TypeKind::kMoney ? 1 : kRawOne);
  }
  Val leaf(ExprId e) { return leaf(ExactLeaf::Kind::kExpr, static_cast<std::uint32_t>(e), p_.type(e)); }

  // v × num / den, exactly.
  Val scale(const Val& v, Int128 num, Int128 den, ExprId at) {
    if (v.constant) return constant(times(v.num, num, at), times(v.den, den, at));
    const Int128 d = times(v.den, den, at);
    const Int128 g = gcd128(num, d);
    if (num / g == 1) return in_reg(v.reg, d / g);
    return in_reg(emit(ExactOpCode::kScale, v.reg, 0, num / g, 1, at), d / g);
  }

  // Two values over their least common denominator: kAdd, kSub, kMin or kMax.
  Val combine(ExactOpCode op, const Val& a, const Val& b, ExprId at) {
    const Int128 den = lcm(a.den, b.den, at);
    const Int128 ka = den / a.den;
    const Int128 kb = den / b.den;
    if (a.constant && b.constant) {
      const Int128 x = times(a.num, ka, at);
      const Int128 y = times(b.num, kb, at);
      Int128 r = 0;
      switch (op) {
        case ExactOpCode::kAdd:
          if (__builtin_add_overflow(x, y, &r)) return too_large(at);
          break;
        case ExactOpCode::kSub:
          if (__builtin_sub_overflow(x, y, &r)) return too_large(at);
          break;
        case ExactOpCode::kMin: r = std::min(x, y); break;
        default: r = std::max(x, y); break;
      }
      return constant(r, den);
    }
    const std::uint32_t ra = to_reg(a);
    const std::uint32_t rb = to_reg(b);
    return in_reg(emit(op, ra, rb, ka, kb, at), den);
  }

  Val multiply(const Val& a, const Val& b, ExprId at) {
    if (a.constant) return scale(b, a.num, a.den, at);
    if (b.constant) return scale(a, b.num, b.den, at);
    return in_reg(emit(ExactOpCode::kMul, a.reg, b.reg, 1, 1, at), times(a.den, b.den, at));
  }

  Val divide(const Val& a, const Val& b, ExprId at) {
    if (b.constant && b.num != 0) {
      // a ÷ (num/den) = a × den / num: exact, over a larger denominator.
      return b.num < 0 ? scale(a, -b.den, -b.num, at) : scale(a, b.den, b.num, at);
    }
    // A divisor that changes per row (or is 0, an error on every row it is evaluated):
    // (a.num / a.den) ÷ (b.num / b.den), rounded to kQuotientPlaces decimals.
    Int128 k = times(b.den, kQuotientScale, at);
    Int128 k2 = a.den;
    const Int128 g = gcd128(k, k2);
    k /= g;
    k2 /= g;
    const std::uint32_t ra = to_reg(a);
    const std::uint32_t rb = to_reg(b);
    return in_reg(emit(ExactOpCode::kDiv, ra, rb, k, k2, at), kQuotientScale);
  }

  // ---- branches ----

  // Builds `f()` into a block of its own; returns the block and the value.
  template <typename F>
  std::pair<std::vector<ExactOp>, Val> block(F f) {
    std::vector<ExactOp> code;
    std::vector<ExactOp>* saved = code_;
    code_ = &code;
    const Val v = f();
    code_ = saved;
    return {std::move(code), v};
  }

  // One of several blocks, chosen by `head` (a jump or a switch, emitted first): each block ends
  // by putting its value, over the common denominator, into one register, then jumps past the
  // others. Returns the offsets of the blocks from `head`.
  Val choice(ExactOp head, std::vector<std::pair<std::vector<ExactOp>, Val>> blocks, ExprId at,
             std::vector<std::int32_t>& starts) {
    Int128 den = 1;
    for (const auto& b : blocks) den = lcm(den, b.second.den, at);
    const std::uint32_t dst = out_.registers++;
    for (auto& [code, v] : blocks) {
      std::vector<ExactOp>* saved = code_;
      code_ = &code;
      if (v.constant) {
        emit_to(dst, ExactOpCode::kConst, 0, 0, times(v.num, den / v.den, at), 1, at);
      } else {
        emit_to(dst, ExactOpCode::kScale, v.reg, 0, den / v.den, 1, at);
      }
      code_ = saved;
    }
    std::size_t total = 0;
    for (const auto& b : blocks) total += b.first.size() + 1;
    code_->push_back(head);
    std::size_t at_offset = 1;
    for (auto& [code, v] : blocks) {
      starts.push_back(static_cast<std::int32_t>(at_offset));
      code_->insert(code_->end(), code.begin(), code.end());
      at_offset += code.size();
      ExactOp jump;
      jump.op = ExactOpCode::kJump;
      jump.jump = static_cast<std::int32_t>(total + 1 - at_offset);
      code_->push_back(jump);
      ++at_offset;
    }
    return in_reg(dst, den);
  }

  // `if` (or `fill`): the first block when one of the condition's leaves is non-zero.
  Val select(std::vector<std::uint32_t> condition, ExprId then_e, ExprId else_e, ExprId at) {
    std::vector<std::pair<std::vector<ExactOp>, Val>> blocks;
    blocks.push_back(block([&] { return build(then_e); }));
    blocks.push_back(block([&] { return build(else_e); }));
    out_.conditions.push_back(std::move(condition));
    ExactOp head;
    head.op = ExactOpCode::kJumpUnless;
    head.a = static_cast<std::uint32_t>(out_.conditions.size() - 1);
    const std::size_t at_head = code_->size();
    std::vector<std::int32_t> starts;
    const Val v = choice(head, std::move(blocks), at, starts);
    (*code_)[at_head].jump = starts[1];
    return v;
  }

  Val coef(ExprId e, const ast::Coef& c) {
    const dsl::Type subject = p_.type(c.subject);
    std::vector<std::pair<std::vector<ExactOp>, Val>> blocks;
    std::vector<std::uint32_t> keys;  // per entry: a label index or a text id
    for (const ast::TableEntry& entry : c.entries) {
      if (subject.kind == TypeKind::kLabel) {
        const auto& labels = p_.domains[subject.domain].labels;
        keys.push_back(static_cast<std::uint32_t>(std::find(labels.begin(), labels.end(), entry.key.text) - labels.begin()));
      } else {
        keys.push_back(texts_.add(entry.key.text));
      }
      blocks.push_back(block([&] { return build(entry.value); }));
    }
    if (ast::present(c.otherwise)) blocks.push_back(block([&] { return build(c.otherwise); }));
    ExactOp head;
    head.op = ExactOpCode::kSwitch;
    head.a = static_cast<std::uint32_t>(out_.switches.size());
    head.b = leaf_index(ExactLeaf::Kind::kExpr, static_cast<std::uint32_t>(c.subject));
    head.src = e;
    out_.switches.emplace_back();
    std::vector<std::int32_t> starts;
    const Val v = choice(head, std::move(blocks), e, starts);
    ExactSwitch& s = out_.switches[head.a];
    if (subject.kind == TypeKind::kLabel) {
      const auto size = static_cast<std::uint32_t>(p_.domains[subject.domain].labels.size());
      s.jumps.assign(size, -1);
      for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i] < size && s.jumps[keys[i]] < 0) s.jumps[keys[i]] = starts[i];
      }
    } else {
      s.text_keyed = true;
      for (std::size_t i = 0; i < keys.size(); ++i) s.text_keys.emplace_back(keys[i], starts[i]);
    }
    if (ast::present(c.otherwise)) s.otherwise = starts.back();
    return v;
  }

  Val bands(ExprId e, const ast::Bands& b) {
    std::vector<std::pair<std::vector<ExactOp>, Val>> blocks;
    ExactBands table;
    for (const ast::BandsEntry& entry : b.entries) {
      table.intervals.push_back(entry.interval);
      blocks.push_back(block([&] { return build(entry.value); }));
    }
    ExactOp head;
    head.op = ExactOpCode::kBands;
    head.a = static_cast<std::uint32_t>(out_.bands.size());
    head.b = leaf_index(ExactLeaf::Kind::kExpr, static_cast<std::uint32_t>(b.subject));
    head.src = e;
    out_.bands.push_back(std::move(table));
    std::vector<std::int32_t> starts;
    const Val v = choice(head, std::move(blocks), e, starts);
    out_.bands[head.a].jumps = std::move(starts);
    return v;
  }

  // ---- expressions ----

  Val build(ExprId e) { return noted(e, std::visit([&](const auto& node) { return node_value(e, node); }, m_.expr(e))); }

  // The value of `e`, noted for `jixiao explain` (outside lets, which are noted where read).
  Val noted(ExprId e, Val v) {
    if (in_let_ == 0) out_.nodes.push_back({e, v.constant, v.num, v.reg, v.den});
    return v;
  }

  static bool arithmetic(ast::BinaryOp op) {
    using B = ast::BinaryOp;
    return op == B::kAdd || op == B::kSub || op == B::kMul || op == B::kDiv;
  }

  // `a + b + c ...` nests down the left: built from the innermost operation out, in a loop (a
  // sum of 20,000 terms must not recurse 20,000 deep). An operation that is not arithmetic (a
  // comparison) is a leaf, and what is below it on the left is not built. Every operation but
  // `e` itself (which build() notes) is noted here.
  Val chain(ExprId e) {
    const std::vector<ExprId> ops = ast::left_chain(m_.exprs, e);
    std::size_t first = 0;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      if (!arithmetic(std::get<ast::Binary>(m_.expr(ops[i])).op)) first = i;
    }
    std::optional<Val> left;
    for (std::size_t i = first; i < ops.size(); ++i) {
      const ExprId op = ops[i];
      const ast::Binary& b = std::get<ast::Binary>(m_.expr(op));
      Val v;
      if (arithmetic(b.op)) {
        const Val l = left ? *left : build(b.lhs);
        v = apply(b.op, l, build(b.rhs), op);
      } else {
        v = leaf(op);
      }
      left = i + 1 < ops.size() ? noted(op, v) : v;
    }
    return *left;
  }

  Val apply(ast::BinaryOp op, const Val& l, const Val& r, ExprId at) {
    using B = ast::BinaryOp;
    switch (op) {
      case B::kAdd: return combine(ExactOpCode::kAdd, l, r, at);
      case B::kSub: return combine(ExactOpCode::kSub, l, r, at);
      case B::kMul: return multiply(l, r, at);
      default: return divide(l, r, at);
    }
  }

  Val node_value(ExprId, const ast::NumberLit& n) {
    // A percentage is its share exactly: 12.5% is 125/1000, not 0.125 rounded.
    if (n.unit == ast::Unit::kPercent) return constant(n.raw, 100 * kRawOne);
    return constant(ast::literal_value(n), kRawOne);
  }
  Val node_value(ExprId, const ast::MoneyLit& n) { return constant(n.fen, 1); }

  Val node_value(ExprId e, const ast::NameRef&) {
    const dsl::SymbolId id = p_.ref(e);
    const dsl::Symbol& s = p_.symbol(id);
    if (s.kind == SymbolKind::kParam) {
      const dsl::ParamValue& v = p_.params[s.index];
      return constant(v.number, v.type.kind == TypeKind::kMoney ? 1 : kRawOne);
    }
    if (s.kind == SymbolKind::kLet) return let(id, m_.lets[s.index].value);
    return leaf(ExactLeaf::Kind::kSymbol, static_cast<std::uint32_t>(id), p_.type(e));
  }

  // The functions node_value computes exactly from their arguments' exact values.
  static bool exact_fold(dsl::Builtin f) {
    return f == dsl::Builtin::kMin || f == dsl::Builtin::kMax || f == dsl::Builtin::kSum || f == dsl::Builtin::kAvg ||
           f == dsl::Builtin::kClamp || f == dsl::Builtin::kAbs;
  }

  // The sub-expressions of `e` that build() follows as exact values (not leaves): as node_value.
  template <typename F>
  void value_children(ExprId e, F f) const {
    const ast::Expr& x = m_.expr(e);
    if (const auto* u = std::get_if<ast::Unary>(&x)) {
      if (u->op == ast::UnaryOp::kNeg) f(u->operand);
    } else if (const auto* b = std::get_if<ast::Binary>(&x)) {
      using B = ast::BinaryOp;
      if (b->op == B::kAdd || b->op == B::kSub || b->op == B::kMul || b->op == B::kDiv) {
        f(b->lhs);
        f(b->rhs);
      }
    } else if (const auto* i = std::get_if<ast::If>(&x)) {
      f(i->then_expr);
      f(i->else_expr);
    } else if (const auto* c = std::get_if<ast::Coef>(&x)) {
      for (const ast::TableEntry& entry : c->entries) f(entry.value);
      if (ast::present(c->otherwise)) f(c->otherwise);
    } else if (const auto* bands = std::get_if<ast::Bands>(&x)) {
      for (const ast::BandsEntry& entry : bands->entries) f(entry.value);
    } else if (const auto* call = std::get_if<ast::Call>(&x)) {
      const dsl::Builtin name = p_.builtin(e);
      const bool list = call->args.size() == 1 && p_.type(call->args[0]).kind == TypeKind::kNumberList;
      if (p_.reads_other_rows(e) || list) return;
      if (name == dsl::Builtin::kFill) {
        f(call->args[0]);
        if (!optional_inputs(p_, call->args[0]).empty()) f(call->args[1]);
      } else if (exact_fold(name)) {
        for (const ExprId a : call->args) f(a);
      }
    }
  }

  // The lets read (directly) on the value path of `e`.
  std::vector<dsl::SymbolId> lets_read(ExprId e) const {
    std::vector<dsl::SymbolId> out;
    std::vector<ExprId> stack{e};
    while (!stack.empty()) {
      const ExprId at = stack.back();
      stack.pop_back();
      if (std::holds_alternative<ast::NameRef>(m_.expr(at))) {
        const dsl::SymbolId s = p_.ref(at);
        if (s != dsl::kNoSymbol && p_.symbol(s).kind == SymbolKind::kLet) out.push_back(s);
        continue;
      }
      value_children(at, [&](ExprId c) { stack.push_back(c); });
    }
    return out;
  }

  // Every let the weight reads exactly, directly or through other lets, each after the lets it
  // reads (a depth-first post-order with a stack of its own; lets have no cycles).
  std::vector<dsl::SymbolId> let_order(ExprId root) const {
    std::vector<dsl::SymbolId> order;
    std::set<dsl::SymbolId> seen;
    struct Open {
      dsl::SymbolId let;
      std::vector<dsl::SymbolId> reads;
    };
    std::vector<Open> stack;
    auto open = [&](dsl::SymbolId l) {
      if (!seen.insert(l).second) return;
      stack.push_back({l, lets_read(m_.lets[p_.symbol(l).index].value)});
    };
    for (const dsl::SymbolId l : lets_read(root)) {
      open(l);
      while (!stack.empty()) {
        if (stack.back().reads.empty()) {
          order.push_back(stack.back().let);
          stack.pop_back();
          continue;
        }
        const dsl::SymbolId next = stack.back().reads.back();
        stack.back().reads.pop_back();
        open(next);
      }
    }
    return order;
  }

  // A let read by a weight is exact too: its formula, computed once per row before the weight.
  Val let(dsl::SymbolId id, ExprId formula) {
    const auto it = lets_.find(id);
    if (it != lets_.end()) return it->second;
    std::vector<ExactOp> code;
    std::vector<ExactOp>* saved = code_;
    code_ = &code;
    ++in_let_;
    const Val v = build(formula);
    --in_let_;
    code_ = saved;
    prelude_.insert(prelude_.end(), code.begin(), code.end());
    lets_[id] = v;
    return v;
  }

  Val node_value(ExprId e, const ast::Unary& u) {
    if (u.op != ast::UnaryOp::kNeg) return leaf(e);
    return scale(build(u.operand), -1, 1, e);
  }

  Val node_value(ExprId e, const ast::Binary&) { return chain(e); }

  Val node_value(ExprId e, const ast::If& i) {
    return select({leaf_index(ExactLeaf::Kind::kExpr, static_cast<std::uint32_t>(i.cond))}, i.then_expr, i.else_expr, e);
  }

  Val node_value(ExprId e, const ast::Coef& c) { return coef(e, c); }
  Val node_value(ExprId e, const ast::Bands& b) { return bands(e, b); }

  Val node_value(ExprId e, const ast::Call& c) {
    const dsl::Builtin f = p_.builtin(e);
    const bool list = c.args.size() == 1 && p_.type(c.args[0]).kind == TypeKind::kNumberList;
    if (p_.reads_other_rows(e) || list) return leaf(e);
    if (f == dsl::Builtin::kFill) {
      const std::vector<std::uint32_t> inputs = optional_inputs(p_, c.args[0]);
      if (inputs.empty()) return build(c.args[0]);
      std::vector<std::uint32_t> missing;
      for (const std::uint32_t i : inputs) missing.push_back(leaf_index(ExactLeaf::Kind::kMissing, i));
      return select(std::move(missing), c.args[1], c.args[0], e);
    }
    auto fold = [&](ExactOpCode op) {
      Val r = build(c.args[0]);
      for (std::size_t i = 1; i < c.args.size(); ++i) r = combine(op, r, build(c.args[i]), e);
      return r;
    };
    if (f == dsl::Builtin::kMin) return fold(ExactOpCode::kMin);
    if (f == dsl::Builtin::kMax) return fold(ExactOpCode::kMax);
    if (f == dsl::Builtin::kSum) return fold(ExactOpCode::kAdd);
    if (f == dsl::Builtin::kAvg) return scale(fold(ExactOpCode::kAdd), 1, static_cast<Int128>(c.args.size()), e);
    if (f == dsl::Builtin::kClamp) {
      const Val lo = combine(ExactOpCode::kMax, build(c.args[0]), build(c.args[1]), e);
      return combine(ExactOpCode::kMin, lo, build(c.args[2]), e);
    }
    if (f == dsl::Builtin::kAbs) {
      const Val v = build(c.args[0]);
      if (v.constant) return constant(abs128(v.num), v.den);
      return in_reg(emit(ExactOpCode::kAbs, v.reg, 0, 1, 1, e), v.den);
    }
    return leaf(e);  // a function with a value of its own (ratio, round, count, ...)
  }

  // Nothing else can be a number or an amount inside a weight; read whatever it is as a leaf.
  template <typename N>
  Val node_value(ExprId e, const N&) {
    return leaf(e);
  }

  const dsl::CheckedPolicy& p_;
  const ast::Module& m_;
  PolicyTexts& texts_;
  ExactProgram& out_;
  std::vector<ExactOp>* code_ = nullptr;
  std::vector<ExactOp> prelude_;  ///< the lets the weight reads, each once, in dependency order
  std::map<dsl::SymbolId, Val> lets_;
  std::map<std::pair<ExactLeaf::Kind, std::uint32_t>, std::uint32_t> leaf_at_;
  bool too_large_ = false;
  ExprId too_large_at_ = ast::kNoExpr;
  int in_let_ = 0;  ///< inside the formula of a let (its values are not the weight's own)
};

bool any_set(const std::vector<std::uint32_t>& leaves, const std::vector<const std::int64_t*>& at, std::size_t row) {
  return std::any_of(leaves.begin(), leaves.end(), [&](std::uint32_t l) { return at[l][row] != 0; });
}

}  // namespace

Int128 div_round_128(Int128 n, Int128 d) {
  if (d < 0) {
    n = -n;
    d = -d;
  }
  Int128 q = n / d;
  const Int128 r = abs128(n % d);
  if (r >= d - r) q += n < 0 ? -1 : 1;
  return q;
}

Int128 gcd128(Int128 a, Int128 b) {
  a = abs128(a);
  b = abs128(b);
  while (b != 0) {
    const Int128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

ExactProgram build_exact(const dsl::CheckedPolicy& policy, ExprId root, PolicyTexts& texts) {
  ExactProgram p;
  Builder(policy, texts, p).run(root);
  return p;
}

void run_exact(const ExactProgram& p, const std::vector<ColumnSlot>& columns, const std::int64_t* take,
               std::size_t begin, std::size_t end_row, ExactColumn& out, std::vector<std::pair<std::size_t, Int128>>& aside,
               Trace* trace, RuntimeErrors& errors) {
  using K = RuntimeErrorKind;
  std::vector<const std::int64_t*> at(p.leaves.size());
  for (std::size_t i = 0; i < p.leaves.size(); ++i) at[i] = columns[p.leaves[i].column].data();
  std::vector<Int128> r(p.registers + 1, 0);
  std::vector<std::size_t> written(p.registers + 1, 0);  // the row (+ 1) that last wrote each register
  const std::size_t end = p.code.size();
  for (std::size_t row = begin; row < end_row; ++row) {
    if (take[row] == 0) continue;
    K failed = K::kNone;
    std::size_t pc = 0;
    while (pc < end && failed == K::kNone) {
      const ExactOp& op = p.code[pc];
      std::size_t next = pc + 1;
      Int128& d = r[op.dst];
      // Jumps, switches and band tables write no register (their dst is 0, a real register).
      const bool writes = op.op != ExactOpCode::kJumpUnless && op.op != ExactOpCode::kJump &&
                          op.op != ExactOpCode::kSwitch && op.op != ExactOpCode::kBands && op.op != ExactOpCode::kTooLarge;
      if (writes) written[op.dst] = row + 1;
      switch (op.op) {
        case ExactOpCode::kConst: d = op.k; break;
        case ExactOpCode::kLeaf: d = at[op.a][row]; break;
        case ExactOpCode::kScale:
          if (__builtin_mul_overflow(r[op.a], op.k, &d)) failed = K::kWeightOverflow;
          break;
        case ExactOpCode::kAdd:
        case ExactOpCode::kSub:
        case ExactOpCode::kMin:
        case ExactOpCode::kMax: {
          Int128 x = 0;
          Int128 y = 0;
          if (__builtin_mul_overflow(r[op.a], op.k, &x) || __builtin_mul_overflow(r[op.b], op.k2, &y)) {
            failed = K::kWeightOverflow;
          } else if (op.op == ExactOpCode::kAdd) {
            if (__builtin_add_overflow(x, y, &d)) failed = K::kWeightOverflow;
          } else if (op.op == ExactOpCode::kSub) {
            if (__builtin_sub_overflow(x, y, &d)) failed = K::kWeightOverflow;
          } else {
            d = op.op == ExactOpCode::kMin ? std::min(x, y) : std::max(x, y);
          }
          break;
        }
        case ExactOpCode::kAbs:
          d = abs128(r[op.a]);
          break;
        case ExactOpCode::kMul:
          if (__builtin_mul_overflow(r[op.a], r[op.b], &d)) failed = K::kWeightOverflow;
          break;
        case ExactOpCode::kDiv: {
          Int128 n = 0;
          Int128 q = 0;
          if (r[op.b] == 0) {
            failed = K::kDivisionByZero;
          } else if (__builtin_mul_overflow(r[op.a], op.k, &n) || __builtin_mul_overflow(r[op.b], op.k2, &q)) {
            failed = K::kWeightOverflow;
          } else {
            d = div_round_128(n, q);
          }
          break;
        }
        case ExactOpCode::kJumpUnless:
          if (!any_set(p.conditions[op.a], at, row)) next = pc + static_cast<std::size_t>(op.jump);
          break;
        case ExactOpCode::kJump: next = pc + static_cast<std::size_t>(op.jump); break;
        case ExactOpCode::kSwitch: {
          const ExactSwitch& s = p.switches[op.a];
          const std::int64_t key = at[op.b][row];
          std::int32_t j = key >= 0 && static_cast<std::size_t>(key) < s.jumps.size() ? s.jumps[static_cast<std::size_t>(key)] : -1;
          if (j < 0) j = s.otherwise;
          if (j < 0) {
            failed = K::kNoEntry;
          } else {
            next = pc + static_cast<std::size_t>(j);
          }
          break;
        }
        case ExactOpCode::kBands: {
          const ExactBands& b = p.bands[op.a];
          const std::int64_t x = at[op.b][row];
          std::size_t k = 0;
          while (k < b.intervals.size() && !b.intervals[k].contains(x)) ++k;
          if (k == b.intervals.size()) {
            failed = K::kNoBand;
          } else {
            next = pc + static_cast<std::size_t>(b.jumps[k]);
          }
          break;
        }
        case ExactOpCode::kTooLarge: failed = K::kWeightOverflow; break;
      }
      if (failed != K::kNone) {
        errors.instr = static_cast<std::uint32_t>(pc);
        errors.add(failed, op.src, row, op.op == ExactOpCode::kBands ? at[op.b][row] : 0);
      }
      pc = next;
    }
    if (failed != K::kNone) continue;
    out.set(row, r[p.result], aside);
    RowTrace* traced = trace != nullptr && !p.nodes.empty() ? trace->find(row) : nullptr;
    if (traced == nullptr) continue;
    for (const ExactNode& n : p.nodes) {
      if (!n.constant && written[n.reg] != row + 1) continue;  // in a branch not taken
      const auto e = static_cast<std::uint32_t>(n.expr);
      traced->set_wide(TraceKey::Kind::kExactNumerator, e, 0, n.constant ? n.num : r[n.reg]);
      traced->set_wide(TraceKey::Kind::kExactDenominator, e, 0, n.den);
    }
  }
}

Int128 ExactColumn::wide_at(std::size_t row) const {
  const auto it = std::lower_bound(wide_.begin(), wide_.end(), row, [](const auto& e, std::size_t r) { return e.first < r; });
  return it->second;
}

void ExactColumn::finish() {
  for (const std::int64_t v : narrow_) {
    if (v != kWide && (v <= kWideSmall || v > std::numeric_limits<std::int32_t>::max())) return;
  }
  small_.resize(narrow_.size());
  for (std::size_t r = 0; r < narrow_.size(); ++r) small_[r] = narrow_[r] == kWide ? kWideSmall : static_cast<std::int32_t>(narrow_[r]);
  std::vector<std::int64_t>().swap(narrow_);
}

void run_exact_weights(Compiled& compiled, std::size_t rows, std::size_t threads, RuntimeErrors& errors) {
  const std::size_t n = compiled.exact.size();
  compiled.exact_values.clear();
  for (std::size_t i = 0; i < n; ++i) compiled.exact_values.emplace_back(rows);
  // Rows in contiguous ranges, one per thread; the errors merge in (step, row) order and the wide
  // numerators in row order, whatever the thread count.
  const std::size_t workers = std::max<std::size_t>(1, std::min(threads, rows / 4096 + 1));
  std::vector<RuntimeErrors> worker_errors(workers);
  std::vector<std::vector<std::vector<std::pair<std::size_t, Int128>>>> aside(workers, std::vector<std::vector<std::pair<std::size_t, Int128>>>(n));
  run_parallel(workers, [&](std::size_t w) {
    const std::size_t begin = rows * w / workers;
    const std::size_t end = rows * (w + 1) / workers;
    for (std::size_t i = 0; i < n; ++i) {
      const ExactProgram& p = compiled.exact[i];
      worker_errors[w].step = static_cast<std::uint32_t>(compiled.steps.size() + i);
      run_exact(p, compiled.columns, compiled.columns[p.rows].data(), begin, end, compiled.exact_values[i], aside[w][i],
                compiled.trace, worker_errors[w]);
    }
  });
  for (const RuntimeErrors& e : worker_errors) errors.merge(e);
  for (std::size_t w = 0; w < workers; ++w) {
    for (std::size_t i = 0; i < n; ++i) compiled.exact_values[i].add_wide(aside[w][i]);
  }
  for (ExactColumn& c : compiled.exact_values) c.finish();
}

std::string exact_text(Int128 numerator, Int128 denominator, int places, bool mark_inexact) {
  const bool negative = numerator < 0;
  Int128 n = abs128(numerator);
  const Int128 g = gcd128(n, denominator);
  Int128 d = n == 0 ? 1 : denominator / g;
  n = n == 0 ? 0 : n / g;
  // The quotient terminates when d has no prime factor but 2 and 5.
  Int128 rest = d;
  while (rest % 2 == 0) rest /= 2;
  while (rest % 5 == 0) rest /= 5;
  const bool exact = rest == 1;
  std::string out = (negative ? "-" : "") + decimal::int128_to_string(n / d);
  if (d >= (Int128{1} << 122)) return out;  // beyond any denominator a weight reaches: the whole part
  Int128 r = n % d;
  std::string frac;
  const int most = exact ? 40 : kQuotientPlaces;
  while ((r != 0 || static_cast<int>(frac.size()) < places) && static_cast<int>(frac.size()) < most) {
    r *= 10;  // r < d < 2^122: fits
    frac += static_cast<char>('0' + static_cast<int>(r / d));
    r %= d;
  }
  if (!frac.empty()) out += "." + frac;
  if (!exact && mark_inexact) out += "…";
  return out;
}

std::string exact_decimal(Int128 n, Int128 d, bool money, int places, bool mark_inexact) {
  if (!money) return exact_text(n, d, places, mark_inexact);
  Int128 yuan_d = 0;  // the builtin leaves the wrapped product here on overflow: not used then
  if (!__builtin_mul_overflow(d, Int128{100}, &yuan_d)) return exact_text(n, yuan_d, 2, mark_inexact);
  // d × 100 passes 2^127: exact_text would show the whole part only (as it does for any
  // denominator from 2^122), and trunc(n ÷ 100d) = trunc(trunc(n ÷ d) ÷ 100).
  return exact_text(n / d / 100, 1, 0, mark_inexact);
}

}  // namespace jixiao::engine::detail
