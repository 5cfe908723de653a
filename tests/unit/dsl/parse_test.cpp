// Tests of the parser: the grammar has no rule that loops without consuming input, the 3+X
// example parses to the expected declarations, small snippets lower to the expected AST, and
// each kind of mistake gives exactly one diagnostic at the right line and column.
#include "jixiao/dsl/parse.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <tao/pegtl/contrib/analyze.hpp>

#include "../../../dsl/src/grammar.hpp"
#include "jixiao/dsl/ast.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/diagnostic.hpp"
#include "jixiao/dsl/source.hpp"

namespace jixiao::dsl {
namespace {

// ---- helpers ----

struct Parsed {
  SourceSet sources;
  SourceId id{};
  CollectingSink sink;
  std::optional<ast::Module> module;

  // "line:column" of a diagnostic's primary location.
  [[nodiscard]] std::string where(const Diagnostic& d) const {
    const LineColumn lc = sources.get(d.span.source).line_column(d.span.begin);
    return std::to_string(lc.line) + ":" + std::to_string(lc.column);
  }
};

std::unique_ptr<Parsed> parse_text(std::string text) {
  auto p = std::make_unique<Parsed>();
  p->id = p->sources.add("t.jx", std::move(text));
  p->module = parse(p->sources, p->id, p->sink);
  return p;
}

// Every diagnostic as "line:column code: message", one per line, for readable failures.
std::string describe(const Parsed& p) {
  std::string out;
  for (const Diagnostic& d : p.sink.items()) {
    out += p.where(d) + " " + std::string(slug(d.code)) + ": " + d.message.str(Lang::kEn) + "\n";
  }
  return out;
}

std::string unit_suffix(ast::Unit u) {
  return u == ast::Unit::kPercent ? "%" : u == ast::Unit::kPoints ? "分" : "";
}

std::string show_interval(const ast::Interval& iv) {
  std::string s = iv.lo_closed ? "[" : "(";
  s += iv.lo_inf ? "-inf" : decimal::to_string(iv.lo);
  s += ", ";
  s += iv.hi_inf ? "inf" : decimal::to_string(iv.hi);
  s += iv.hi_closed ? "]" : ")";
  return s;
}

std::string show_label(const ast::Label& l) { return l.quoted ? "\"" + l.text + "\"" : l.text; }

// A compact S-expression of an expression: `(- (- a b) c)`, `-5`, `1250fen`, `f(x, k: y)`.
std::string show(const ast::Module& m, ast::ExprId id) {
  if (!ast::present(id)) return "<none>";
  const ast::Expr& e = m.expr(id);
  if (const auto* n = std::get_if<ast::NumberLit>(&e)) return decimal::to_string(n->raw) + unit_suffix(n->unit);
  if (const auto* n = std::get_if<ast::MoneyLit>(&e)) return std::to_string(n->fen) + "fen";
  if (const auto* n = std::get_if<ast::StringLit>(&e)) return "\"" + n->value + "\"";
  if (const auto* n = std::get_if<ast::BoolLit>(&e)) return n->value ? "true" : "false";
  if (const auto* n = std::get_if<ast::NameRef>(&e)) return ast::path_text(*n);
  if (const auto* n = std::get_if<ast::Unary>(&e)) {
    return std::string(n->op == ast::UnaryOp::kNeg ? "(neg " : "(not ") + show(m, n->operand) + ")";
  }
  if (const auto* n = std::get_if<ast::Binary>(&e)) {
    static const char* const kOps[] = {"+",  "-", "*",  "/",  "==",  "!=",     "<",      "<=",
                                       ">",  ">=", "and", "or", "in", "not_in", "any_in", "all_in"};
    return std::string("(") + kOps[static_cast<int>(n->op)] + " " + show(m, n->lhs) + " " + show(m, n->rhs) + ")";
  }
  if (const auto* n = std::get_if<ast::If>(&e)) {
    return "(if " + show(m, n->cond) + " " + show(m, n->then_expr) + " " + show(m, n->else_expr) + ")";
  }
  if (const auto* n = std::get_if<ast::Call>(&e)) {
    std::string s = n->callee.name + "(";
    bool first = true;
    for (const ast::ExprId a : n->args) {
      s += (first ? "" : ", ") + show(m, a);
      first = false;
    }
    for (const ast::NamedArg& a : n->named) {
      s += (first ? "" : ", ") + a.name.name + ": " + show(m, a.value);
      first = false;
    }
    return s + ")";
  }
  if (const auto* n = std::get_if<ast::Pair>(&e)) return "(-> " + show(m, n->from) + " " + show(m, n->to) + ")";
  if (const auto* n = std::get_if<ast::SetLit>(&e)) {
    std::string s = "{";
    for (std::size_t i = 0; i < n->items.size(); ++i) s += (i ? ", " : "") + show(m, n->items[i]);
    return s + "}";
  }
  if (const auto* n = std::get_if<ast::TableLit>(&e)) {
    std::string s = "{";
    for (std::size_t i = 0; i < n->entries.size(); ++i) {
      s += (i ? ", " : "") + show_label(n->entries[i].key) + ": " + show(m, n->entries[i].value);
    }
    return s + "}";
  }
  if (const auto* n = std::get_if<ast::Coef>(&e)) {
    std::string s = "coef(" + show(m, n->subject) + "){";
    for (std::size_t i = 0; i < n->entries.size(); ++i) {
      s += (i ? ", " : "") + show_label(n->entries[i].key) + ": " + show(m, n->entries[i].value);
    }
    if (ast::present(n->otherwise)) s += (n->entries.empty() ? "else: " : ", else: ") + show(m, n->otherwise);
    return s + "}";
  }
  if (const auto* n = std::get_if<ast::Bands>(&e)) {
    std::string s = "bands(" + show(m, n->subject) + "){";
    for (std::size_t i = 0; i < n->entries.size(); ++i) {
      s += (i ? ", " : "") + show_interval(n->entries[i].interval) + ": " + show(m, n->entries[i].value);
    }
    return s + "}";
  }
  return "<?>";
}

// Parses `param p = <expression>` and shows the expression; fails the test on diagnostics.
std::string expr_of(const std::string& expression) {
  const auto p = parse_text("param p = " + expression + "\n");
  if (!p->module || !p->sink.items().empty() || p->module->params.size() != 1) {
    ADD_FAILURE() << "`" << expression << "` did not parse:\n" << describe(*p);
    return "<error>";
  }
  return show(*p->module, p->module->params[0].value);
}

// Parses a snippet that must parse without any diagnostic.
std::unique_ptr<Parsed> parse_ok(const std::string& text) {
  auto p = parse_text(text);
  EXPECT_TRUE(p->module.has_value()) << describe(*p);
  EXPECT_TRUE(p->sink.items().empty()) << describe(*p);
  return p;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- (1) the grammar ----

TEST(Grammar, NoRuleLoopsWithoutConsumingInput) {
  EXPECT_EQ(tao::pegtl::analyze<grammar::file>(-1), 0u);
}

// Counts every rule the parser tries (each `start`), whatever the outcome.
template <typename Rule>
struct CountingControl : tao::pegtl::normal<Rule> {
  template <typename ParseInput, typename... States>
  static void start(const ParseInput& /*in*/, std::size_t& tries, States&&... /*st*/) {
    ++tries;
  }
};

// How many rules the parser tries on `open` repeated `depth` times, `x`, then `close` as often.
std::size_t rule_tries(const std::string& open, const std::string& close, int depth) {
  std::string text;
  for (int i = 0; i < depth; ++i) text += open;
  text += "x";
  for (int i = 0; i < depth; ++i) text += close;
  std::size_t tries = 0;
  tao::pegtl::memory_input<> in(text, "nested");
  const bool ok = tao::pegtl::parse<tao::pegtl::seq<grammar::expr, tao::pegtl::eof>, tao::pegtl::nothing, CountingControl>(in, tries);
  EXPECT_TRUE(ok) << text;
  return tries;
}

// No expression is read twice: every level of nesting costs the same number of rule tries, so
// parsing is linear in the depth (it was exponential when an argument was read as a pair and,
// failing that, read again as an expression).
TEST(Grammar, NestingCostsTheSameAtEveryLevel) {
  const std::vector<std::pair<std::string, std::string>> shapes = {
      {"abs(", ")"}, {"(", ")"}, {"f(1 -> ", ")"}, {"f(x, ", " -> 1)"}, {"max(w: ", ")"},
      {"if x then ", " else x"}, {"not ", ""}, {"- ", ""}, {"coef(", ") { A 1 }"}, {"{ \"a\": ", " }"}};
  for (const auto& [open, close] : shapes) {
    const std::size_t t4 = rule_tries(open, close, 4);
    const std::size_t t8 = rule_tries(open, close, 8);
    const std::size_t t16 = rule_tries(open, close, 16);
    EXPECT_EQ(t16 - t8, 2 * (t8 - t4)) << open << " ... " << close << ": " << t4 << ", " << t8 << ", " << t16;
  }
}

// ---- (2) the 3+X example ----

TEST(ParseExample, ThreeX) {
  const auto p = parse_text(read_file(std::string(JIXIAO_SOURCE_DIR) + "/examples/3x/policy.jx"));
  ASSERT_TRUE(p->module.has_value()) << describe(*p);
  EXPECT_TRUE(p->sink.items().empty()) << describe(*p);
  const ast::Module& m = *p->module;

  ASSERT_TRUE(m.policy.has_value());
  EXPECT_EQ(m.policy->name, "社区服务中心绩效评价(3+X)");
  EXPECT_EQ(m.policy->version, "2024.1");
  ASSERT_TRUE(m.subject.has_value());
  EXPECT_EQ(m.subject->subject.name, "社区");
  EXPECT_EQ(m.subject->key.name, "社区编码");

  EXPECT_EQ(m.inputs.size(), 19u);
  EXPECT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.sets.size(), 1u);
  EXPECT_EQ(m.lets.size(), 0u);
  EXPECT_EQ(m.nodes.size(), 17u);  // 总分, 4 layers, 12 leaves
  EXPECT_EQ(m.roots.size(), 1u);
  EXPECT_EQ(m.vetoes.size(), 1u);
  EXPECT_EQ(m.bands.size(), 2u);  // grade 等级, alert 预警
  EXPECT_EQ(m.funds.size(), 1u);
  ASSERT_TRUE(m.output.has_value());
  EXPECT_EQ(m.output->items.size(), 10u);
  EXPECT_FALSE(m.precision.has_value());

  // Inputs: first, last, a range and a list.
  EXPECT_EQ(m.inputs.front().name.name, "所属街道");
  EXPECT_EQ(m.inputs.front().kind, ast::InputKind::kText);
  EXPECT_EQ(m.inputs.back().name.name, "基础额度");
  EXPECT_EQ(m.inputs[13].name.name, "运营支出");
  EXPECT_EQ(m.inputs[13].kind, ast::InputKind::kMoney);
  ASSERT_TRUE(m.inputs[13].range.has_value());
  EXPECT_EQ(m.inputs[13].range->lo, 1'000'000);
  EXPECT_EQ(m.inputs[13].range->hi, 100'000'000 * decimal::kOne);
  EXPECT_EQ(m.inputs[17].kind, ast::InputKind::kTextList);

  EXPECT_EQ(show(m, m.params[0].value), "2000000000fen");  // 2000万元
  EXPECT_EQ(show(m, m.params[1].value), "50");
  ASSERT_EQ(m.sets.size(), 1u);
  const auto* set = std::get_if<ast::SetLit>(&m.expr(m.sets[0].value));
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->items.size(), 9u);

  // The indicator tree.
  const ast::IndicatorNode& root = m.nodes[m.roots[0]];
  EXPECT_EQ(root.name.name, "总分");
  ASSERT_EQ(root.children.size(), 4u);
  const char* const layers[] = {"基础层", "核心层", "创新层", "可持续层"};
  const std::int64_t layer_weights[] = {30, 40, 20, 10};
  for (std::size_t i = 0; i < 4; ++i) {
    const ast::IndicatorNode& layer = m.nodes[root.children[i]];
    EXPECT_EQ(layer.name.name, layers[i]);
    EXPECT_EQ(layer.weight.kind, ast::WeightKind::kPercent);
    EXPECT_EQ(layer.weight.raw, layer_weights[i] * decimal::kOne);
    EXPECT_EQ(layer.parent, m.roots[0]);
    EXPECT_EQ(layer.children.size(), 3u);
  }
  std::size_t leaves = 0;
  for (const ast::IndicatorNode& n : m.nodes) leaves += ast::present(n.formula) ? 1u : 0u;
  EXPECT_EQ(leaves, 12u);
  ASSERT_EQ(root.adjusts.size(), 1u);
  EXPECT_EQ(root.adjusts[0].kind, ast::AdjustKind::kDeduct);
  EXPECT_EQ(root.adjusts[0].name.name, "投诉扣分");
  EXPECT_EQ(show(m, root.adjusts[0].amount), "0.5");
  EXPECT_EQ(show(m, root.adjusts[0].per), "有效投诉次数");
  EXPECT_EQ(show(m, root.adjusts[0].max), "10");
  EXPECT_FALSE(ast::present(root.adjusts[0].when));
  const ast::IndicatorNode& satisfaction = m.nodes[m.nodes[root.children[1]].children[2]];
  EXPECT_EQ(satisfaction.name.name, "居民满意度");
  EXPECT_EQ(show(m, satisfaction.formula), "(+ (+ (* 居民评分 40%) (* 第三方评分 30%)) (* 部门评分 30%))");

  // Veto, grades and alerts.
  const ast::VetoDecl& veto = m.vetoes[0];
  EXPECT_EQ(veto.name.name, "负面清单否决");
  EXPECT_EQ(show(m, veto.when), "(any_in 违规事项 负面清单)");
  EXPECT_EQ(veto.effects.size(), 3u);
  EXPECT_EQ(veto.reason, "触及负面清单");
  EXPECT_EQ(m.bands[0].kind, ast::BandKind::kGrade);
  EXPECT_EQ(m.bands[0].bands.size(), 4u);
  EXPECT_EQ(m.bands[1].kind, ast::BandKind::kAlert);
  EXPECT_EQ(m.bands[1].bands.size(), 3u);

  // The fund.
  const ast::FundDecl& fund = m.funds[0];
  EXPECT_EQ(fund.name.name, "运营补助");
  EXPECT_EQ(fund.tracks.size(), 2u);
  EXPECT_EQ(fund.ties.size(), 1u);

  std::string outputs;
  for (const ast::ExprId item : m.output->items) outputs += show(m, item) + " ";
  EXPECT_EQ(outputs, "社区编码 所属街道 总分 总分.基础层 总分.核心层 总分.创新层 总分.可持续层 等级 预警 运营补助 ");
}

// ---- (3) lowering ----

TEST(ParseLowering, ArithmeticPrecedenceAndLeftAssociativity) {
  EXPECT_EQ(expr_of("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(expr_of("a + b * c"), "(+ a (* b c))");
  EXPECT_EQ(expr_of("a * b + c"), "(+ (* a b) c)");
  EXPECT_EQ(expr_of("a / b / c"), "(/ (/ a b) c)");
  EXPECT_EQ(expr_of("a - b + c"), "(+ (- a b) c)");
  EXPECT_EQ(expr_of("a × b ÷ c"), "(/ (* a b) c)");
  EXPECT_EQ(expr_of("(a + b) * c"), "(* (+ a b) c)");
  EXPECT_EQ(expr_of("a-1"), "(- a 1)");
  EXPECT_EQ(expr_of("a - -b"), "(- a (neg b))");
  EXPECT_EQ(expr_of("-(a + b)"), "(neg (+ a b))");
  EXPECT_EQ(expr_of("总分.创新层 * 2"), "(* 总分.创新层 2)");
}

TEST(ParseLowering, LogicAndComparisons) {
  EXPECT_EQ(expr_of("not a and b"), "(and (not a) b)");
  EXPECT_EQ(expr_of("not not a"), "(not (not a))");
  EXPECT_EQ(expr_of("a or b and c"), "(or a (and b c))");
  EXPECT_EQ(expr_of("a and b or c"), "(or (and a b) c)");
  EXPECT_EQ(expr_of("a or b or c"), "(or (or a b) c)");
  EXPECT_EQ(expr_of("a and b and c"), "(and (and a b) c)");
  EXPECT_EQ(expr_of("a and not b"), "(and a (not b))");
  EXPECT_EQ(expr_of("not a == b"), "(not (== a b))");
  EXPECT_EQ(expr_of("a + 1 > b * 2"), "(> (+ a 1) (* b 2))");
  EXPECT_EQ(expr_of("a >= 1 and b < 2"), "(and (>= a 1) (< b 2))");
  EXPECT_EQ(expr_of("a <= 1"), "(<= a 1)");
  EXPECT_EQ(expr_of("a ≤ 1"), "(<= a 1)");
  EXPECT_EQ(expr_of("a ≥ 1"), "(>= a 1)");
  EXPECT_EQ(expr_of("a == 1"), "(== a 1)");
  EXPECT_EQ(expr_of("a != 1"), "(!= a 1)");
  EXPECT_EQ(expr_of("a ≠ 1"), "(!= a 1)");
  EXPECT_EQ(expr_of("x in S"), "(in x S)");
  EXPECT_EQ(expr_of("x not in S"), "(not_in x S)");
  EXPECT_EQ(expr_of("x any_in S"), "(any_in x S)");
  EXPECT_EQ(expr_of("x all_in S"), "(all_in x S)");
  EXPECT_EQ(expr_of("not x in S"), "(not (in x S))");
  EXPECT_EQ(expr_of("a == true or b == false"), "(or (== a true) (== b false))");
}

TEST(ParseLowering, IfThenElse) {
  EXPECT_EQ(expr_of("if a > 1 then b else c + 1"), "(if (> a 1) b (+ c 1))");
  EXPECT_EQ(expr_of("if a then b else if c then d else e"), "(if a b (if c d e))");
  EXPECT_EQ(expr_of("if a then if b then 1 else 2 else 3"), "(if a (if b 1 2) 3)");
  EXPECT_EQ(expr_of("(if a then 1 else 2) * 3"), "(* (if a 1 2) 3)");
}

TEST(ParseLowering, SpansExcludeTrailingSpaceAndComments) {
  const std::string text = "param 系数 = f(a, \"#\")  + b   # 注释\nparam q = 1\n";
  const auto p = parse_ok(text);
  ASSERT_TRUE(p->module);
  const ast::Module& m = *p->module;
  const auto text_of = [&](Span s) { return text.substr(s.begin, s.end - s.begin); };
  EXPECT_EQ(m.params[0].name.name, "系数");
  EXPECT_EQ(text_of(m.params[0].name.span), "系数");
  const ast::ExprId value = m.params[0].value;
  EXPECT_EQ(text_of(m.span(value)), "f(a, \"#\")  + b");
  const auto& sum = std::get<ast::Binary>(m.expr(value));
  EXPECT_EQ(text_of(sum.op_span), "+");
  EXPECT_EQ(text_of(m.span(sum.lhs)), "f(a, \"#\")");
  EXPECT_EQ(text_of(m.span(sum.rhs)), "b");
  const auto& call = std::get<ast::Call>(m.expr(sum.lhs));
  EXPECT_EQ(text_of(call.callee.span), "f");
  ASSERT_EQ(call.args.size(), 2u);
  EXPECT_EQ(text_of(m.span(call.args[1])), "\"#\"");
  EXPECT_EQ(text_of(m.span(m.params[1].value)), "1");
}

TEST(ParseLowering, NegativeLiteralsAreFolded) {
  const auto p = parse_ok("param a = -5\nparam b = - 2.5%\nparam c = -1万元\nparam d = 3 - 2\n");
  ASSERT_TRUE(p->module);
  const ast::Module& m = *p->module;
  ASSERT_EQ(m.params.size(), 4u);
  const auto* a = std::get_if<ast::NumberLit>(&m.expr(m.params[0].value));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->raw, -5'000'000);
  EXPECT_EQ(a->unit, ast::Unit::kNone);
  // The folded literal's span covers the sign.
  EXPECT_EQ(m.span(m.params[0].value).begin, 10u);
  EXPECT_EQ(m.span(m.params[0].value).end, 12u);
  const auto* b = std::get_if<ast::NumberLit>(&m.expr(m.params[1].value));
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->raw, -2'500'000);
  EXPECT_EQ(b->unit, ast::Unit::kPercent);
  const auto* c = std::get_if<ast::MoneyLit>(&m.expr(m.params[2].value));
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->fen, -1'000'000);
  EXPECT_EQ(show(m, m.params[3].value), "(- 3 2)");
}

TEST(ParseLowering, MoneyLiteralsAreExactFen) {
  const auto p = parse_ok(
      "param a = 1亿元\nparam b = 5000万元\nparam c = 12.5元\nparam d = 0.01元\n"
      "param e = 1.5亿元\nparam f = 0元\nparam g = 2000万元\n");
  ASSERT_TRUE(p->module);
  const ast::Module& m = *p->module;
  const std::int64_t expected[] = {10'000'000'000, 5'000'000'000, 1250, 1, 15'000'000'000, 0, 2'000'000'000};
  ASSERT_EQ(m.params.size(), 7u);
  for (std::size_t i = 0; i < 7; ++i) {
    const auto* money = std::get_if<ast::MoneyLit>(&m.expr(m.params[i].value));
    ASSERT_NE(money, nullptr) << m.params[i].name.name;
    EXPECT_EQ(money->fen, expected[i]) << m.params[i].name.name;
  }
}

TEST(ParseLowering, NumberLiteralsKeepTheRawValueAsWritten) {
  const auto p = parse_ok("param a = 40%\nparam b = 12.5%\nparam c = 10分\nparam d = 0.000001\nparam e = 75\n");
  ASSERT_TRUE(p->module);
  const ast::Module& m = *p->module;
  const auto lit = [&](std::size_t i) { return std::get<ast::NumberLit>(m.expr(m.params[i].value)); };
  EXPECT_EQ(lit(0).raw, 40'000'000);
  EXPECT_EQ(lit(0).unit, ast::Unit::kPercent);
  EXPECT_EQ(ast::literal_value(lit(0)), 400'000);  // the share 0.4
  EXPECT_EQ(lit(1).raw, 12'500'000);
  EXPECT_EQ(lit(1).unit, ast::Unit::kPercent);
  EXPECT_EQ(lit(2).raw, 10'000'000);
  EXPECT_EQ(lit(2).unit, ast::Unit::kPoints);
  EXPECT_EQ(ast::literal_value(lit(2)), 10'000'000);
  EXPECT_EQ(lit(3).raw, 1);
  EXPECT_EQ(lit(4).raw, 75'000'000);
  EXPECT_EQ(lit(4).unit, ast::Unit::kNone);
}

TEST(ParseLowering, LiteralsThatCannotBeExact) {
  auto p = parse_text("param a = 0.001元\n");
  EXPECT_FALSE(p->module.has_value());
  ASSERT_EQ(p->sink.items().size(), 1u) << describe(*p);
  EXPECT_EQ(p->sink.items()[0].code, DiagCode::bad_literal);
  EXPECT_EQ(p->where(p->sink.items()[0]), "1:11");
  p = parse_text("param a = 1.0000001\n");
  EXPECT_FALSE(p->module.has_value());
  ASSERT_EQ(p->sink.items().size(), 1u) << describe(*p);
  EXPECT_EQ(p->sink.items()[0].code, DiagCode::bad_literal);
  EXPECT_EQ(p->sink.items()[0].message, "`1.0000001` has more than 6 decimal places");
}

TEST(ParseLowering, StringsSetsTablesAndCalls) {
  EXPECT_EQ(expr_of(R"("a\"b\\c")"), R"("a"b\c")");
  EXPECT_EQ(expr_of(R"("x\ny")"), "\"x\ny\"");  // `\n` is a line break
  EXPECT_EQ(expr_of(R"("#不是注释")"), R"("#不是注释")");
  EXPECT_EQ(expr_of(R"({ "城东街道": 300万元, 城西: 1元 })"), "{\"城东街道\": 300000000fen, 城西: 100fen}");
  EXPECT_EQ(expr_of("interpolate(x, 0 -> 0, 30 -> 100)"), "interpolate(x, (-> 0 0), (-> 30 100))");
  EXPECT_EQ(expr_of("ratio(持证社工比例, target: 持证社工目标)"), "ratio(持证社工比例, target: 持证社工目标)");
  EXPECT_EQ(expr_of("max(a, b + 1)"), "max(a, (+ b 1))");
  EXPECT_EQ(expr_of("f()"), "f()");
  EXPECT_EQ(expr_of("coef(等级) { A 0.90, B 0.65, else 0 }"), "coef(等级){A: 0.9, B: 0.65, else: 0}");
  EXPECT_EQ(expr_of("coef(等级) { \"5A\" 1 C 0.5 }"), "coef(等级){\"5A\": 1, C: 0.5}");
  EXPECT_EQ(expr_of("bands(x) { [0, 60) 0, [60, 80) 5, [80, 100] 10 }"),
            "bands(x){[0, 60): 0, [60, 80): 5, [80, 100]: 10}");
  const auto p = parse_ok("set S = { \"a\", \"b\", }\n");
  ASSERT_TRUE(p->module);
  EXPECT_EQ(show(*p->module, p->module->sets[0].value), "{\"a\", \"b\"}");
}

TEST(ParseLowering, IntervalEndsAndClosedness) {
  const auto p = parse_ok(
      "grade G of x {\n"
      "  \"5A\" (-∞, -1)\n"
      "  A [90, 100]\n"
      "  B [75, 90)\n"
      "  C (60, 75)\n"
      "  D (-inf, 60]\n"
      "  E [100, inf)\n"
      "  F [-10.5, ∞)\n"
      "}\n");
  ASSERT_TRUE(p->module);
  const ast::Module& m = *p->module;
  ASSERT_EQ(m.bands.size(), 1u);
  const ast::BandDecl& g = m.bands[0];
  EXPECT_EQ(g.kind, ast::BandKind::kGrade);
  EXPECT_EQ(g.name.name, "G");
  EXPECT_EQ(show(m, g.of), "x");
  std::string got;
  for (const ast::Band& b : g.bands) got += show_label(b.label) + " " + show_interval(b.interval) + "\n";
  EXPECT_EQ(got,
            "\"5A\" (-inf, -1)\n"
            "A [90, 100]\n"
            "B [75, 90)\n"
            "C (60, 75)\n"
            "D (-inf, 60]\n"
            "E [100, inf)\n"
            "F [-10.5, inf)\n");
  ASSERT_EQ(g.bands.size(), 7u);
  EXPECT_TRUE(g.bands[0].label.quoted);
  EXPECT_EQ(g.bands[0].label.text, "5A");
  EXPECT_FALSE(g.bands[0].text.has_value());
  EXPECT_TRUE(g.bands[4].interval.lo_inf);
  EXPECT_FALSE(g.bands[4].interval.hi_inf);
  EXPECT_TRUE(g.bands[5].interval.hi_inf);
  EXPECT_FALSE(g.bands[5].interval.hi_closed);
  EXPECT_EQ(g.bands[6].interval.lo, -10'500'000);
}

TEST(ParseLowering, QuotedLabelAfterABandWithoutText) {
  // label := ident | string, and bands may be separated by white space alone (as in the 3+X
  // example), so a quoted label must start the next band, not become the previous band's text.
  const auto p = parse_ok("grade G of x { \"5A\" [90, 100] \"4A\" [0, 90) }\n");
  ASSERT_TRUE(p->module);
  const ast::BandDecl& g = p->module->bands.at(0);
  ASSERT_EQ(g.bands.size(), 2u);
  EXPECT_EQ(g.bands[0].label.text, "5A");
  EXPECT_FALSE(g.bands[0].text.has_value());
  EXPECT_EQ(g.bands[1].label.text, "4A");
  EXPECT_TRUE(g.bands[1].label.quoted);
}

TEST(ParseLowering, AnInfiniteEndCannotBeIncluded) {
  // `[60, inf]` would read as a band that ends somewhere: an error, not quietly `[60, inf)`.
  for (const char* text : {"grade G of x { A [60, inf]  B [0, 60) }\n", "grade G of x { A [60, 100]  B [-inf, 60) }\n",
                           "grade G of x { A [60, ∞]  B (-∞, 60) }\n"}) {
    auto p = parse_text(text);
    EXPECT_FALSE(p->module.has_value()) << text;
    ASSERT_EQ(p->sink.items().size(), 1u) << describe(*p);
    EXPECT_EQ(p->sink.items()[0].code, DiagCode::bad_range) << text;
  }
  auto p = parse_text("grade G of x { A [60, inf]  B [0, 60) }\n");
  EXPECT_EQ(p->where(p->sink.items()[0]), "1:18");
  EXPECT_EQ(p->sink.items()[0].message, "an interval cannot include `inf`: no value reaches it");
}

TEST(ParseLowering, InfiniteEndsOnTheWrongSide) {
  auto p = parse_text("grade G of x { A [inf, 1] }\n");
  EXPECT_FALSE(p->module.has_value());
  ASSERT_EQ(p->sink.items().size(), 1u) << describe(*p);
  EXPECT_EQ(p->sink.items()[0].code, DiagCode::bad_range);
  EXPECT_EQ(p->where(p->sink.items()[0]), "1:19");
  p = parse_text("grade G of x { A [1, -∞) }\n");
  EXPECT_FALSE(p->module.has_value());
  ASSERT_EQ(p->sink.items().size(), 1u) << describe(*p);
  EXPECT_EQ(p->sink.items()[0].code, DiagCode::bad_range);
  EXPECT_EQ(p->where(p->sink.items()[0]), "1:22");
}

TEST(ParseLowering, DeadlineUnits) {
  const auto p = parse_ok(
      "alert W of x {\n"
      "  red    [0, 60)   deadline 3 days \"3日内整改\"\n"
      "  orange [60, 70)  deadline 5 workdays\n"
      "  yellow [70, 80)  deadline 2天\n"
      "  green  [80, 85)  deadline 7 日\n"
      "  blue   [85, 90)  deadline 5 个工作日 \"5个工作日内\"\n"
      "  cyan   [90, 95)  deadline 4 工作日\n"
      "  white  [95, 100]\n"
      "}\n");
  ASSERT_TRUE(p->module);
  const ast::BandDecl& w = p->module->bands.at(0);
  EXPECT_EQ(w.kind, ast::BandKind::kAlert);
  std::string got;
  for (const ast::Band& b : w.bands) {
    got += b.label.text;
    if (b.deadline) got += " " + std::to_string(b.deadline->count) + (b.deadline->workdays ? " workdays" : " days");
    if (b.text) got += " \"" + *b.text + "\"";
    got += "\n";
  }
  EXPECT_EQ(got,
            "red 3 days \"3日内整改\"\n"
            "orange 5 workdays\n"
            "yellow 2 days\n"
            "green 7 days\n"
            "blue 5 workdays \"5个工作日内\"\n"
            "cyan 4 workdays\n"
            "white\n");
}

TEST(ParseLowering, VetoEffects) {
  const auto p = parse_ok(
      "veto v1 when x > 1 { grade D ; alert red ; fund 0 ; reason \"触及负面清单\" }\n"
      "veto v2 when not y {\n"
      "  grade 等级 D\n"
      "  grade at most B\n"
      "  grade 等级 at most \"A+\"\n"
      "  grade down 1\n"
      "  grade 等级 down 2\n"
      "  alert 预警 red\n"
      "  fund 运营补助 0\n"
      "}\n");
  ASSERT_TRUE(p->module);
  const ast::Module& m = *p->module;
  ASSERT_EQ(m.vetoes.size(), 2u);
  const auto effects = [](const ast::VetoDecl& v) {
    std::string s;
    for (const ast::VetoEffect& e : v.effects) {
      switch (e.kind) {
        case ast::EffectKind::kGradeForce: s += "grade"; break;
        case ast::EffectKind::kGradeCap: s += "grade-cap"; break;
        case ast::EffectKind::kGradeDown: s += "grade-down"; break;
        case ast::EffectKind::kAlert: s += "alert"; break;
        case ast::EffectKind::kFundZero: s += "fund-zero"; break;
      }
      if (e.target) s += " @" + e.target->name;
      if (!e.label.text.empty()) s += " " + show_label(e.label);
      if (e.kind == ast::EffectKind::kGradeDown) s += " " + std::to_string(e.steps);
      s += "\n";
    }
    return s;
  };
  EXPECT_EQ(m.vetoes[0].name.name, "v1");
  EXPECT_EQ(show(m, m.vetoes[0].when), "(> x 1)");
  EXPECT_EQ(effects(m.vetoes[0]), "grade D\nalert red\nfund-zero\n");
  EXPECT_EQ(m.vetoes[0].reason, "触及负面清单");
  EXPECT_EQ(show(m, m.vetoes[1].when), "(not y)");
  EXPECT_EQ(effects(m.vetoes[1]),
            "grade @等级 D\n"
            "grade-cap B\n"
            "grade-cap @等级 \"A+\"\n"
            "grade-down 1\n"
            "grade-down @等级 2\n"
            "alert @预警 red\n"
            "fund-zero @运营补助\n");
  EXPECT_FALSE(m.vetoes[1].reason.has_value());
}

TEST(ParseLowering, FundTracks) {
  const auto p = parse_ok(
      "fund F pool 100万元 per 街道资金 {\n"
      "  track 绩效 40% split by 基础额度 * 2\n"
      "  track 平均 10% split equally when 总分 >= 60\n"
      "  track 创新 30% split among top 10% by 总分.创新层 proportional to 总分.创新层\n"
      "  track 前三 15% split among top 3 by 总分 when 总分 > 80\n"
      "  track 均分 5% split among top 5 by 总分 equally\n"
      "  rounding fen, ties by 总分 desc, 社区编码, 街道 asc\n"
      "}\n");
  ASSERT_TRUE(p->module);
  const ast::Module& m = *p->module;
  ASSERT_EQ(m.funds.size(), 1u);
  const ast::FundDecl& f = m.funds[0];
  EXPECT_EQ(f.name.name, "F");
  EXPECT_EQ(show(m, f.pool), "100000000fen");  // 100万元
  EXPECT_EQ(show(m, f.per_group), "街道资金");
  ASSERT_EQ(f.tracks.size(), 5u);

  const ast::Track& t0 = f.tracks[0];
  EXPECT_EQ(t0.name.name, "绩效");
  EXPECT_EQ(t0.share.kind, ast::WeightKind::kPercent);
  EXPECT_EQ(t0.share.raw, 40 * decimal::kOne);
  EXPECT_EQ(t0.mode, ast::TrackMode::kSplitBy);
  EXPECT_EQ(show(m, t0.by), "(* 基础额度 2)");
  EXPECT_FALSE(ast::present(t0.when));

  const ast::Track& t1 = f.tracks[1];
  EXPECT_EQ(t1.mode, ast::TrackMode::kEqually);
  EXPECT_FALSE(ast::present(t1.by));
  EXPECT_EQ(show(m, t1.when), "(>= 总分 60)");

  const ast::Track& t2 = f.tracks[2];
  EXPECT_EQ(t2.mode, ast::TrackMode::kTop);
  EXPECT_EQ(t2.top_raw, 10 * decimal::kOne);
  EXPECT_TRUE(t2.top_percent);
  EXPECT_EQ(show(m, t2.by), "总分.创新层");
  EXPECT_EQ(show(m, t2.proportional), "总分.创新层");

  const ast::Track& t3 = f.tracks[3];
  EXPECT_EQ(t3.mode, ast::TrackMode::kTop);
  EXPECT_EQ(t3.top_raw, 3 * decimal::kOne);
  EXPECT_FALSE(t3.top_percent);
  EXPECT_FALSE(ast::present(t3.proportional));
  EXPECT_EQ(show(m, t3.when), "(> 总分 80)");

  const ast::Track& t4 = f.tracks[4];
  EXPECT_EQ(t4.mode, ast::TrackMode::kTop);
  EXPECT_EQ(t4.top_raw, 5 * decimal::kOne);
  EXPECT_FALSE(ast::present(t4.proportional));

  ASSERT_EQ(f.ties.size(), 3u);
  EXPECT_EQ(show(m, f.ties[0].key), "总分");
  EXPECT_TRUE(f.ties[0].descending);
  EXPECT_EQ(show(m, f.ties[1].key), "社区编码");
  EXPECT_FALSE(f.ties[1].descending);
  EXPECT_EQ(show(m, f.ties[2].key), "街道");
  EXPECT_FALSE(f.ties[2].descending);
}

TEST(ParseLowering, InputTypes) {
  const auto p = parse_ok(
      "input {\n"
      "  a : score 0..100\n"
      "  b : one_of { A, \"B c\" }, c : list<text>; d : money 0..1万元\n"
      "  e : number -5..5\n"
      "  f : bool\n"
      "  g : percent\n"
      "  h : count\n"
      "}\n");
  ASSERT_TRUE(p->module);
  const auto& in = p->module->inputs;
  ASSERT_EQ(in.size(), 8u);
  EXPECT_EQ(in[0].kind, ast::InputKind::kScore);
  ASSERT_TRUE(in[0].range);
  EXPECT_EQ(in[0].range->hi, 100 * decimal::kOne);
  EXPECT_EQ(in[1].kind, ast::InputKind::kOneOf);
  ASSERT_EQ(in[1].options.size(), 2u);
  EXPECT_EQ(in[1].options[1].text, "B c");
  EXPECT_TRUE(in[1].options[1].quoted);
  EXPECT_EQ(in[2].kind, ast::InputKind::kTextList);
  EXPECT_EQ(in[3].kind, ast::InputKind::kMoney);
  EXPECT_EQ(in[3].range->hi, 10'000 * decimal::kOne);  // 元 at scale 10^6
  EXPECT_EQ(in[4].range->lo, -5 * decimal::kOne);
  EXPECT_EQ(in[5].kind, ast::InputKind::kBool);
  EXPECT_EQ(in[6].kind, ast::InputKind::kPercent);
  EXPECT_EQ(in[7].kind, ast::InputKind::kCount);
  EXPECT_FALSE(in[7].range);
  for (std::uint32_t i = 0; i < in.size(); ++i) EXPECT_EQ(in[i].order, i);
}

TEST(ParseLowering, EmptyFileBomAndCrLf) {
  auto p = parse_ok("");
  ASSERT_TRUE(p->module);
  EXPECT_FALSE(p->module->policy);
  p = parse_ok("# 只有注释\n\n");
  p = parse_ok("\xEF\xBB\xBFpolicy \"x\"\r\nparam a = 1\r\n");
  ASSERT_TRUE(p->module);
  EXPECT_EQ(p->module->policy->name, "x");
  EXPECT_EQ(p->module->params.size(), 1u);
}

// ---- (4) errors: exactly one diagnostic at the right place ----

struct OneError {
  DiagCode code;
  std::string where;
  std::string message;
};

OneError one_error(const std::string& text) {
  const auto p = parse_text(text);
  EXPECT_FALSE(p->module.has_value());
  EXPECT_EQ(p->sink.items().size(), 1u) << describe(*p);
  EXPECT_EQ(p->sink.error_count(), 1u);
  if (p->sink.items().empty()) return {DiagCode::usage, "", ""};
  const Diagnostic& d = p->sink.items().front();
  EXPECT_EQ(d.span.source, p->id);
  return {d.code, p->where(d), d.message.str(Lang::kEn)};
}

TEST(ParseErrors, MissingCloseBrace) {
  const OneError e = one_error("indicator 总分 {\n  设施覆盖率 100% = 设施覆盖率\n");
  EXPECT_EQ(e.code, DiagCode::syntax_error);
  EXPECT_EQ(e.where, "3:1");
  EXPECT_EQ(e.message, "expected `}` or another item: a sub-indicator `名称 15% = ...`, `deduct` or `bonus`");
}

TEST(ParseErrors, MissingWeight) {
  const OneError e = one_error("indicator 总分 {\n  设施覆盖率 = 设施覆盖率\n}\n");
  EXPECT_EQ(e.code, DiagCode::syntax_error);
  EXPECT_EQ(e.where, "2:9");
  EXPECT_EQ(e.message, "expected a weight such as `15%` or points such as `10分`");
}

TEST(ParseErrors, IfWithoutElse) {
  const OneError e = one_error("param p = if x > 1 then 2\nparam q = 3\n");
  EXPECT_EQ(e.code, DiagCode::syntax_error);
  EXPECT_EQ(e.where, "2:1");
  EXPECT_EQ(e.message, "expected `else`: an `if` needs both branches");
}

TEST(ParseErrors, IfWithoutThen) {
  const OneError e = one_error("param 系数 = if 总分 > 1 2 else 3\n");
  EXPECT_EQ(e.code, DiagCode::syntax_error);
  EXPECT_EQ(e.where, "1:22");
  EXPECT_EQ(e.message, "expected `then` after the condition of `if`");
}

TEST(ParseErrors, UnterminatedString) {
  const OneError e = one_error("policy \"社区\nparam a = 1\n");
  EXPECT_EQ(e.code, DiagCode::syntax_error);
  EXPECT_EQ(e.where, "1:11");
  EXPECT_EQ(e.message, "expected `\"` to close the text");
}

TEST(ParseErrors, ReservedWordIsNotAName) {
  const OneError e = one_error("param if = 1\n");
  EXPECT_EQ(e.code, DiagCode::syntax_error);
  EXPECT_EQ(e.where, "1:7");
  EXPECT_EQ(e.message, "expected a name");
}

TEST(ParseErrors, UnknownDeclaration) {
  const OneError e = one_error("policy \"x\"\n\n  规则 a = 1\n");
  EXPECT_EQ(e.code, DiagCode::syntax_error);
  EXPECT_EQ(e.where, "3:3");
  EXPECT_EQ(e.message,
            "expected a declaration: policy, subject, input, param, set, let, indicator, veto, grade, "
            "alert, fund, output, precision, import, override, remove or add");
}

TEST(ParseErrors, FullWidthCommaOutsideText) {
  const auto p = parse_text("set S = { \"a\"， \"b\" }\n");
  EXPECT_FALSE(p->module.has_value());
  ASSERT_EQ(p->sink.items().size(), 1u) << describe(*p);
  const Diagnostic& d = p->sink.items()[0];
  EXPECT_EQ(d.code, DiagCode::full_width_punctuation);
  EXPECT_EQ(p->where(d), "1:14");
  EXPECT_EQ(d.span.end - d.span.begin, 3u);
  EXPECT_EQ(d.message, "full-width `，` (U+FF0C) cannot be used outside text and comments");
  EXPECT_EQ(d.hint, "use the ASCII `,` instead (switch the input method to half-width, 半角)");
}

TEST(ParseErrors, FullWidthCommaInsideTextOrCommentIsFine) {
  auto p = parse_ok("set S = { \"a，b\" }  # 注释，全角也可以\n# 又一个，注释\nparam p = 1\n");
  ASSERT_TRUE(p->module);
  EXPECT_EQ(show(*p->module, p->module->sets[0].value), "{\"a，b\"}");
  // Escaped quotes do not end the text early.
  p = parse_ok("policy \"他说\\\"好，的\\\"\"\n");
  ASSERT_TRUE(p->module);
  EXPECT_EQ(p->module->policy->name, "他说\"好，的\"");
}

TEST(ParseErrors, SyntaxErrorCausedByAFullWidthMarkIsNotReportedTwice) {
  // `；` becomes `;`, which cannot follow a param: the syntax error there is the mark's fault.
  const OneError e = one_error("param p = 1；\n");
  EXPECT_EQ(e.code, DiagCode::full_width_punctuation);
  EXPECT_EQ(e.where, "1:12");
}

TEST(ParseErrors, FullWidthParenthesisInACall) {
  const OneError e = one_error("param p = max（a, b)\n");
  EXPECT_EQ(e.code, DiagCode::full_width_punctuation);
  EXPECT_EQ(e.where, "1:14");
}

TEST(ParseErrors, FullWidthQuotesAreBothReported) {
  const auto p = parse_text("policy “社区”\n");
  EXPECT_FALSE(p->module.has_value());
  ASSERT_EQ(p->sink.items().size(), 2u) << describe(*p);
  EXPECT_EQ(p->sink.items()[0].code, DiagCode::full_width_punctuation);
  EXPECT_EQ(p->where(p->sink.items()[0]), "1:8");
  EXPECT_EQ(p->sink.items()[1].code, DiagCode::full_width_punctuation);
  EXPECT_EQ(p->where(p->sink.items()[1]), "1:11");
}

TEST(ParseCharacters, InvisibleCharactersAreNamedAndStopParsing) {
  // A zero-width space inside a name and inside a text; one in a comment is fine.
  const auto p = parse_text("policy \"社\u200B区\" version \"1\" # 注\u200B释\nsubject 社区 key 编\u200D码\n");
  EXPECT_FALSE(p->module.has_value());
  ASSERT_EQ(p->sink.items().size(), 2u) << describe(*p);
  EXPECT_EQ(p->sink.items()[0].code, DiagCode::invisible_character);
  EXPECT_EQ(p->sink.items()[0].message, "invisible U+200B ZERO WIDTH SPACE inside a text");
  EXPECT_EQ(p->where(p->sink.items()[0]), "1:10");
  EXPECT_EQ(p->sink.items()[1].message, "invisible U+200D ZERO WIDTH JOINER outside text and comments");
  EXPECT_EQ(p->where(p->sink.items()[1]), "2:17");
}

TEST(ParseCharacters, ByteOrderMarksControlsAndLookAlikeSpaces) {
  // A BOM at the very start is allowed; one further on is not.
  EXPECT_TRUE(parse_text("\uFEFFpolicy \"p\" version \"1\"\n")->module.has_value());
  const auto bom = parse_text("policy \"p\" version \"1\"\n\uFEFFsubject 社区 key 编码\n");
  ASSERT_EQ(bom->sink.items().size(), 1u) << describe(*bom);
  EXPECT_EQ(bom->sink.items()[0].message, "invisible U+FEFF ZERO WIDTH NO-BREAK SPACE (byte order mark) outside text and comments");
  // NUL and ESC.
  const auto nul = parse_text(std::string("policy \"p\"\0 version \"1\"\x1B\n", 25));
  ASSERT_EQ(nul->sink.items().size(), 2u) << describe(*nul);
  EXPECT_EQ(nul->sink.items()[0].message, "invisible U+0000 NULL outside text and comments");
  EXPECT_EQ(nul->sink.items()[1].message, "invisible U+001B ESCAPE outside text and comments");
  // A no-break space between tokens is named, replaced, and parsing goes on: nothing else is said.
  const auto nbsp = parse_text("policy\u00A0\"p\" version \"1\"\nsubject 社区 key 编码\n");
  ASSERT_EQ(nbsp->sink.items().size(), 1u) << describe(*nbsp);
  EXPECT_EQ(nbsp->sink.items()[0].message,
            "U+00A0 NO-BREAK SPACE looks like a space but is not one, and cannot be used outside text and comments");
  EXPECT_EQ(nbsp->where(nbsp->sink.items()[0]), "1:7");
  // Tabs are white space.
  EXPECT_TRUE(parse_text("policy\t\"p\" version \"1\"\n")->module.has_value());
}

TEST(ParseCharacters, LineEndsOfCarriageReturnsAlone) {
  EXPECT_TRUE(parse_text("policy \"p\" version \"1\"\r\nsubject 社区 key 编码\r\n")->module.has_value());
  const auto mac = parse_text("# 注释\rpolicy \"p\" version \"1\"\r");
  ASSERT_EQ(mac->sink.items().size(), 1u) << describe(*mac);
  EXPECT_EQ(mac->sink.items()[0].code, DiagCode::line_endings);
  EXPECT_EQ(mac->sink.items()[0].message,
            "the policy's lines end with a carriage return (CR) alone, as on classic Mac OS, so it reads as one line");
  EXPECT_EQ(mac->where(mac->sink.items()[0]), "1:5");
  const auto mixed = parse_text("policy \"p\" version \"1\"\nsubject 社区\r key 编码\n");
  ASSERT_EQ(mixed->sink.items().size(), 1u) << describe(*mixed);
  EXPECT_EQ(mixed->sink.items()[0].message, "a carriage return (CR) without a line feed: the policy mixes line ends");
}

TEST(ParseErrors, NotUtf8SaysWhatTheFileLooksLike) {
  const auto gbk = parse_text("policy \"\xC9\xE7\xC7\xF8\" version \"1\"\n");  // 社区 in GBK
  ASSERT_EQ(gbk->sink.items().size(), 1u);
  EXPECT_EQ(gbk->sink.items()[0].message, "byte 0xC9 is not valid UTF-8: the policy must be saved as UTF-8");
  EXPECT_EQ(*gbk->sink.items()[0].hint,
            "the policy seems to be saved as GBK (ANSI, Notepad's default on older Chinese Windows): save it as UTF-8 (in "
            "Notepad: 另存为 → 编码 UTF-8)");
  EXPECT_EQ(gbk->sink.items()[0].column, 9u);
  const auto utf16 = parse_text(std::string("\xFF\xFEp\0o\0", 6));
  ASSERT_EQ(utf16->sink.items().size(), 1u);
  EXPECT_EQ(utf16->sink.items()[0].message,
            "the policy is UTF-16 (it starts with a UTF-16 byte order mark): it must be saved as UTF-8");
}

TEST(ParseErrors, InvalidUtf8) {
  const auto p = parse_text("policy \"社区\"\nparam a = \"\xFF\"\n");
  EXPECT_FALSE(p->module.has_value());
  ASSERT_EQ(p->sink.items().size(), 1u) << describe(*p);
  const Diagnostic& d = p->sink.items()[0];
  EXPECT_EQ(d.code, DiagCode::io_error);
  EXPECT_EQ(d.message, "byte 0xFF is not valid UTF-8: the policy must be saved as UTF-8");
  EXPECT_EQ(d.hint, "the rest of the policy is UTF-8, so this byte was written in another encoding: correct it and save the file as UTF-8");
  // No span (the line cannot be quoted), but the file, line and column of the byte.
  EXPECT_FALSE(d.span.valid());
  EXPECT_EQ(d.file, "t.jx");
  EXPECT_EQ(d.line, 2u);
  EXPECT_EQ(d.column, 12u);
}

TEST(ParseErrors, HugeDeadlineCountIsADiagnosticNotACrash) {
  const OneError e = one_error("alert W of x { red [0, 60) deadline 99999999999999999999 days }\n");
  EXPECT_EQ(e.code, DiagCode::bad_literal);
  EXPECT_EQ(e.where, "1:37");
}

TEST(ParseErrors, HugeGradeDownIsADiagnosticNotACrash) {
  const OneError e = one_error("veto v when x { grade down 99999999999999999999 }\n");
  EXPECT_EQ(e.code, DiagCode::bad_literal);
  EXPECT_EQ(e.where, "1:28");
}

TEST(ParseErrors, DuplicatePolicyHasANote) {
  const auto p = parse_text("policy \"a\"\npolicy \"b\"\n");
  EXPECT_FALSE(p->module.has_value());
  ASSERT_EQ(p->sink.items().size(), 1u) << describe(*p);
  const Diagnostic& d = p->sink.items()[0];
  EXPECT_EQ(d.code, DiagCode::duplicate_name);
  EXPECT_EQ(p->where(d), "2:1");
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0].span.begin, 0u);
}

// ---- (6) the nesting limit ----

std::string repeated(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// `let v = ` + `open` n times + `x` + `close` n times: the let's expression is level 1 and each
// `open` one level more, so n = kMaxNesting - 1 is the deepest that parses.
std::string nested_let(const std::string& open, const std::string& close, int n) {
  return "let v = " + repeated(open, n) + "x" + repeated(close, n) + "\n";
}

TEST(NestingLimit, EveryKindOfLevelCountsUpToTheLimit) {
  const std::vector<std::pair<std::string, std::string>> shapes = {
      {"(", ")"}, {"abs(", ")"}, {"f(1 -> ", ")"}, {"f(w: ", ")"}, {"if x then ", " else x"}, {"not ", ""},
      {"- ", ""}, {"coef(", ") { A 1 }"}, {"coef(x) { A ", " }"}, {"bands(x) { [0, 1] ", " }"}, {"{ \"a\": ", " }"}};
  for (const auto& [open, close] : shapes) {
    const auto at_limit = parse_text(nested_let(open, close, kMaxNesting - 1));
    EXPECT_TRUE(at_limit->module.has_value()) << open << "\n" << describe(*at_limit);
    const OneError past = one_error(nested_let(open, close, kMaxNesting));
    EXPECT_EQ(past.code, DiagCode::too_deep) << open;
    EXPECT_NE(past.message.find("level " + std::to_string(kMaxNesting + 1)), std::string::npos) << past.message;
  }
}

TEST(NestingLimit, TheErrorIsWhereTheTooDeepLevelStarts) {
  // `let v = ` is 8 characters: the expression of level 1 starts in column 9, the one inside the
  // k-th `(` in column 9 + k, and level 257 inside the 256th.
  const OneError e = one_error(nested_let("(", ")", kMaxNesting));
  EXPECT_EQ(e.where, "1:" + std::to_string(9 + kMaxNesting));
}

TEST(NestingLimit, IndicatorGroupsCount) {
  // The indicator's body is level 1, each group inside one more.
  auto groups = [](int n) { return "indicator 总分 {\n" + repeated("g 1% {\n", n) + repeated("}\n", n) + "}\n"; };
  const auto at_limit = parse_text(groups(kMaxNesting - 1));
  EXPECT_TRUE(at_limit->module.has_value()) << describe(*at_limit);
  const OneError e = one_error(groups(kMaxNesting));
  EXPECT_EQ(e.code, DiagCode::too_deep);
  EXPECT_EQ(e.where, std::to_string(kMaxNesting + 1) + ":6");  // the `{` of the 256th group
}

TEST(NestingLimit, AFlatChainIsNotDeep) {
  // 20,000 terms at one level: a chain, not nesting; it parses into a tree leaning 40,001 deep to
  // the left (the `or`s, the `and`, then the `+`s), which the passes walk in a loop.
  const auto p = parse_text("let v = x" + repeated(" + x", 20000) + " > 0 and y" + repeated(" or z", 20000) + "\n");
  ASSERT_TRUE(p->module.has_value()) << describe(*p);
  EXPECT_EQ(ast::left_chain(p->module->exprs, p->module->lets.at(0).value).size(), 40002u);
}

TEST(NestingLimit, EachDeclarationStartsAgain) {
  std::string text;
  for (int i = 0; i < 3; ++i) text += nested_let("(", ")", kMaxNesting - 1);
  const auto p = parse_text(text);
  EXPECT_TRUE(p->module.has_value()) << describe(*p);
}

}  // namespace
}  // namespace jixiao::dsl
