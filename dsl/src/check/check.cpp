// The checker: declares symbols, resolves names, types every expression, computes static ranges,
// and checks the structure of indicator trees, vetoes, bands, funds and outputs. This file holds
// the entry point `check()`, the order of the passes (`Checker::run`), the reporting helpers, and
// the public helpers on symbols and types; checker_class.hpp names the file of every other pass.
#include <algorithm>
#include <set>
#include <string>
#include <tuple>

#include "checker_class.hpp"
#include "jixiao/dsl/functions.hpp"

namespace jixiao::dsl {

using namespace check_detail;  // NOLINT(google-build-using-namespace): internal helpers

SymbolId CheckedPolicy::find(std::string_view name) const {
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    if (symbols[i].name == name) return SymbolId{static_cast<std::uint32_t>(i)};
  }
  return kNoSymbol;
}

namespace {

// With a list of what is left to look at, not recursion: lets can read lets in long chains.
void collect_optional(const CheckedPolicy& p, ast::ExprId root, std::vector<std::uint32_t>& out,
                      std::vector<std::uint8_t>& seen_lets) {
  std::vector<ast::ExprId> todo{root};
  while (!todo.empty()) {
    const ast::ExprId e = todo.back();
    todo.pop_back();
    const ast::Expr& x = p.module.expr(e);
    const Builtin b = std::holds_alternative<ast::Call>(x) ? p.builtin(e) : kNoBuiltin;
    // present(x) and fill(x, v) answer for missing values themselves (fill's default too).
    if (b != kNoBuiltin && builtin_info(b).kind == BuiltinKind::kMissing) continue;
    if (b != kNoBuiltin && builtin_info(b).kind == BuiltinKind::kSubPeriod) {
      // sub_mean(x), sub_min, sub_max, sub_sum of an optional input read the sub-periods that have
      // a value, and are missing where none has (the rolled-up row's x is missing exactly then,
      // rollup.cpp); sub_count is never missing, and sub_at answers for its one sub-period itself.
      const auto& c = std::get<ast::Call>(x);
      if (b != Builtin::kSubCount && b != Builtin::kSubAt && !c.args.empty()) todo.push_back(c.args[0]);
      continue;
    }
    if (std::holds_alternative<ast::NameRef>(x)) {
      const SymbolId id = p.ref(e);
      if (id == kNoSymbol) continue;
      const Symbol& s = p.symbol(id);
      if (s.kind == SymbolKind::kInput && p.module.inputs[s.index].optional) out.push_back(s.index);
      if (s.kind == SymbolKind::kLet && !seen_lets[s.index]) {
        seen_lets[s.index] = 1;
        todo.push_back(p.module.lets[s.index].value);
      }
      continue;
    }
    ast::for_each_child(x, [&](ast::ExprId child) {
      if (ast::present(child)) todo.push_back(child);
    });
  }
}

}  // namespace

std::vector<std::uint32_t> optional_inputs(const CheckedPolicy& policy, ast::ExprId e) {
  std::vector<std::uint32_t> out;
  std::vector<std::uint8_t> seen(policy.module.lets.size(), 0);
  if (ast::present(e)) collect_optional(policy, e, out, seen);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string kind_name(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::kKey: return "key";
    case SymbolKind::kInput: return "input";
    case SymbolKind::kParam: return "param";
    case SymbolKind::kSet: return "set";
    case SymbolKind::kLet: return "let";
    case SymbolKind::kIndicator: return "indicator";
    case SymbolKind::kVeto: return "veto";
    case SymbolKind::kGrade: return "grade";
    case SymbolKind::kAlert: return "alert";
    case SymbolKind::kFund: return "fund";
  }
  return "name";
}

Message kind_message(const Symbol& symbol) {
  switch (symbol.kind) {
    case SymbolKind::kKey: return symbol.index == 1 ? msg::kind_period() : msg::kind_key();
    case SymbolKind::kInput: return msg::kind_input();
    case SymbolKind::kParam: return msg::kind_param();
    case SymbolKind::kSet: return msg::kind_set();
    case SymbolKind::kLet: return msg::kind_let();
    case SymbolKind::kIndicator: return msg::kind_indicator();
    case SymbolKind::kVeto: return msg::kind_veto();
    case SymbolKind::kGrade: return msg::kind_grade();
    case SymbolKind::kAlert: return msg::kind_alert();
    case SymbolKind::kFund: return msg::kind_fund();
  }
  return msg::kind_input();
}

std::string type_name(const Type& t, const std::vector<Domain>& domains) {
  switch (t.kind) {
    case TypeKind::kError: return "an invalid value";
    case TypeKind::kNumber: return "a number";
    case TypeKind::kMoney: return "money";
    case TypeKind::kBool: return "yes/no (bool)";
    case TypeKind::kText: return "text";
    case TypeKind::kTextList: return "a list of texts";
    case TypeKind::kNumberList: return "a list of numbers";
    case TypeKind::kLabel:
      return t.domain < domains.size() ? "a label of `" + domains[t.domain].name + "`" : "a label";
    case TypeKind::kSet: return "a set of texts";
    case TypeKind::kTable: return "a table";
    case TypeKind::kFund: return "a fund";
    case TypeKind::kPair: return "a pair `a -> b`";
  }
  return "a value";
}

namespace check_detail {

// type_name, in the chosen language.
Message type_message(const Type& t, const std::vector<Domain>& domains) {
  switch (t.kind) {
    case TypeKind::kError: return msg::chk_type_invalid();
    case TypeKind::kNumber: return msg::chk_type_number();
    case TypeKind::kMoney: return msg::chk_type_money();
    case TypeKind::kBool: return msg::chk_type_bool();
    case TypeKind::kText: return msg::chk_type_text();
    case TypeKind::kTextList: return msg::chk_type_text_list();
    case TypeKind::kNumberList: return msg::chk_type_number_list();
    case TypeKind::kLabel:
      return t.domain < domains.size() ? msg::chk_type_label_of(domains[t.domain].name) : msg::chk_type_label();
    case TypeKind::kSet: return msg::chk_type_set();
    case TypeKind::kTable: return msg::chk_type_table();
    case TypeKind::kFund: return msg::chk_type_fund();
    case TypeKind::kPair: return msg::chk_type_pair();
  }
  return msg::chk_type_value();
}

void Checker::run() {
  errors_at_start_ = sink_.error_count();
  p_.expr_type.assign(m_.exprs.size(), T(TypeKind::kError));
  p_.expr_range.assign(m_.exprs.size(), NumRange::unbounded());
  p_.expr_ref.assign(m_.exprs.size(), kNoSymbol);
  p_.expr_builtin.assign(m_.exprs.size(), kNoBuiltin);
  p_.nodes.assign(m_.nodes.size(), NodeInfo{});
  p_.params.assign(m_.params.size(), ParamValue{});
  p_.veto_effects.assign(m_.vetoes.size(), {});
  p_.band_domain.assign(m_.bands.size(), 0);
  p_.input_domain.assign(m_.inputs.size(), 0);
  visited_.assign(m_.exprs.size(), false);

  header();
  declare();
  rollup();
  domains();
  for (const std::uint32_t root : m_.roots) structure(root);
  state_.assign(p_.symbols.size(), 0);
  used_.assign(p_.symbols.size(), false);
  p_.deps.assign(p_.symbols.size(), {});
  order_ = check_order(p_, [this](const ast::NameRef& ref) { return lookup(ref); });
  for (const SymbolId id : order_.order) ensure(id);
  segments();
  overrides();
  check_constants(p_, [this](ExprId e) { return constant_expr(e) ? const_value(e) : std::nullopt; }, sink_);
  missing_values();
  fund_pools();
  outputs();
  unused();
}

void Checker::error(DiagCode code, Span span, Message message, std::optional<Message> hint) {
  sink_.report(diagnose(code, span, std::move(message), std::move(hint)));
}

void Checker::error_with_note(DiagCode code, Span span, Message message, std::optional<Message> hint, Span note_span,
                              Message note) {
  Diagnostic d = diagnose(code, span, std::move(message), std::move(hint));
  d.notes.emplace_back(note_span, std::move(note));
  sink_.report(std::move(d));
}

// The text a span covers; spans of a merged policy point into several files.
std::string_view Checker::span_text(Span s) const {
  if (!s.valid()) return {};
  return sources_.get(s.source).text().substr(s.begin, s.end - s.begin);
}

std::string Checker::expr_text(ExprId e) const {
  std::string t(span_text(m_.span(e)));
  if (t.size() > 40) {
    // Cut at a code-point boundary.
    std::size_t cut = 37;
    while (cut > 0 && (static_cast<unsigned char>(t[cut]) & 0xC0) == 0x80) --cut;
    t = t.substr(0, cut) + "...";
  }
  return t;
}

}  // namespace check_detail

namespace {

// A policy with segments is checked as one copy of its trees per segment; a node the copies share
// keeps its one span, so a finding about it (`score-clamped`, `mixed-weights`, ...) would be said
// once per copy, word for word. Said once; a finding that differs between copies (other full
// marks after an override) is still said for each.
class OncePerPlaceSink : public DiagnosticSink {
 public:
  explicit OncePerPlaceSink(DiagnosticSink& out) : out_(out) {}
  void report(Diagnostic d) override {
    if (!seen_.emplace(d.code, d.span.source, d.span.begin, d.span.end, d.message.str(Lang::kEn)).second) return;
    count(d);
    out_.report(std::move(d));
  }

 private:
  DiagnosticSink& out_;
  std::set<std::tuple<DiagCode, SourceId, std::uint32_t, std::uint32_t, std::string>> seen_;
};

}  // namespace

std::optional<CheckedPolicy> check(const SourceSet& sources, ast::Module module, const CheckOptions& options,
                                   DiagnosticSink& sink) {
  const std::size_t errors_before = sink.error_count();
  CheckedPolicy policy;
  policy.module = std::move(module);
  OncePerPlaceSink once(sink);
  Checker checker(sources, policy, options, policy.module.segments.empty() ? sink : once);
  checker.run();
  if (sink.error_count() > errors_before && !options.keep_on_error) return std::nullopt;
  return policy;
}

}  // namespace jixiao::dsl
