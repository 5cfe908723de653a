// Compiling checked symbols into flat column programs (see program.hpp for the operations).
#include <algorithm>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "compile.hpp"
#include "jixiao/dsl/decimal.hpp"

namespace jixiao::engine::detail {
namespace {

using ast::ExprId;
using dsl::Builtin;
using dsl::NamedArg;
using dsl::SymbolKind;
using dsl::TypeKind;
constexpr std::int64_t kOne = decimal::kOne;

class Compiler {
 public:
  Compiler(const Plan& plan, Compiled& out, const std::vector<ExprId>& trace)
      : policy_(*plan.policy), m_(plan.policy->module), out_(out),
        has_periods_(plan.policy->period != dsl::kNoSymbol), tracing_(!trace.empty()) {
    for (const ExprId e : trace) {
      const auto i = static_cast<std::uint32_t>(e);
      if (i >= trace_.size()) trace_.resize(i + 1, false);
      trace_[i] = true;
    }
    exact_weights();
    segment_variants();
  }

  void run(const Plan& plan) {
    out_.symbol_column.assign(policy_.symbols.size(), -1);
    out_.symbol_valid.assign(policy_.symbols.size(), -1);
    out_.funds.resize(m_.funds.size());
    for (const dsl::SymbolId s : plan.order) {
      hoist(s);
      begin_program(s);
      symbol(s);
      validity(s);
      end_program();
    }
    std::sort(out_.rules.begin(), out_.rules.end(),
              [](const RuleSlot& a, const RuleSlot& b) { return a.offset < b.offset; });
    resolve_leaves();
  }

 private:
  void begin_program(dsl::SymbolId s) {
    program_ = Program{};
    program_.symbol = s;
    next_reg_ = 0;
    mask_ = kNoMask;
    column_of_.clear();
  }

  void end_program() {
    program_.registers = next_reg_;
    out_.registers = std::max(out_.registers, next_reg_);
    if (!program_.code.empty()) {
      out_.programs.push_back(std::move(program_));
      out_.steps.push_back({false, static_cast<std::uint32_t>(out_.programs.size() - 1)});
    }
    for (const GlobalOp& g : pending_globals_) {
      out_.globals.push_back(g);
      out_.steps.push_back({true, static_cast<std::uint32_t>(out_.globals.size() - 1)});
    }
    pending_globals_.clear();
  }

  // ---- exact fund weights (weights.hpp) ----

  // Builds the exact program of every track's weight before anything is compiled, so that the
  // expressions they read as leaves are stored when they are compiled, wherever that is (a let's
  // program, the fund's).
  void exact_weights() {
    for (std::size_t f = 0; f < m_.funds.size(); ++f) {
      for (const ast::Track& t : m_.funds[f].tracks) {
        const ExprId w = t.mode == ast::TrackMode::kSplitBy ? t.by : t.mode == ast::TrackMode::kTop ? t.proportional : ast::kNoExpr;
        if (!ast::present(w)) continue;
        exact_root_[static_cast<std::uint32_t>(w)] = static_cast<std::int32_t>(out_.exact.size());
        out_.exact.push_back(build_exact(policy_, w, out_.texts));
        // Only the values `explain` asked for are kept, and the lets it reads (whose values `explain`
        // shows as read).
        std::vector<ExactNode>& nodes = out_.exact.back().nodes;
        nodes.erase(std::remove_if(nodes.begin(), nodes.end(), [&](const ExactNode& n) { return !explained(n.expr); }),
                    nodes.end());
        for (const ExactLeaf& l : out_.exact.back().leaves) {
          if (l.kind == ExactLeaf::Kind::kExpr) leaf_column_[l.id] = kNoMask;
        }
      }
    }
  }

  bool explained(ExprId e) const {
    const auto i = static_cast<std::uint32_t>(e);
    if (i < trace_.size() && trace_[i]) return true;
    if (trace_.empty() || !std::holds_alternative<ast::NameRef>(m_.expr(e))) return false;
    const dsl::SymbolId s = policy_.ref(e);
    return s != dsl::kNoSymbol && policy_.symbol(s).kind == SymbolKind::kLet;
  }

  // Every leaf's column, now that each exists.
  void resolve_leaves() {
    for (ExactProgram& p : out_.exact) {
      for (ExactLeaf& l : p.leaves) {
        switch (l.kind) {
          case ExactLeaf::Kind::kExpr: l.column = leaf_column_.at(l.id); break;
          case ExactLeaf::Kind::kSymbol: l.column = static_cast<std::uint32_t>(out_.symbol_column.at(l.id)); break;
          case ExactLeaf::Kind::kMissing: l.column = missing_column(l.id); break;
        }
        if (l.column == kNoMask) throw std::logic_error("compile: a leaf of a weight was never computed");
      }
    }
  }

  // ---- history and peers: computed over whole columns before the program that reads them ----

  // The expressions a symbol's program compiles.
  std::vector<ExprId> roots(dsl::SymbolId id) const {
    const dsl::Symbol& s = policy_.symbol(id);
    std::vector<ExprId> r;
    auto add = [&](ExprId e) {
      if (ast::present(e)) r.push_back(e);
    };
    switch (s.kind) {
      case SymbolKind::kLet: add(m_.lets[s.index].value); break;
      case SymbolKind::kIndicator:
        for (const std::uint32_t node : nodes_of(id)) {
          const std::vector<ExprId> n = node_roots(node);
          r.insert(r.end(), n.begin(), n.end());
        }
        break;
      case SymbolKind::kVeto: add(m_.vetoes[s.index].when); break;
      case SymbolKind::kGrade:
      case SymbolKind::kAlert: add(m_.bands[s.index].of); break;
      case SymbolKind::kFund: {
        const ast::FundDecl& f = m_.funds[s.index];
        add(f.pool);
        add(f.per_group);
        for (const ast::Track& t : f.tracks) {
          add(t.by);
          add(t.proportional);
          add(t.when);
        }
        for (const ast::TieKey& k : f.ties) add(k.key);
        break;
      }
      default: break;
    }
    return r;
  }

  // The expressions node `index` compiles: its formula and its adjustments.
  std::vector<ExprId> node_roots(std::uint32_t index) const {
    const ast::IndicatorNode& n = m_.nodes[index];
    std::vector<ExprId> r{n.formula};
    for (const ast::Adjust& a : n.adjusts) r.insert(r.end(), {a.amount, a.per, a.when, a.max});
    r.insert(r.end(), {n.deductions_max, n.bonuses_max});
    r.erase(std::remove_if(r.begin(), r.end(), [](ExprId e) { return !ast::present(e); }), r.end());
    return r;
  }

  // An indicator's nodes: one per segment whose trees have its path, else its only one.
  std::vector<std::uint32_t> nodes_of(dsl::SymbolId id) const {
    const auto it = variants_.find(static_cast<std::uint32_t>(id));
    return it == variants_.end() ? std::vector<std::uint32_t>{policy_.symbol(id).index} : it->second;
  }

  // History and peer calls under `e`, innermost first (`all`), or only the outermost (`!all`).
  void global_calls(ExprId e, std::vector<ExprId>& out, bool all) const {
    const bool global = policy_.reads_other_rows(e);
    if (!global || all) ast::for_each_operand(m_.exprs, e, [&](ExprId child) { global_calls(child, out, all); });
    if (global) out.push_back(e);
  }

  // Symbols read on the same row by `e` (not inside history or peer calls).
  void same_row_reads(ExprId e, std::vector<dsl::SymbolId>& out) const {
    if (policy_.reads_other_rows(e)) return;
    if (std::holds_alternative<ast::NameRef>(m_.expr(e))) {
      const dsl::SymbolId s = policy_.ref(e);
      if (s != dsl::kNoSymbol) out.push_back(s);
    }
    ast::for_each_operand(m_.exprs, e, [&](ExprId child) { same_row_reads(child, out); });
  }

  // The validity of `reads` and `calls` ANDed into a register, or kNoMask when all are always valid.
  std::uint32_t combine_validity(const std::vector<dsl::SymbolId>& reads, const std::vector<ExprId>& calls) {
    std::vector<std::uint32_t> cols;
    for (const dsl::SymbolId r : reads) {
      const std::int64_t v = out_.symbol_valid[static_cast<std::uint32_t>(r)];
      if (v >= 0 && std::find(cols.begin(), cols.end(), static_cast<std::uint32_t>(v)) == cols.end()) {
        cols.push_back(static_cast<std::uint32_t>(v));
      }
    }
    for (const ExprId c : calls) cols.push_back(calls_.at(static_cast<std::uint32_t>(c)).second);
    if (cols.empty()) return kNoMask;
    std::uint32_t v = emit(OpCode::kLoad, cols[0]);
    for (std::size_t i = 1; i < cols.size(); ++i) v = emit(OpCode::kAnd, v, emit(OpCode::kLoad, cols[i]));
    return v;
  }

  // Compiles every history and peer call of `s`'s expressions into a program computing its
  // arguments into columns, then a global operation.
  void hoist(dsl::SymbolId s) {
    std::vector<ExprId> calls;
    for (const ExprId r : roots(s)) global_calls(r, calls, true);
    for (const ExprId e : calls) {
      if (calls_.count(static_cast<std::uint32_t>(e))) continue;
      const auto& c = std::get<ast::Call>(m_.expr(e));
      GlobalOp g;
      g.src = e;
      g.kind = global_kind(policy_.builtin(e));
      begin_program(s);
      g.arg = store(expr(c.args[0]));
      std::vector<dsl::SymbolId> reads;
      same_row_reads(c.args[0], reads);
      std::vector<ExprId> inner;
      global_calls(c.args[0], inner, false);
      const std::uint32_t v = combine_validity(reads, inner);
      if (v != kNoMask) g.arg_valid = store(v);
      if (g.kind == GlobalOp::Kind::kAvgPrev) {
        g.periods = ast::literal_value(std::get<ast::NumberLit>(m_.expr(c.args[1]))) / kOne;
      }
      for (const auto& a : c.named) {
        const std::optional<NamedArg> arg = dsl::named_arg(a.name.name);
        if (arg == NamedArg::kWithin) g.group = store(expr(a.value));
        if (arg == NamedArg::kOrder) g.ascending = std::get<ast::NameRef>(m_.expr(a.value)).parts.front().name == "asc";
        if (arg == NamedArg::kTies) {
          const auto* word = std::get_if<ast::NameRef>(&m_.expr(a.value));
          const std::string w = word && word->parts.size() == 1 ? word->parts.front().name : "";
          if (w == "shared") {
            g.shared_ties = true;
          } else if (w != "key") {
            g.ties = store(expr(a.value));
            g.ties_text = policy_.type(a.value).kind == TypeKind::kText;
          }
        }
        if (arg == NamedArg::kDefault) {
          g.has_default = true;
          g.default_value = constant_value(a.value, policy_.type(c.args[0]));
          // A label's default written as a literal is the label's index; any other text is a text.
          g.default_text = policy_.type(a.value).kind == TypeKind::kText &&
                           !(policy_.type(c.args[0]).kind == TypeKind::kLabel && std::holds_alternative<ast::StringLit>(m_.expr(a.value)));
        }
      }
      end_program();
      g.out = new_column();
      g.valid = new_column();
      calls_[static_cast<std::uint32_t>(e)] = {g.out, g.valid};
      out_.globals.push_back(g);
      out_.steps.push_back({true, static_cast<std::uint32_t>(out_.globals.size() - 1)});
    }
  }

  // The global operation of a history or peer function.
  static GlobalOp::Kind global_kind(Builtin f) {
    switch (f) {
      case Builtin::kPrev: return GlobalOp::Kind::kPrev;
      case Builtin::kAvgPrev: return GlobalOp::Kind::kAvgPrev;
      case Builtin::kStreak: return GlobalOp::Kind::kStreak;
      case Builtin::kRank: return GlobalOp::Kind::kRank;
      case Builtin::kPercentile: return GlobalOp::Kind::kPercentile;
      case Builtin::kPeerAvg: return GlobalOp::Kind::kPeerAvg;
      case Builtin::kMin: case Builtin::kMax: case Builtin::kClamp: case Builtin::kAbs: case Builtin::kRound:
      case Builtin::kFloor: case Builtin::kCeil: case Builtin::kSum: case Builtin::kAvg: case Builtin::kCount:
      case Builtin::kRatio: case Builtin::kInterpolate: case Builtin::kShortfall: case Builtin::kExcess:
      case Builtin::kCountIn: case Builtin::kSize: case Builtin::kTrimmedMean: case Builtin::kPresent: case Builtin::kFill:
      case Builtin::kSubMean: case Builtin::kSubMin: case Builtin::kSubMax: case Builtin::kSubSum: case Builtin::kSubCount:
      case Builtin::kSubAt: break;
    }
    throw std::logic_error("compile: not a function over other rows");
  }

  // The value of a default written out: a number, money, text, yes/no, a label, or a param.
  std::int64_t constant_value(ExprId e, const dsl::Type& as) {
    const ast::Expr& x = m_.expr(e);
    if (const auto* str = std::get_if<ast::StringLit>(&x)) {
      if (as.kind == TypeKind::kLabel) {
        const auto& labels = policy_.domains[as.domain].labels;
        return std::find(labels.begin(), labels.end(), str->value) - labels.begin();
      }
      return out_.texts.add(str->value);
    }
    if (const auto* b = std::get_if<ast::BoolLit>(&x)) return b->value ? 1 : 0;
    if (const auto* n = std::get_if<ast::NumberLit>(&x)) return ast::literal_value(*n);
    if (const auto* m = std::get_if<ast::MoneyLit>(&x)) return m->fen;
    if (std::holds_alternative<ast::NameRef>(x)) {
      const dsl::ParamValue& v = policy_.params[policy_.symbol(policy_.ref(e)).index];
      return v.type.kind == TypeKind::kText ? out_.texts.add(v.text) : v.type.kind == TypeKind::kBool ? v.boolean : v.number;
    }
    if (const auto* u = std::get_if<ast::Unary>(&x)) return -constant_value(u->operand, as);
    return 0;
  }

  // A symbol is valid on a row when everything it reads there is: the symbols it reads on the
  // same row, its history and peer calls, and (structurally) sub-indicators and vetoes.
  // A path of the segments' trees is valid on a row when its node in the row's segment is.
  void validity(dsl::SymbolId s) {
    if (!has_periods_) return;
    mask_ = kNoMask;
    const dsl::Symbol& sym = policy_.symbol(s);
    const auto variants = variants_.find(static_cast<std::uint32_t>(s));
    if (variants != variants_.end()) {
      std::uint32_t invalid = kNoMask;
      for (const std::uint32_t node : variants->second) {
        const std::uint32_t v = node_validity(node);
        if (v == kNoMask) continue;
        const std::uint32_t in = emit(OpCode::kLoad, out_.segment_columns[m_.nodes[node].segment]);
        const std::uint32_t here = emit(OpCode::kAnd, in, emit(OpCode::kNot, v));
        invalid = invalid == kNoMask ? here : emit(OpCode::kOr, invalid, here);
      }
      if (invalid != kNoMask) out_.symbol_valid[static_cast<std::uint32_t>(s)] = store(emit(OpCode::kNot, invalid));
      return;
    }
    if (sym.kind == SymbolKind::kIndicator) {
      const std::uint32_t v = node_validity(sym.index);
      if (v != kNoMask) out_.symbol_valid[static_cast<std::uint32_t>(s)] = store(v);
      return;
    }
    std::vector<dsl::SymbolId> reads;
    std::vector<ExprId> calls;
    for (const ExprId r : roots(s)) {
      same_row_reads(r, reads);
      global_calls(r, calls, false);
    }
    if (sym.kind == SymbolKind::kGrade || sym.kind == SymbolKind::kAlert || sym.kind == SymbolKind::kFund) {
      for (const dsl::Dep& d : policy_.deps[static_cast<std::uint32_t>(s)]) {
        if (policy_.symbol(d.to).kind == SymbolKind::kVeto) reads.push_back(d.to);
      }
    }
    const std::uint32_t v = combine_validity(reads, calls);
    if (v != kNoMask) out_.symbol_valid[static_cast<std::uint32_t>(s)] = store(v);
  }

  // The validity of node `index` (in a register), or kNoMask when it is always valid.
  std::uint32_t node_validity(std::uint32_t index) {
    std::vector<dsl::SymbolId> reads;
    std::vector<ExprId> calls;
    for (const ExprId r : node_roots(index)) {
      same_row_reads(r, reads);
      global_calls(r, calls, false);
    }
    for (const std::uint32_t c : m_.nodes[index].children) reads.push_back(policy_.nodes[c].symbol);
    return combine_validity(reads, calls);
  }

  // ---- emitting ----

  std::uint32_t reg() { return next_reg_++; }

  std::uint32_t emit(OpCode op, std::uint32_t a = 0, std::uint32_t b = 0, std::uint32_t c = 0,
                     std::int64_t imm = 0, std::uint32_t aux = 0, ExprId src = ast::kNoExpr) {
    Instr in;
    in.op = op;
    in.dst = reg();
    in.a = a;
    in.b = b;
    in.c = c;
    in.imm = imm;
    in.aux = aux;
    in.mask = mask_;
    in.src = src;
    program_.code.push_back(in);
    if (op == OpCode::kLoad) column_of_[in.dst] = a;
    return in.dst;
  }

  std::uint32_t constant(std::int64_t v) { return emit(OpCode::kConst, 0, 0, 0, v); }

  // Records register `r` on the traced rows (within the segment being compiled) as {kind, a, b},
  // when compiling for `jixiao explain`.
  void trace(TraceKey::Kind kind, std::uint32_t a, std::uint32_t b, std::uint32_t r) {
    if (!tracing_) return;
    emit(OpCode::kTrace, r, segment_reg_, 0, static_cast<std::int64_t>((std::uint64_t{a} << 32) | b),
         static_cast<std::uint32_t>(kind));
  }

  // A text written in the policy: its id in the data is set by bind().
  std::uint32_t text_constant(const std::string& text) {
    const std::uint32_t r = constant(0);
    out_.text_constants.push_back({static_cast<std::uint32_t>(out_.programs.size()),
                                   static_cast<std::uint32_t>(program_.code.size() - 1), out_.texts.add(text)});
    return r;
  }

  // A column of the dataset, pointed at by bind().
  std::uint32_t data_column(ColumnBinding::Source source, std::uint32_t index = 0) {
    const std::uint32_t col = new_column();
    out_.bindings.push_back({source, col, index});
    return col;
  }

  std::uint32_t new_column() {
    out_.columns.emplace_back();
    return static_cast<std::uint32_t>(out_.columns.size() - 1);
  }

  // The column holding `value`: the one it was loaded from or stored into already, if any (a
  // weight or a ranking value that is a symbol, two tracks' equal eligibility: one column, not a
  // copy per reader), else a new one.
  std::uint32_t store(std::uint32_t value) {
    if (const auto it = column_of_.find(value); it != column_of_.end()) return it->second;
    const std::uint32_t col = new_column();
    column_of_[value] = col;
    Instr in;
    in.op = OpCode::kStore;
    in.dst = col;
    in.a = value;
    program_.code.push_back(in);
    return col;
  }

  void store_symbol(dsl::SymbolId s, std::uint32_t value) {
    out_.symbol_column[static_cast<std::uint32_t>(s)] = store(value);
  }

  std::uint32_t load_symbol(dsl::SymbolId s) {
    const std::int64_t col = out_.symbol_column[static_cast<std::uint32_t>(s)];
    if (col < 0) throw std::logic_error("compile: symbol `" + policy_.symbol(s).name + "` read before it is computed");
    return emit(OpCode::kLoad, static_cast<std::uint32_t>(col));
  }

  // Runs `body` with rows outside `condition` masked out (errors there do not count).
  template <typename F>
  std::uint32_t masked(std::uint32_t condition, F body) {
    const std::uint32_t saved = mask_;
    mask_ = saved == kNoMask ? condition : emit(OpCode::kAnd, saved, condition);
    const std::uint32_t r = body();
    mask_ = saved;
    return r;
  }

  // ---- symbols ----

  void symbol(dsl::SymbolId id) {
    const dsl::Symbol& s = policy_.symbol(id);
    switch (s.kind) {
      case SymbolKind::kKey: {
        const std::uint32_t col = data_column(s.index == 1 ? ColumnBinding::Source::kPeriod : ColumnBinding::Source::kKey);
        out_.symbol_column[static_cast<std::uint32_t>(id)] = col;
        return;
      }
      case SymbolKind::kInput: {
        const std::uint32_t col = data_column(ColumnBinding::Source::kInput, s.index);
        out_.symbol_column[static_cast<std::uint32_t>(id)] = col;
        return;
      }
      case SymbolKind::kParam:
      case SymbolKind::kSet:
        return;
      case SymbolKind::kLet:
        store_symbol(id, expr(m_.lets[s.index].value));
        return;
      case SymbolKind::kIndicator:
        indicator(id);
        return;
      case SymbolKind::kVeto: {
        const std::uint32_t col = store(expr(m_.vetoes[s.index].when));
        out_.symbol_column[static_cast<std::uint32_t>(id)] = col;
        out_.rules.push_back({0, s.name, col, s.span.begin});
        return;
      }
      case SymbolKind::kGrade:
      case SymbolKind::kAlert:
        band_decl(id);
        return;
      case SymbolKind::kFund:
        fund(id);
        return;
    }
  }

  // ---- segments ----

  // The nodes of each indicator path in the segments' trees (docs/language.md §13), by symbol.
  void segment_variants() {
    for (std::uint32_t i = 0; i < m_.nodes.size(); ++i) {
      const ast::IndicatorNode& n = m_.nodes[i];
      if (n.detached || n.segment == ast::IndicatorNode::kNoNode || policy_.nodes[i].symbol == dsl::kNoSymbol) continue;
      variants_[static_cast<std::uint32_t>(policy_.nodes[i].symbol)].push_back(i);
    }
  }

  // Each segment's condition, stored once (in the first program that needs it), and the row's
  // segment; a row that matches no segment, or several, is an error (kSegmentCheck).
  void segment_conditions() {
    if (!out_.segment_columns.empty()) return;
    std::uint32_t index = constant(-1);
    std::uint32_t matched = constant(0);
    for (std::uint32_t k = 0; k < m_.segments.size(); ++k) {
      const std::uint32_t holds = expr(m_.segments[k].when);
      out_.segment_columns.push_back(store(holds));
      index = emit(OpCode::kSelect, holds, constant(k), index);
      matched = emit(OpCode::kAdd, matched, emit(OpCode::kSelect, holds, constant(std::int64_t{1} << k), constant(0)));
    }
    Instr in;
    in.op = OpCode::kSegmentCheck;
    in.dst = reg();
    in.a = matched;
    program_.code.push_back(in);
    out_.segment_index = store(index);
  }

  // A path of the segments' trees: each segment's node is computed on that segment's rows (errors
  // elsewhere do not count), and the row's segment's value is the symbol's. Rows of segments whose
  // trees lack the path have no value (an empty cell), like an indicator that dropped out.
  void indicator(dsl::SymbolId id) {
    const auto it = variants_.find(static_cast<std::uint32_t>(id));
    if (it == variants_.end()) return indicator_node(id, policy_.symbol(id).index);
    segment_conditions();
    const std::size_t absent_before = out_.absent.size();
    std::uint32_t value = kNoMask;
    std::uint32_t present = kNoMask;
    for (const std::uint32_t node : it->second) {
      const std::uint32_t in = emit(OpCode::kLoad, out_.segment_columns[m_.nodes[node].segment]);
      segment_reg_ = in;
      const std::uint32_t v = masked(in, [&] { return node_score(id, node); });
      segment_reg_ = kNoMask;
      value = value == kNoMask ? v : emit(OpCode::kSelect, in, v, value);
      present = present == kNoMask ? in : emit(OpCode::kOr, present, in);
    }
    segment_rules();
    store_symbol(id, value);
    // One column of the rows without a value: outside the segments that have the path, or dropped
    // out (`missing reweight`) in a segment that has it.
    std::uint32_t absent = it->second.size() < m_.segments.size() ? emit(OpCode::kNot, present) : kNoMask;
    for (std::size_t i = absent_before; i < out_.absent.size(); ++i) {
      const std::uint32_t dropped = emit(OpCode::kLoad, out_.absent[i].second);
      absent = absent == kNoMask ? dropped : emit(OpCode::kOr, absent, dropped);
    }
    out_.absent.resize(absent_before);
    if (absent != kNoMask) out_.absent.emplace_back(id, store(absent));
  }

  // Rows where `flag` holds, within the segment being compiled (all rows outside segments).
  std::uint32_t in_segment(std::uint32_t flag) {
    return segment_reg_ == kNoMask ? flag : emit(OpCode::kAnd, flag, segment_reg_);
  }

  // A rule of a node (kind as RuleSlot::kind) firing where `value` (0 outside the segment being
  // compiled) is above 0, stored as its column, which is returned. In a segment's tree it is kept
  // until every segment's node of the path is compiled and returns kNoMask: the same rule in several
  // segments' trees is one rule, whichever tree it fires in (segment_rules()).
  std::uint32_t rule(int kind, const std::string& name, std::uint32_t value, std::uint32_t offset) {
    if (segment_reg_ == kNoMask) {
      const std::uint32_t col = store(value);
      out_.rules.push_back({kind, name, col, offset});
      return col;
    }
    const auto same = std::find_if(segment_rules_.begin(), segment_rules_.end(),
                                   [&](const PendingRule& r) { return r.kind == kind && r.name == name; });
    if (same == segment_rules_.end()) {
      segment_rules_.push_back({kind, name, value, offset});
    } else {
      // The segments' rows are disjoint: amounts add up, flags are ORed.
      same->value = emit(kind == 1 || kind == 2 ? OpCode::kAdd : OpCode::kOr, same->value, value);
      same->offset = std::min(same->offset, offset);
    }
    return kNoMask;
  }

  // The rules the segments' nodes of a path kept, one column each.
  void segment_rules() {
    for (const PendingRule& r : segment_rules_) out_.rules.push_back({r.kind, r.name, store(r.value), r.offset});
    segment_rules_.clear();
  }

  void indicator_node(dsl::SymbolId id, std::uint32_t index) {
    const std::uint32_t score = node_score(id, index);
    store_symbol(id, score);
    const ast::IndicatorNode& n = m_.nodes[index];
    if (n.children.empty() && n.missing == ast::MissingRule::kPeerAverage && absent_missing_ != kNoMask) {
      // The average over the rows that have a value fills the rows that do not: a global step
      // after this program, whose result becomes the indicator's column.
      GlobalOp g;
      g.kind = GlobalOp::Kind::kPeerFill;
      g.src = n.formula;
      g.arg = static_cast<std::uint32_t>(out_.symbol_column[static_cast<std::uint32_t>(id)]);
      g.arg_missing = store(absent_missing_);
      g.precision = policy_.precision;
      g.out = new_column();
      g.valid = new_column();
      pending_globals_.push_back(g);
      out_.symbol_column[static_cast<std::uint32_t>(id)] = g.out;
    }
  }

  // The score of node `index` (of symbol `id`), with its rules; its missing mask in absent_missing_.
  std::uint32_t node_score(dsl::SymbolId id, std::uint32_t index) {
    const dsl::Symbol& s = policy_.symbol(id);
    const ast::IndicatorNode& n = m_.nodes[index];
    const dsl::NodeInfo& info = policy_.nodes[index];
    std::uint32_t score = 0;
    std::uint32_t missing = kNoMask;  // leaf: rows whose formula reads a missing optional input
    if (n.children.empty()) {
      missing = missing_mask(optional_inputs(policy_, n.formula));
      // A formula that can give more than the leaf's top is cut there: the rows it cuts are a rule
      // that fired (`封顶:路径`), so that no score is changed without a word.
      const bool can_exceed = policy_.leaf_can_exceed(index);
      std::uint32_t over = 0;
      auto body = [&]() {
        const std::uint32_t raw = expr(n.formula);
        if (can_exceed) over = emit(OpCode::kGt, raw, constant(policy_.leaf_top(index)));
        const std::int64_t flags = (info.points ? 1 : 0) | (static_cast<std::int64_t>(policy_.precision) << 1);
        return emit(OpCode::kLeafScore, raw, index, 0, info.full, static_cast<std::uint32_t>(flags), n.formula);
      };
      score = missing == kNoMask ? body() : masked(emit(OpCode::kNot, missing), body);
      if (can_exceed) {
        if (missing != kNoMask) over = emit(OpCode::kSelect, missing, constant(0), over);
        rule(3, s.name, in_segment(over), m_.span(n.formula).begin);
      }
      if (missing != kNoMask) {
        score = emit(OpCode::kSelect, missing, constant(0), score);
        const std::uint32_t missing_here = in_segment(missing);
        const std::uint32_t ruled = rule(4, s.name, missing_here, n.missing_span.begin);
        if (n.missing == ast::MissingRule::kReweight) {
          const std::uint32_t missing_col = ruled == kNoMask ? store(missing_here) : ruled;
          absent_[index] = missing_col;
          out_.absent.emplace_back(id, missing_col);
        }
      }
    } else {
      for (std::size_t i = 0; i < n.children.size(); ++i) {
        const std::uint32_t child = load_symbol(policy_.nodes[n.children[i]].symbol);
        score = i == 0 ? child : emit(OpCode::kAdd, score, child);
      }
      trace(TraceKey::Kind::kGroupSum, index, 0, score);
      score = reweight(index, score);
    }
    if (!n.adjusts.empty()) {
      std::uint32_t deductions = constant(0);
      std::uint32_t bonuses = constant(0);
      for (std::uint32_t k = 0; k < n.adjusts.size(); ++k) {
        const ast::Adjust& a = n.adjusts[k];
        const std::uint32_t amount = adjust(a, index, k);
        if (a.kind == ast::AdjustKind::kDeduct) {
          deductions = emit(OpCode::kAdd, deductions, amount, 0, 0, 0, a.amount);
        } else {
          bonuses = emit(OpCode::kAdd, bonuses, amount, 0, 0, 0, a.amount);
        }
      }
      trace(TraceKey::Kind::kDeductionsTotal, index, 0, deductions);
      trace(TraceKey::Kind::kBonusesTotal, index, 0, bonuses);
      deductions = node_cap(n.deductions_max, deductions, s.name + std::string(kDeductionsCapSuffix));
      bonuses = node_cap(n.bonuses_max, bonuses, s.name + std::string(kBonusesCapSuffix));
      score = emit(OpCode::kNodeCombine, score, deductions, bonuses, policy_.precision, index);
    }
    absent_missing_ = missing;
    return score;
  }

  // The rows where any of `inputs` (optional input indices) is missing, or kNoMask.
  std::uint32_t missing_mask(const std::vector<std::uint32_t>& inputs) {
    std::uint32_t m = kNoMask;
    for (const std::uint32_t i : inputs) {
      const std::uint32_t r = emit(OpCode::kLoad, missing_column(i));
      m = m == kNoMask ? r : emit(OpCode::kOr, m, r);
    }
    return m;
  }

  // The column of optional input `i`'s missing flags (a view of the dataset's).
  std::uint32_t missing_column(std::uint32_t i) {
    if (missing_column_.count(i) == 0) {
      missing_column_[i] = data_column(ColumnBinding::Source::kMissing, i);
    }
    return missing_column_.at(i);
  }

  // A group whose sub-indicators `missing reweight` can be absent: the absent ones' full marks
  // drop out and the rest are scaled up to the group's full marks; if all are absent, so is the group.
  std::uint32_t reweight(std::uint32_t node, std::uint32_t sum) {
    const ast::IndicatorNode& n = m_.nodes[node];
    std::uint32_t absent_full = kNoMask;
    for (const std::uint32_t c : n.children) {
      const auto it = absent_.find(c);
      if (it == absent_.end()) continue;
      const std::uint32_t part = emit(OpCode::kSelect, emit(OpCode::kLoad, it->second), constant(policy_.nodes[c].full), constant(0));
      absent_full = absent_full == kNoMask ? part : emit(OpCode::kAdd, absent_full, part);
    }
    if (absent_full == kNoMask) return sum;
    const std::int64_t full = policy_.nodes[node].full;
    const std::uint32_t all_absent = in_segment(emit(OpCode::kGe, absent_full, constant(full)));
    if (n.parent == ast::IndicatorNode::kNoNode) {
      // A tree with nothing to score on a row cannot give it a total.
      Instr in;
      in.op = OpCode::kAllMissing;
      in.dst = reg();
      in.a = all_absent;
      in.src = ExprId{0xFFFFFFFFu};
      in.aux = node;
      program_.code.push_back(in);
    } else {
      absent_[node] = store(all_absent);
      out_.absent.emplace_back(policy_.nodes[node].symbol, absent_[node]);
    }
    return emit(OpCode::kReweight, sum, absent_full, node, full, static_cast<std::uint32_t>(policy_.precision));
  }

  std::uint32_t node_cap(ExprId cap, std::uint32_t total, const std::string& name) {
    if (!ast::present(cap)) return total;
    const std::uint32_t limit = expr(cap);
    rule(3, name, in_segment(emit(OpCode::kGt, total, limit)), m_.span(cap).begin);
    return emit(OpCode::kMin, total, limit);
  }

  // An adjustment's amount after `per`, `when` and `max`; never below 0. It is adjustment `k` of
  // node `node` (for the trace).
  std::uint32_t adjust(const ast::Adjust& a, std::uint32_t node, std::uint32_t k) {
    auto body = [&]() {
      std::uint32_t amount = expr(a.amount);
      if (ast::present(a.per)) {
        amount = emit(OpCode::kMul, amount, expr(a.per), 0, 0, 0, a.amount);
        trace(TraceKey::Kind::kAdjustProduct, node, k, amount);
      }
      return amount;
    };
    std::uint32_t amount = 0;
    if (ast::present(a.when)) {
      const std::uint32_t when = expr(a.when);
      amount = masked(when, body);
      amount = emit(OpCode::kSelect, when, amount, constant(0));
    } else {
      amount = body();
    }
    amount = emit(OpCode::kMax, amount, constant(0));
    trace(TraceKey::Kind::kAdjustComputed, node, k, amount);
    if (ast::present(a.max)) {
      const std::uint32_t limit = expr(a.max);
      rule(3, a.name.name, in_segment(emit(OpCode::kGt, amount, limit)), a.max == ast::kNoExpr ? 0 : m_.span(a.max).begin);
      amount = emit(OpCode::kMin, amount, limit);
    }
    trace(TraceKey::Kind::kAdjustApplied, node, k, amount);
    rule(a.kind == ast::AdjustKind::kDeduct ? 1 : 2, a.name.name,
         segment_reg_ == kNoMask ? amount : emit(OpCode::kSelect, segment_reg_, amount, constant(0)), a.span.begin);
    return amount;
  }

  void band_decl(dsl::SymbolId id) {
    const dsl::Symbol& s = policy_.symbol(id);
    const ast::BandDecl& decl = m_.bands[s.index];
    const std::uint32_t x = expr(decl.of);
    BandsTable table;
    const dsl::Domain& domain = policy_.domains[policy_.band_domain[s.index]];
    for (const ast::Band& b : decl.bands) {
      if (!b.has_interval) continue;  // reached only through veto effects
      table.intervals.push_back(b.interval);
      const auto it = std::find(domain.labels.begin(), domain.labels.end(), b.label.text);
      table.values.push_back(static_cast<std::uint32_t>(it - domain.labels.begin()));
    }
    out_.bands.push_back(std::move(table));
    std::uint32_t label = emit(OpCode::kBandLabel, x, s.index, 0, 0, static_cast<std::uint32_t>(out_.bands.size() - 1), decl.of);
    EffectTable effects;
    effects.labels = static_cast<std::uint32_t>(domain.labels.size());
    for (std::size_t v = 0; v < m_.vetoes.size(); ++v) {
      for (const dsl::ResolvedEffect& e : policy_.veto_effects[v]) {
        if (e.kind == ast::EffectKind::kFundZero || e.target != s.index) continue;
        const dsl::SymbolId veto = policy_.find(m_.vetoes[v].name.name);
        effects.effects.push_back({static_cast<std::uint32_t>(out_.symbol_column[static_cast<std::uint32_t>(veto)]),
                                   e.kind, e.label, e.steps});
      }
    }
    if (!effects.effects.empty()) {
      out_.effects.push_back(std::move(effects));
      label = emit(decl.kind == ast::BandKind::kGrade ? OpCode::kGradeEffects : OpCode::kAlertEffects, label, 0, s.index, 0,
                   static_cast<std::uint32_t>(out_.effects.size() - 1));
    }
    store_symbol(id, label);
  }

  void fund(dsl::SymbolId id) {
    const dsl::Symbol& s = policy_.symbol(id);
    const ast::FundDecl& f = m_.funds[s.index];
    FundColumns& cols = out_.funds[s.index];
    // Rows a veto zeroes out of this fund.
    std::uint32_t excluded = constant(0);
    for (std::size_t v = 0; v < m_.vetoes.size(); ++v) {
      for (const dsl::ResolvedEffect& e : policy_.veto_effects[v]) {
        if (e.kind != ast::EffectKind::kFundZero || (!e.all_funds && e.target != s.index)) continue;
        excluded = emit(OpCode::kOr, excluded, load_symbol(policy_.find(m_.vetoes[v].name.name)));
      }
    }
    const std::uint32_t included = emit(OpCode::kNot, excluded);
    for (const ast::Track& t : f.tracks) {
      TrackColumns tc;
      std::uint32_t eligible = included;
      if (ast::present(t.when)) eligible = emit(OpCode::kAnd, eligible, expr(t.when));
      tc.eligible = store(eligible);
      masked(eligible, [&]() {
        // A weight is also compiled as an ordinary value: its errors are reported as any value's,
        // `explain` reads its parts, and its leaves are stored for its exact program.
        for (const ExprId w : {t.by, t.proportional}) {
          if (!ast::present(w)) continue;
          const std::uint32_t value = expr(w);
          const auto exact = exact_root_.find(static_cast<std::uint32_t>(w));
          if (exact == exact_root_.end()) {
            tc.rank = store(value);
            tc.has_rank = true;
            continue;
          }
          tc.exact = exact->second;
          out_.exact[static_cast<std::size_t>(tc.exact)].rows = tc.eligible;
        }
        return 0u;
      });
      cols.tracks.push_back(tc);
    }
    if (ast::present(f.per_group)) {
      cols.grouped = true;
      cols.group = store(expr(f.per_group));
      if (policy_.type(f.pool).kind == TypeKind::kMoney) {
        cols.pool_column = true;
        cols.pool = store(expr(f.pool));
      }
    }
    for (const ast::TieKey& k : f.ties) cols.ties.push_back(store(expr(k.key)));
  }

  // ---- expressions ----

  std::uint32_t expr(ExprId e) {
    if (std::holds_alternative<ast::Binary>(m_.expr(e))) {
      // `a + b + c ...` nests down the left: its operations compile from the innermost out, in a
      // loop, each taking the register of the one before as its left operand.
      std::optional<std::uint32_t> left;
      for (const ExprId op : ast::left_chain(m_.exprs, e)) left = kept(op, binary(op, std::get<ast::Binary>(m_.expr(op)), left));
      return *left;
    }
    return kept(e, std::visit([&](const auto& node) { return compile_node(e, node); }, m_.expr(e)));
  }

  // The register `r` holding the value of `e` (recorded for `jixiao explain` when it is traced).
  std::uint32_t kept(ExprId e, std::uint32_t r) {
    const auto i = static_cast<std::uint32_t>(e);
    // Recorded for `jixiao explain`; a formula the segments' trees share, on each row's segment's rows.
    if (i < trace_.size() && trace_[i]) trace(TraceKey::Kind::kValue, i, 0, r);
    if (const auto leaf = leaf_column_.find(i); leaf != leaf_column_.end()) leaf->second = store(r);
    return r;
  }

  std::uint32_t compile_node(ExprId, const ast::NumberLit& n) { return constant(ast::literal_value(n)); }
  std::uint32_t compile_node(ExprId, const ast::MoneyLit& n) { return constant(n.fen); }
  std::uint32_t compile_node(ExprId, const ast::StringLit& s) { return text_constant(s.value); }
  std::uint32_t compile_node(ExprId, const ast::BoolLit& b) { return constant(b.value ? 1 : 0); }

  std::uint32_t compile_node(ExprId e, const ast::NameRef&) {
    const dsl::SymbolId id = policy_.ref(e);
    const dsl::Symbol& s = policy_.symbol(id);
    if (s.kind == SymbolKind::kParam) {
      const dsl::ParamValue& v = policy_.params[s.index];
      switch (v.type.kind) {
        case TypeKind::kText: return text_constant(v.text);
        case TypeKind::kBool: return constant(v.boolean ? 1 : 0);
        default: return constant(v.number);
      }
    }
    return load_symbol(id);
  }

  std::uint32_t compile_node(ExprId e, const ast::Unary& u) {
    const std::uint32_t a = expr(u.operand);
    return emit(u.op == ast::UnaryOp::kNot ? OpCode::kNot : OpCode::kNeg, a, 0, 0, 0, 0, e);
  }

  // A text literal compared with a label compiles to the label's index.
  std::uint32_t comparand(ExprId e, const dsl::Type& other) {
    if (other.kind == TypeKind::kLabel) {
      if (const auto* s = std::get_if<ast::StringLit>(&m_.expr(e))) {
        const auto& labels = policy_.domains[other.domain].labels;
        return constant(std::find(labels.begin(), labels.end(), s->value) - labels.begin());
      }
    }
    return expr(e);
  }

  std::uint32_t compile_node(ExprId e, const ast::Binary& b) { return binary(e, b, std::nullopt); }

  // `b` (the expression `e`); `left` holds its left operand when the chain loop compiled it.
  std::uint32_t binary(ExprId e, const ast::Binary& b, std::optional<std::uint32_t> left) {
    using B = ast::BinaryOp;
    const dsl::Type lt = policy_.type(b.lhs);
    const dsl::Type rt = policy_.type(b.rhs);
    switch (b.op) {
      case B::kAnd: {
        const std::uint32_t l = left ? *left : expr(b.lhs);
        const std::uint32_t r = masked(l, [&]() { return expr(b.rhs); });
        return emit(OpCode::kAnd, l, r);
      }
      case B::kOr: {
        const std::uint32_t l = left ? *left : expr(b.lhs);
        const std::uint32_t r = masked(emit(OpCode::kNot, l), [&]() { return expr(b.rhs); });
        return emit(OpCode::kOr, l, r);
      }
      case B::kIn:
      case B::kNotIn: {
        const std::uint32_t a = left ? *left : expr(b.lhs);
        const std::uint32_t r = emit(OpCode::kInSet, a, 0, 0, 0, set_for(b.rhs, lt));
        return b.op == B::kIn ? r : emit(OpCode::kNot, r);
      }
      case B::kAnyIn:
      case B::kAllIn:
        return emit(b.op == B::kAnyIn ? OpCode::kListAny : OpCode::kListAll, list_input(b.lhs), 0, 0, 0,
                    set_for(b.rhs, dsl::Type{TypeKind::kText, 0, TypeKind::kError}));
      default:
        break;
    }
    const std::uint32_t l = left ? *left : comparand(b.lhs, rt);
    const std::uint32_t r = comparand(b.rhs, lt);
    const bool lm = lt.kind == TypeKind::kMoney;
    const bool rm = rt.kind == TypeKind::kMoney;
    switch (b.op) {
      case B::kAdd: return emit(OpCode::kAdd, l, r, 0, 0, 0, e);
      case B::kSub: return emit(OpCode::kSub, l, r, 0, 0, 0, e);
      case B::kMul:
        if (lm) return emit(OpCode::kMulMoney, l, r, 0, 0, 0, e);
        if (rm) return emit(OpCode::kMulMoney, r, l, 0, 0, 0, e);
        return emit(OpCode::kMul, l, r, 0, 0, 0, e);
      case B::kDiv:
        if (lm && rm) return emit(OpCode::kDivMoney, l, r, 0, 0, 0, e);
        if (lm) return emit(OpCode::kDivMoneyNum, l, r, 0, 0, 0, e);
        return emit(OpCode::kDiv, l, r, 0, 0, 0, e);
      case B::kEq: return emit(OpCode::kEq, l, r);
      case B::kNe: return emit(OpCode::kNe, l, r);
      case B::kLt: return emit(OpCode::kLt, l, r);
      case B::kLe: return emit(OpCode::kLe, l, r);
      case B::kGt: return emit(OpCode::kGt, l, r);
      case B::kGe: return emit(OpCode::kGe, l, r);
      default: throw std::logic_error("compile: unexpected operator");
    }
  }

  // The input index of a list<text> input named by `e`.
  std::uint32_t list_input(ExprId e) {
    const dsl::Symbol& s = policy_.symbol(policy_.ref(e));
    return s.index;
  }

  // A bitmap over text ids (or label indices) for a set literal or a named set.
  std::uint32_t set_for(ExprId e, const dsl::Type& element) {
    std::vector<std::string> items;
    const ast::Expr* node = &m_.expr(e);
    if (std::holds_alternative<ast::NameRef>(*node)) {
      node = &m_.expr(m_.sets[policy_.symbol(policy_.ref(e)).index].value);
    }
    for (const ExprId item : std::get<ast::SetLit>(*node).items) {
      items.push_back(std::get<ast::StringLit>(m_.expr(item)).value);
    }
    std::vector<std::uint8_t> bitmap;
    if (element.kind == TypeKind::kLabel) {
      const auto& labels = policy_.domains[element.domain].labels;
      bitmap.assign(labels.size(), 0);
      for (const auto& i : items) {
        const auto it = std::find(labels.begin(), labels.end(), i);
        if (it != labels.end()) bitmap[static_cast<std::size_t>(it - labels.begin())] = 1;
      }
    } else {
      std::vector<std::uint32_t> texts;
      for (const auto& i : items) texts.push_back(out_.texts.add(i));
      out_.text_sets.emplace_back(static_cast<std::uint32_t>(out_.sets.size()), std::move(texts));
    }
    out_.sets.push_back(std::move(bitmap));
    return static_cast<std::uint32_t>(out_.sets.size() - 1);
  }

  std::uint32_t compile_node(ExprId, const ast::If& i) {
    const std::uint32_t c = expr(i.cond);
    const std::uint32_t a = masked(c, [&]() { return expr(i.then_expr); });
    const std::uint32_t b = masked(emit(OpCode::kNot, c), [&]() { return expr(i.else_expr); });
    return emit(OpCode::kSelect, c, a, b);
  }

  std::uint32_t compile_node(ExprId, const ast::Pair&) { throw std::logic_error("compile: bare pair"); }
  std::uint32_t compile_node(ExprId, const ast::SetLit&) { throw std::logic_error("compile: bare set"); }
  std::uint32_t compile_node(ExprId, const ast::TableLit&) { throw std::logic_error("compile: bare table"); }

  std::uint32_t compile_node(ExprId e, const ast::Coef& c) {
    const dsl::Type subject = policy_.type(c.subject);
    const std::uint32_t key = expr(c.subject);
    CoefTable table;
    if (subject.kind == TypeKind::kLabel) {
      const auto& labels = policy_.domains[subject.domain].labels;
      table.by_key.assign(labels.size(), -1);
      for (const auto& entry : c.entries) {
        const auto it = std::find(labels.begin(), labels.end(), entry.key.text);
        table.by_key[static_cast<std::size_t>(it - labels.begin())] = static_cast<std::int32_t>(expr(entry.value));
      }
    } else {
      std::vector<std::pair<std::uint32_t, std::int32_t>> keyed;
      for (const auto& entry : c.entries) {
        keyed.emplace_back(out_.texts.add(entry.key.text), static_cast<std::int32_t>(expr(entry.value)));
      }
      out_.text_coefs.emplace_back(static_cast<std::uint32_t>(out_.coefs.size()), std::move(keyed));
    }
    if (ast::present(c.otherwise)) table.otherwise = static_cast<std::int32_t>(expr(c.otherwise));
    out_.coefs.push_back(std::move(table));
    return emit(OpCode::kCoef, key, 0, 0, 0, static_cast<std::uint32_t>(out_.coefs.size() - 1), e);
  }

  std::uint32_t compile_node(ExprId e, const ast::Bands& b) {
    const std::uint32_t x = expr(b.subject);
    BandsTable table;
    for (const auto& entry : b.entries) {
      table.intervals.push_back(entry.interval);
      table.values.push_back(expr(entry.value));
    }
    out_.bands.push_back(std::move(table));
    return emit(OpCode::kBands, x, 0, 0, 0, static_cast<std::uint32_t>(out_.bands.size() - 1), e);
  }

  const ast::NamedArg* named(const ast::Call& c, NamedArg arg) const {
    for (const auto& a : c.named) {
      if (dsl::named_arg(a.name.name) == arg) return &a;
    }
    return nullptr;
  }

  std::string word(const ast::NamedArg* a, std::string fallback) const {
    if (a == nullptr) return fallback;
    return std::get<ast::NameRef>(m_.expr(a->value)).parts.front().name;
  }

  std::uint32_t compile_node(ExprId e, const ast::Call& c) {
    auto arg = [&](std::size_t i) { return expr(c.args[i]); };
    auto fold = [&](OpCode op) {
      std::uint32_t r = arg(0);
      for (std::size_t i = 1; i < c.args.size(); ++i) r = emit(op, r, arg(i), 0, 0, 0, e);
      return r;
    };
    // avg, min, max, sum, size and trimmed_mean of one list of numbers: aux says which.
    const bool number_list = c.args.size() == 1 && policy_.type(c.args[0]).kind == TypeKind::kNumberList;
    auto list_agg = [&](std::uint32_t kind) {
      std::int64_t trim = 1;
      std::int64_t above = -1;
      for (const auto& a : c.named) {
        const std::int64_t v = ast::literal_value(std::get<ast::NumberLit>(m_.expr(a.value))) / kOne;
        if (dsl::named_arg(a.name.name) == NamedArg::kTrim) trim = v;
        if (dsl::named_arg(a.name.name) == NamedArg::kAbove) above = v;
      }
      if (above < 0) above = 2 * trim;
      return emit(OpCode::kNumberListAgg, list_input(c.args[0]), static_cast<std::uint32_t>(above), 0, trim, kind, e);
    };
    const Builtin f = policy_.builtin(e);
    switch (f) {
      case Builtin::kPrev: case Builtin::kAvgPrev: case Builtin::kStreak:
      case Builtin::kRank: case Builtin::kPercentile: case Builtin::kPeerAvg:
        return emit(OpCode::kLoad, calls_.at(static_cast<std::uint32_t>(e)).first);
      case Builtin::kSubMean: case Builtin::kSubMin: case Builtin::kSubMax: case Builtin::kSubSum: case Builtin::kSubCount:
      case Builtin::kSubAt: {
        // Rolled up: the value over the sub-periods, computed from the data's rows when they were
        // rolled up (rollup.cpp).
        return emit(OpCode::kLoad, data_column(ColumnBinding::Source::kSubValues, static_cast<std::uint32_t>(e)));
      }
      case Builtin::kPresent: case Builtin::kFill: {
        const std::uint32_t missing = missing_mask(optional_inputs(policy_, c.args[0]));
        if (f == Builtin::kPresent) return missing == kNoMask ? constant(1) : emit(OpCode::kNot, missing);
        if (missing == kNoMask) return expr(c.args[0]);
        const std::uint32_t value = masked(emit(OpCode::kNot, missing), [&]() { return expr(c.args[0]); });
        return emit(OpCode::kSelect, missing, expr(c.args[1]), value);
      }
      case Builtin::kAvg: {
        if (number_list) return list_agg(0);
        const std::uint32_t total = fold(OpCode::kAdd);
        return emit(OpCode::kDiv, total, constant(static_cast<std::int64_t>(c.args.size()) * kOne), 0, 0, 0, e);
      }
      case Builtin::kMin: return number_list ? list_agg(1) : fold(OpCode::kMin);
      case Builtin::kMax: return number_list ? list_agg(2) : fold(OpCode::kMax);
      case Builtin::kSum: return number_list ? list_agg(3) : fold(OpCode::kAdd);
      case Builtin::kSize: return number_list ? list_agg(4) : emit(OpCode::kListSize, list_input(c.args[0]));
      case Builtin::kTrimmedMean: return list_agg(5);
      case Builtin::kClamp: return emit(OpCode::kMin, emit(OpCode::kMax, arg(0), arg(1)), arg(2));
      case Builtin::kAbs: return emit(OpCode::kAbs, arg(0), 0, 0, 0, 0, e);
      case Builtin::kFloor: return emit(OpCode::kFloor, arg(0));
      case Builtin::kCeil: return emit(OpCode::kCeil, arg(0));
      case Builtin::kRound: {
        const auto& places = std::get<ast::NumberLit>(m_.expr(c.args[1]));
        return emit(OpCode::kRound, arg(0), 0, 0, places.raw / kOne);
      }
      case Builtin::kCount: {
        std::uint32_t r = emit(OpCode::kBoolToNum, arg(0));
        for (std::size_t i = 1; i < c.args.size(); ++i) r = emit(OpCode::kAdd, r, emit(OpCode::kBoolToNum, arg(i)));
        return r;
      }
      case Builtin::kCountIn:
        return emit(OpCode::kListCount, list_input(c.args[0]), 0, 0, 0,
                    set_for(c.args[1], dsl::Type{TypeKind::kText, 0, TypeKind::kError}));
      case Builtin::kRatio: {
        const std::uint32_t x = arg(0);
        const ast::NamedArg* t = named(c, NamedArg::kTarget);
        const std::uint32_t target = c.args.size() > 1 ? arg(1) : expr(t->value);
        const ast::NamedArg* cap = named(c, NamedArg::kCap);
        const std::uint32_t limit = cap ? expr(cap->value) : constant(100 * kOne);
        const bool lower = word(named(c, NamedArg::kBetter), "higher") == "lower";
        const std::uint32_t r = emit(OpCode::kRatio, x, target, limit, lower ? 1 : 0, 0, e);
        // `at_zero: V`: what x of 0 or below scores instead of full marks (lower is better only).
        const ast::NamedArg* at_zero = named(c, NamedArg::kAtZero);
        return at_zero ? emit(OpCode::kSelect, emit(OpCode::kLe, x, constant(0)), expr(at_zero->value), r) : r;
      }
      case Builtin::kInterpolate: {
        std::vector<std::pair<std::int64_t, std::int64_t>> points;
        for (std::size_t i = 1; i < c.args.size(); ++i) {
          const auto& p = std::get<ast::Pair>(m_.expr(c.args[i]));
          points.emplace_back(ast::literal_value(std::get<ast::NumberLit>(m_.expr(p.from))),
                              ast::literal_value(std::get<ast::NumberLit>(m_.expr(p.to))));
        }
        out_.interpolations.push_back(std::move(points));
        return emit(OpCode::kInterp, arg(0), 0, 0, 0, static_cast<std::uint32_t>(out_.interpolations.size() - 1), e);
      }
      case Builtin::kShortfall: case Builtin::kExcess: {
        const ast::NamedArg* step = named(c, NamedArg::kStep);
        const std::int64_t s = step ? ast::literal_value(std::get<ast::NumberLit>(m_.expr(step->value))) : kOne;
        const std::string mode = word(named(c, NamedArg::kPartial), "prorata");
        const std::uint32_t flags = (mode == "floor" ? 1u : mode == "ceil" ? 2u : 0u) | (f == Builtin::kExcess ? 4u : 0u);
        return emit(OpCode::kShortfall, arg(0), arg(1), 0, s, flags, e);
      }
    }
    throw std::logic_error("compile: a call the checker did not resolve to a function");
  }

  const dsl::CheckedPolicy& policy_;
  const ast::Module& m_;
  Compiled& out_;
  Program program_;
  std::uint32_t next_reg_ = 0;
  /// Per register of the program being compiled: the column it was loaded from or stored into.
  std::unordered_map<std::uint32_t, std::uint32_t> column_of_;
  std::uint32_t mask_ = kNoMask;
  bool has_periods_ = false;
  bool tracing_ = false;  ///< compiling for `jixiao explain`: the steps it shows are recorded (trace())
  std::unordered_map<std::uint32_t, std::pair<std::uint32_t, std::uint32_t>> calls_;  ///< call → (value, validity) columns
  std::unordered_map<std::uint32_t, std::uint32_t> missing_column_;  ///< optional input → its missing flags
  std::unordered_map<std::uint32_t, std::uint32_t> absent_;          ///< node → column: absent (reweighted away)
  std::vector<GlobalOp> pending_globals_;                            ///< run after the current program
  std::vector<bool> trace_;                                          ///< per ExprId: keep its values
  std::unordered_map<std::uint32_t, std::uint32_t> leaf_column_;     ///< leaf of an exact weight → its column
  std::unordered_map<std::uint32_t, std::int32_t> exact_root_;       ///< weight expression → its exact program
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> variants_;  ///< symbol → its nodes in the segments' trees
  std::uint32_t segment_reg_ = kNoMask;    ///< while a segment's node compiles: the register of its rows
  struct PendingRule {
    int kind = 0;
    std::string name;
    std::uint32_t value = 0;  ///< register: the rule's value on the rows of the segments compiled so far
    std::uint32_t offset = 0;
  };
  std::vector<PendingRule> segment_rules_;  ///< the rules of the path whose segments' nodes are compiling
  std::uint32_t absent_missing_ = kNoMask;  ///< the last node_score's leaf: rows missing an input it reads
};

}  // namespace

Compiled compile(const Plan& plan, const std::vector<ast::ExprId>& trace) {
  Compiled out;
  Compiler compiler(plan, out, trace);
  compiler.run(plan);
  return out;
}

namespace {

// Per text of the policy, its id in `pool`, or kNotFound: one pass over the pool, which may have let
// go of its index (StringPool::release_index), comparing only the texts of a length the policy's have.
constexpr std::uint32_t kNotFound = ~std::uint32_t{0};
std::vector<std::uint32_t> find_texts(const PolicyTexts& texts, const StringPool& pool) {
  std::vector<std::uint32_t> id(texts.texts.size(), kNotFound);
  if (texts.texts.empty()) return id;
  std::vector<bool> length;  // lengths of the policy's texts
  for (const std::string& t : texts.texts) {
    if (t.size() >= length.size()) length.resize(t.size() + 1, false);
    length[t.size()] = true;
  }
  std::string key;
  for (std::uint32_t k = 0; k < pool.size(); ++k) {
    const std::string_view t = pool.text(k);
    if (t.size() >= length.size() || !length[t.size()]) continue;
    key.assign(t);
    if (const auto it = texts.index.find(key); it != texts.index.end()) id[it->second] = k;
  }
  return id;
}

}  // namespace

void bind(Compiled& compiled, const Dataset& data) {
  for (const ColumnBinding& b : compiled.bindings) {
    using S = ColumnBinding::Source;
    const Column& column = b.source == S::kKey       ? data.key
                           : b.source == S::kPeriod  ? data.period
                           : b.source == S::kSubValues ? data.sub_values.at(b.index)
                                                       : data.inputs[b.index];
    ColumnSlot& slot = compiled.columns[b.column];
    if (b.source == S::kInput && column.narrow()) {
      slot.narrow = column.mantissas.data();
      slot.scale = Column::kPowers[column.power];
    } else {
      slot.view = b.source == S::kMissing ? column.missing.data() : column.values.data();
    }
  }
  std::vector<std::uint32_t> id = find_texts(compiled.texts, data.strings);
  std::vector<std::string> extra;  // the texts the data lacks, numbered after its own
  for (std::size_t t = 0; t < id.size(); ++t) {
    if (id[t] != kNotFound) continue;
    id[t] = static_cast<std::uint32_t>(data.strings.size() + extra.size());
    extra.push_back(compiled.texts.texts[t]);
  }
  compiled.bound_texts = Texts(data.strings, std::move(extra));
  const std::size_t texts = compiled.bound_texts.size();
  for (const TextConstant& k : compiled.text_constants) compiled.programs[k.program].code[k.instr].imm = id[k.text];
  for (GlobalOp& g : compiled.globals) {
    if (g.default_text) g.default_value = id[static_cast<std::size_t>(g.default_value)];
    g.default_text = false;
  }
  for (const auto& [set, items] : compiled.text_sets) {
    std::vector<std::uint8_t>& bitmap = compiled.sets[set];
    bitmap.assign(texts, 0);
    for (const std::uint32_t t : items) bitmap[id[t]] = 1;
  }
  for (const auto& [coef, keys] : compiled.text_coefs) {
    std::vector<std::int32_t>& by_key = compiled.coefs[coef].by_key;
    by_key.assign(texts, -1);
    for (const auto& [t, r] : keys) by_key[id[t]] = r;
  }
  for (ExactProgram& p : compiled.exact) {
    for (ExactSwitch& s : p.switches) {
      if (!s.text_keyed) continue;
      s.jumps.assign(texts, -1);
      for (const auto& [t, jump] : s.text_keys) {
        if (s.jumps[id[t]] < 0) s.jumps[id[t]] = jump;
      }
    }
  }
}

}  // namespace jixiao::engine::detail
