// Parsing: the full-width punctuation scan, the PEGTL run (the only place that catches
// tao::pegtl::parse_error), and the lowering of the parse tree into the typed AST.
#include "jixiao/dsl/parse.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>
#include <tao/pegtl/contrib/parse_tree.hpp>

#include "grammar.hpp"
#include "grammar_errors.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/utf8.hpp"
#include "stack.hpp"

namespace jixiao::dsl {
namespace pegtl = tao::pegtl;
namespace g = grammar;

namespace {

// ---- the parse tree's nodes ----

// PEGTL's parse tree allocates a node for every rule it starts that may hold a selected node,
// and frees it when the rule fails or its children move up: hundreds of thousands of small
// allocations for a large policy, most of its parse time (and of a language server's re-check).
// They come from a pool that lives for one parse instead: fixed-size slots in large blocks, a
// freed slot reused by the next node. Every parse_tree::parse of Node runs with a NodePool in
// scope, made before the tree and destroyed after it.
class NodePool {
 public:
  NodePool() : previous_(current_) { current_ = this; }
  ~NodePool() { current_ = previous_; }
  NodePool(const NodePool&) = delete;
  NodePool& operator=(const NodePool&) = delete;

  static void* allocate(std::size_t bytes) {
    NodePool* pool = current_;
    if (pool == nullptr || bytes > kSlot) return ::operator new(bytes);
    if (pool->free_ != nullptr) {
      void* slot = pool->free_;
      pool->free_ = pool->free_->next;
      return slot;
    }
    if (pool->blocks_.empty() || pool->used_ == kSlotsPerBlock) {
      pool->blocks_.push_back(std::make_unique<Slot[]>(kSlotsPerBlock));
      pool->used_ = 0;
    }
    return &pool->blocks_.back()[pool->used_++];
  }

  static void release(void* p, std::size_t bytes) noexcept {
    NodePool* pool = current_;
    if (pool == nullptr || bytes > kSlot) return ::operator delete(p);
    auto* slot = static_cast<Free*>(p);
    slot->next = pool->free_;
    pool->free_ = slot;
  }

 private:
  static constexpr std::size_t kSlot = 160;  ///< at least sizeof(Node) (static_assert below)
  static constexpr std::size_t kSlotsPerBlock = 1024;
  struct alignas(std::max_align_t) Slot {
    std::byte bytes[kSlot];
  };
  struct Free {
    Free* next;
  };
  static thread_local NodePool* current_;
  NodePool* previous_;
  std::vector<std::unique_ptr<Slot[]>> blocks_;
  std::size_t used_ = 0;  ///< slots handed out of the last block
  Free* free_ = nullptr;
};
thread_local NodePool* NodePool::current_ = nullptr;

struct Node : pegtl::parse_tree::basic_node<Node> {
  static void* operator new(std::size_t bytes) { return NodePool::allocate(bytes); }
  static void operator delete(void* p, std::size_t bytes) noexcept { NodePool::release(p, bytes); }
};
static_assert(sizeof(Node) <= 160, "NodePool::kSlot must hold a parse-tree node");

// ---- characters reported before parsing: full-width punctuation, look-alikes, invisible ones ----

// The ASCII character a Chinese input method's full-width mark stands for, or 0.
const char* ascii_for(char32_t cp) {
  static char single[2] = {0, 0};
  if (cp >= 0xFF01 && cp <= 0xFF5E) {
    single[0] = static_cast<char>(cp - 0xFEE0);
    return single;
  }
  switch (cp) {
    case 0x3000: return " ";
    case 0x3001: return ",";
    case 0x3002: return ".";
    case 0x201C:
    case 0x201D: return "\"";
    case 0x2018:
    case 0x2019: return "\"";
    case 0x3010: return "[";
    case 0x3011: return "]";
    case 0x300A: return "<";
    case 0x300B: return ">";
    case 0x2014: return "-";
    case 0x2026: return "..";
    default: return nullptr;
  }
}

// Reports a carriage return without a line feed (the first one): a policy whose lines end with
// CR alone reads as one line, and its first comment would run to the end. True if there is one.
bool report_lone_cr(std::string_view text, SourceId id, DiagnosticSink& sink) {
  for (std::size_t at = text.find('\r'); at != std::string_view::npos; at = text.find('\r', at + 1)) {
    if (at + 1 < text.size() && text[at + 1] == '\n') continue;
    const bool only_cr = text.find('\n') == std::string_view::npos;
    const auto begin = static_cast<std::uint32_t>(at);
    sink.report(diagnose(DiagCode::line_endings, Span{id, begin, begin + 1},
                         only_cr ? msg::par_cr_only() : msg::par_cr_mixed(), msg::par_hint_line_ends()));
    return true;
  }
  return false;
}

// What to do about an invisible character (utf8::is_invisible).
Message invisible_hint(char32_t cp, bool in_text) {
  if (cp == 0xFFFD) return msg::par_hint_replacement();
  if (cp == 0xFEFF) return msg::par_hint_bom_inside();
  if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) return msg::par_hint_control();
  return in_text ? msg::par_hint_invisible_in_text() : msg::par_hint_invisible_in_code();
}

// Reports an invisible character (utf8::is_invisible) outside comments.
void report_invisible(char32_t cp, Span span, bool in_text, DiagnosticSink& sink) {
  const Message name = describe_char(cp);
  sink.report(diagnose(DiagCode::invisible_character, span,
                       cp == 0xFFFD ? (in_text ? msg::par_replacement_in_text(name) : msg::par_replacement_in_code(name))
                                    : (in_text ? msg::par_invisible_in_text(name) : msg::par_invisible_in_code(name)),
                       invisible_hint(cp, in_text)));
}

// Scans the text before parsing and reports, with their code points:
//  - full-width punctuation and space look-alikes (U+00A0, ...) outside text and comments; each is
//    replaced in the returned copy by its ASCII counterpart padded with spaces to the same byte
//    length, so that parsing can go on and byte offsets stay valid (`replaced` lists them);
//  - invisible characters (zero-width spaces and joiners, a byte order mark inside the file,
//    controls, U+FFFD) outside comments, texts included, and carriage returns without a line
//    feed: `stop` is set, since what the text means cannot be known until they are removed.
std::string scan_characters(const SourceFile& file, SourceId id, DiagnosticSink& sink,
                            std::vector<std::uint32_t>& replaced, bool& stop) {
  std::string text(file.text());
  if (report_lone_cr(text, id, sink)) stop = true;
  enum class State { kCode, kString, kWideString, kComment } state = State::kCode;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    const char32_t cp = utf8::decode(text, pos);
    const Span span{id, static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(pos)};
    // TAB, LF and CR are white space; a byte order mark at the very start is allowed.
    const bool invisible = cp != '\t' && cp != '\n' && cp != '\r' && !(cp == 0xFEFF && start == 0) && utf8::is_invisible(cp);
    switch (state) {
      case State::kComment:
        if (cp == '\n') state = State::kCode;
        continue;
      case State::kString:
        if (invisible) {
          report_invisible(cp, span, true, sink);
          stop = true;
        } else if (cp == '\\' && pos < text.size()) {
          utf8::decode(text, pos);
        } else if (cp == '"' || cp == '\n') {
          state = State::kCode;
        }
        continue;
      case State::kWideString:
        if (invisible) {
          report_invisible(cp, span, true, sink);
          stop = true;
          continue;
        }
        if (cp == '\n') {
          state = State::kCode;
          continue;
        }
        if (cp != 0x201D && cp != 0x201C && cp != '"') continue;
        state = State::kCode;
        if (cp == '"') continue;
        break;  // a closing full-width quote: report it below
      case State::kCode:
        if (cp == '#') {
          state = State::kComment;
          continue;
        }
        if (cp == '"') {
          state = State::kString;
          continue;
        }
        break;
    }
    if (invisible) {
      report_invisible(cp, span, false, sink);
      stop = true;
      continue;
    }
    const bool look_alike = utf8::is_unusual_space(cp) && cp != 0x3000;  // U+3000 is full-width, below
    const char* ascii = look_alike ? " " : ascii_for(cp);
    if (ascii == nullptr) continue;
    if (look_alike) {
      sink.report(diagnose(DiagCode::invisible_character, span, msg::par_space_look_alike(describe_char(cp)),
                           msg::par_hint_ordinary_space()));
    } else if (cp == 0x3000) {
      sink.report(diagnose(DiagCode::full_width_punctuation, span, msg::par_full_width_space(utf8::code_point_name(cp)),
                           msg::par_hint_ascii_space()));
    } else {
      sink.report(diagnose(DiagCode::full_width_punctuation, span,
                           msg::par_full_width_char(std::string(text, start, pos - start), utf8::code_point_name(cp)),
                           msg::par_hint_ascii_char(ascii)));
    }
    replaced.push_back(static_cast<std::uint32_t>(start));
    std::string replacement = ascii;
    replacement.resize(pos - start, ' ');
    text.replace(start, pos - start, replacement);
    if (state == State::kCode && (cp == 0x201C || cp == 0x201D || cp == 0x2018 || cp == 0x2019)) {
      state = State::kWideString;
    }
  }
  return text;
}

// Reports a policy that is not UTF-8: the first bad byte by line and column (without quoting the
// undecodable line), and what the file most likely is. True if it is not.
bool report_not_utf8(const SourceFile& file, DiagnosticSink& sink) {
  const std::string_view t = file.text();
  const utf8::Scan scan = utf8::scan(t);
  if (scan.valid()) return false;
  if (t.starts_with("\xFF\xFE") || t.starts_with("\xFE\xFF")) {
    Diagnostic d = diagnose(DiagCode::io_error, Span{}, msg::par_utf16(), msg::par_hint_save_utf8());
    d.file = file.path();
    sink.report(std::move(d));
    return true;
  }
  const utf8::Place at = utf8::place_of(t, scan.first_bad);
  // byte_name is "byte 0xE5": the message names the byte by its value.
  const std::string byte = utf8::byte_name(static_cast<unsigned char>(t[scan.first_bad])).substr(5);
  Diagnostic d = diagnose(DiagCode::io_error, Span{}, msg::par_bad_byte(byte),
                          scan.plausibly_utf8() ? msg::par_hint_bad_byte_in_utf8() : msg::par_hint_gbk());
  d.file = file.path();
  d.line = at.line;
  d.column = at.column;
  sink.report(std::move(d));
  return true;
}

// ---- comments ----

std::vector<ast::Comment> scan_comments(std::string_view text, SourceId id) {
  std::vector<ast::Comment> out;
  for (const auto& [begin, end] : comment_ranges(text)) {
    out.push_back({Span{id, static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)}});
  }
  return out;
}

// ---- lowering ----

class Lowerer {
 public:
  Lowerer(std::string_view text, SourceId id, DiagnosticSink& sink)
      : text_(text), id_(id), sink_(sink) {
    module_.source = id;
  }

  ast::Module take() { return std::move(module_); }

  /// Where the `input` keyword of an empty `input { }` block is: the block declares nothing and
  /// leaves nothing in the module (fmt drops it, keeping its comments), so neither does its keyword.
  [[nodiscard]] const std::vector<std::uint32_t>& empty_input_blocks() const { return empty_input_blocks_; }

  void file(const Node& root) {
    for (const auto& c : root.children) decl(*c);
  }

 private:
  // Spans of composite nodes exclude the white space and comments the grammar consumed after
  // their last token.
  Span span(const Node& n) const {
    const auto begin = static_cast<std::uint32_t>(n.m_begin.byte);
    auto end = static_cast<std::uint32_t>(n.m_end.data ? n.m_end.byte : n.m_begin.byte);
    return Span{id_, begin, trim_end(begin, end)};
  }

  // The end of [begin, end) without trailing blanks and comments: the end of the last run of code
  // that starts before `end`, found by binary search in code_runs().
  std::uint32_t trim_end(std::uint32_t begin, std::uint32_t end) const {
    const auto& runs = code_runs();
    const auto after = std::lower_bound(runs.begin(), runs.end(), end,
                                        [](const std::pair<std::uint32_t, std::uint32_t>& run, std::uint32_t at) { return run.first < at; });
    if (after == runs.begin()) return begin;
    return std::max(begin, std::min(end, std::prev(after)->second));
  }

  // The runs [begin, end) of code, in order: bytes that are not blanks and not in a comment; every
  // byte of a string literal counts, its quotes included. Made on first use, in one pass; its size
  // follows the tokens, not the bytes (a file of 100 MB of blank lines has none).
  const std::vector<std::pair<std::uint32_t, std::uint32_t>>& code_runs() const {
    if (runs_made_) return code_runs_;
    runs_made_ = true;
    const std::size_t n = text_.size();
    auto code = [&](std::size_t from, std::size_t to) {  // bytes [from, to) are code
      if (!code_runs_.empty() && code_runs_.back().second == from) {
        code_runs_.back().second = static_cast<std::uint32_t>(to);
      } else {
        code_runs_.emplace_back(static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to));
      }
    };
    std::size_t i = 0;
    while (i < n) {
      const char c = text_[i];
      if (c == '#') {
        while (i < n && text_[i] != '\n') ++i;
        continue;
      }
      if (c == '"') {
        const std::size_t start = i;
        ++i;
        while (i < n && text_[i] != '"' && text_[i] != '\n') {
          if (text_[i] == '\\') ++i;
          ++i;
        }
        if (i < n) ++i;  // the closing quote (or the line break that ends an unclosed string)
        code(start, std::min(i, n));
        continue;
      }
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') code(i, i + 1);
      ++i;
    }
    return code_runs_;
  }

  std::string content(const Node& n) const {
    const Span s = span(n);
    return std::string(text_.substr(s.begin, s.end - s.begin));
  }

  template <typename R>
  static const Node* find(const Node& n) {
    for (const auto& c : n.children) {
      if (c->is_type<R>()) return c.get();
    }
    return nullptr;
  }

  void error(DiagCode code, Span s, Message message, std::optional<Message> hint = {}) {
    sink_.report(diagnose(code, s, std::move(message), std::move(hint)));
  }

  ast::Ident ident(const Node& n) { return ast::Ident{content(n), span(n)}; }

  // A whole number written with digits only (deadlines, grade steps); reports bad-literal and
  // returns 0 when it is beyond any sensible count.
  std::int64_t whole_number(const Node& n, Message what) {
    const std::string digits = content(n);
    if (digits.size() > 9) {
      error(DiagCode::bad_literal, span(n), msg::par_count_too_large(digits, std::move(what)), msg::par_hint_count_below());
      return 0;
    }
    return std::stoll(digits);
  }

  std::string string_value(const Node& n) {
    // n is a string_lit (or a wrapper whose content is one): strip quotes, resolve escapes.
    const std::string raw = content(n);
    std::string out;
    for (std::size_t i = 1; i + 1 < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 2 < raw.size()) {
        ++i;
        out.push_back(raw[i] == 'n' ? '\n' : raw[i]);
      } else {
        out.push_back(raw[i]);
      }
    }
    return out;
  }

  ast::Label label(const Node& n) {
    // n wraps either a string_lit or an ident (or is one).
    const Node* inner = n.children.empty() ? &n : n.children.front().get();
    if (inner->is_type<g::string_lit>()) return ast::Label{string_value(*inner), true, span(*inner)};
    return ast::Label{content(*inner), false, span(*inner)};
  }

  // Parses a number literal's text: the decimal, then an optional unit suffix.
  struct NumberText {
    std::string digits;
    std::string unit;
  };
  static NumberText split_number(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    return {s.substr(0, i), s.substr(i)};
  }

  std::int64_t raw_decimal(const std::string& digits, Span s) {
    decimal::ParseError why{};
    if (auto v = decimal::parse(digits, decimal::kPlaces, &why)) return *v;
    if (why == decimal::ParseError::kTooManyPlaces) {
      error(DiagCode::bad_literal, s, msg::par_too_many_places(digits), msg::par_hint_round_places());
    } else {
      error(DiagCode::bad_literal, s, msg::par_too_large(digits),
            msg::par_hint_numbers_up_to(decimal::to_string(std::numeric_limits<std::int64_t>::max())));
    }
    return 0;
  }

  ast::ExprId number(const Node& n) {
    const Span s = span(n);
    const NumberText t = split_number(content(n));
    if (t.unit == "元" || t.unit == "万元" || t.unit == "亿元") {
      const int places = t.unit == "元" ? 2 : t.unit == "万元" ? 6 : 10;
      decimal::ParseError why{};
      if (auto fen = decimal::parse(t.digits, places, &why)) return module_.add(ast::MoneyLit{*fen}, s);
      if (why == decimal::ParseError::kTooManyPlaces) {
        error(DiagCode::bad_literal, s, msg::par_not_whole_fen(content(n)), msg::par_hint_round_fen());
      } else {
        error(DiagCode::bad_literal, s, msg::par_too_large(content(n)),
              msg::par_hint_amounts_up_to(decimal::format_yuan_grouped(std::numeric_limits<std::int64_t>::max())));
      }
      return module_.add(ast::MoneyLit{0}, s);
    }
    ast::NumberLit lit;
    lit.raw = raw_decimal(t.digits, s);
    lit.unit = t.unit == "%" ? ast::Unit::kPercent : t.unit == "分" ? ast::Unit::kPoints : ast::Unit::kNone;
    return module_.add(lit, s);
  }

  ast::NameRef name_ref(const Node& path) {
    ast::NameRef ref;
    for (const auto& c : path.children) ref.parts.push_back(ident(*c));
    return ref;
  }

  ast::Interval interval(const Node& n) {
    ast::Interval iv;
    iv.span = span(n);
    int bound_index = 0;
    bool wrong_side = false;  // `+inf` as the lower end or `-inf` as the upper (reported)
    for (const auto& c : n.children) {
      if (c->is_type<g::open_closed>()) iv.lo_closed = true;
      if (c->is_type<g::open_open>()) iv.lo_closed = false;
      if (c->is_type<g::close_closed>()) iv.hi_closed = true;
      if (c->is_type<g::close_open>()) iv.hi_closed = false;
      if (c->is_type<g::expect_bound>()) {
        bool negative = false;
        bool infinite = false;
        std::int64_t value = 0;
        for (const auto& b : c->children) {
          if (b->is_type<g::minus_sign>()) negative = true;
          if (b->is_type<g::inf_bound>()) infinite = true;
          if (b->is_type<g::number>()) {
            const NumberText t = split_number(content(*b));
            if (!t.unit.empty() && t.unit != "分" && t.unit != "%") {
              error(DiagCode::bad_literal, span(*b), msg::par_interval_money(content(*b)), msg::par_hint_interval_plain());
            }
            value = raw_decimal(t.digits, span(*b));
          }
        }
        if (negative) value = -value;
        if (bound_index == 0) {
          iv.lo = value;
          iv.lo_inf = infinite;
          if (infinite && !negative) {
            wrong_side = true;
            error(DiagCode::bad_range, span(*c), msg::par_lower_plus_inf(), msg::par_hint_lower_inf());
          }
        } else {
          iv.hi = value;
          iv.hi_inf = infinite;
          if (infinite && negative) {
            wrong_side = true;
            error(DiagCode::bad_range, span(*c), msg::par_upper_minus_inf(), msg::par_hint_upper_inf());
          }
        }
        ++bound_index;
      }
    }
    // An infinite end is never reached, so it cannot be included: `[60, inf]` reads as a band that
    // ends somewhere, and is refused rather than taken as `[60, inf)`.
    if (!wrong_side && ((iv.lo_inf && iv.lo_closed) || (iv.hi_inf && iv.hi_closed))) {
      const bool lo = iv.lo_inf && iv.lo_closed;
      error(DiagCode::bad_range, iv.span, msg::par_interval_includes_inf(lo ? "-inf" : "inf"),
            msg::par_hint_round_bracket(lo ? "(-inf, ..." : "..., inf)"));
    }
    if (iv.lo_inf) iv.lo_closed = false;
    if (iv.hi_inf) iv.hi_closed = false;
    return iv;
  }

  // ---- expressions ----

  // Rules matched through a named error point (`expect_term : mul_expr`) are distinct types.
  static bool is_chain(const Node& n) {
    return n.is_type<g::or_expr>() || n.is_type<g::expect_or_operand>() || n.is_type<g::and_expr>() ||
           n.is_type<g::add_expr>() || n.is_type<g::expect_comparand>() || n.is_type<g::mul_expr>() ||
           n.is_type<g::expect_term>() || n.is_type<g::cmp_expr>();
  }
  static bool is_not(const Node& n) {
    return n.is_type<g::not_expr>() || n.is_type<g::expect_and_operand>();
  }

  ast::ExprId expr(const Node& node) {
    // A chain of one operand holds just it (`x` is an or_expr of one and_expr of ... of x, and a
    // parenthesis nests seven such): go down to the operand in a loop, not a call per wrapper.
    const Node* wrapper = &node;
    while (wrapper->children.size() == 1 && (is_chain(*wrapper) || is_not(*wrapper))) wrapper = wrapper->children.front().get();
    const Node& n = *wrapper;
    const Span s = span(n);
    if (n.is_type<g::number>()) return number(n);
    if (n.is_type<g::string_lit>()) return module_.add(ast::StringLit{string_value(n)}, s);
    if (n.is_type<g::true_lit>()) return module_.add(ast::BoolLit{true}, s);
    if (n.is_type<g::false_lit>()) return module_.add(ast::BoolLit{false}, s);
    if (n.is_type<g::path>()) return module_.add(name_ref(n), s);
    if (is_chain(n)) return binary_chain(n);
    if (is_not(n)) {
      return module_.add(ast::Unary{ast::UnaryOp::kNot, expr(*n.children.back())}, s);
    }
    if (n.is_type<g::neg_expr>()) {
      const ast::ExprId operand = expr(*n.children.back());
      // Fold `-5` into a negative literal, so that literals stay literals.
      if (auto* lit = std::get_if<ast::NumberLit>(&module_.exprs[static_cast<std::uint32_t>(operand)])) {
        lit->raw = -lit->raw;
        module_.expr_spans[static_cast<std::uint32_t>(operand)] = s;
        return operand;
      }
      if (auto* money = std::get_if<ast::MoneyLit>(&module_.exprs[static_cast<std::uint32_t>(operand)])) {
        money->fen = -money->fen;
        module_.expr_spans[static_cast<std::uint32_t>(operand)] = s;
        return operand;
      }
      return module_.add(ast::Unary{ast::UnaryOp::kNeg, operand}, s);
    }
    if (n.is_type<g::if_expr>()) {
      ast::If e{expr(*n.children.at(0)), expr(*n.children.at(1)), expr(*n.children.at(2))};
      return module_.add(e, s);
    }
    if (n.is_type<g::call>()) return call(n);
    if (n.is_type<g::coef_expr>()) return coef(n);
    if (n.is_type<g::bands_expr>()) return bands(n);
    if (n.is_type<g::set_lit>() || n.is_type<g::expect_set_lit>()) {
      ast::SetLit set;
      for (const auto& c : n.children) set.items.push_back(module_.add(ast::StringLit{string_value(*c)}, span(*c)));
      return module_.add(set, s);
    }
    if (n.is_type<g::table_lit>()) {
      ast::TableLit table;
      for (const auto& c : n.children) table.entries.push_back({label(*c->children.at(0)), expr(*c->children.at(1))});
      return module_.add(table, s);
    }
    // Transparent wrappers (named error points) hold exactly one expression.
    if (n.children.size() == 1) return expr(*n.children.front());
    error(DiagCode::syntax_error, s, msg::par_cannot_read_expr());
    return module_.add(ast::NumberLit{}, s);
  }

  static std::optional<ast::BinaryOp> binary_op(const Node& n) {
    using B = ast::BinaryOp;
    if (n.is_type<g::op_add>()) return B::kAdd;
    if (n.is_type<g::op_sub>()) return B::kSub;
    if (n.is_type<g::op_mul>()) return B::kMul;
    if (n.is_type<g::op_div>()) return B::kDiv;
    if (n.is_type<g::op_and>()) return B::kAnd;
    if (n.is_type<g::op_or>()) return B::kOr;
    if (n.is_type<g::op_eq>()) return B::kEq;
    if (n.is_type<g::op_ne>()) return B::kNe;
    if (n.is_type<g::op_lt>()) return B::kLt;
    if (n.is_type<g::op_le>()) return B::kLe;
    if (n.is_type<g::op_gt>()) return B::kGt;
    if (n.is_type<g::op_ge>()) return B::kGe;
    if (n.is_type<g::op_in>()) return B::kIn;
    if (n.is_type<g::op_not_in>()) return B::kNotIn;
    if (n.is_type<g::op_any_in>()) return B::kAnyIn;
    if (n.is_type<g::op_all_in>()) return B::kAllIn;
    return std::nullopt;
  }

  // operand (op operand)*, folded to the left.
  ast::ExprId binary_chain(const Node& n) {
    const auto& kids = n.children;
    ast::ExprId left = expr(*kids.at(0));
    std::size_t i = 1;
    while (i + 1 < kids.size()) {
      const Node* op_node = kids[i].get();
      if (op_node->is_type<g::cmp_op>()) op_node = op_node->children.at(0).get();
      const auto op = binary_op(*op_node);
      const ast::ExprId right = expr(*kids[i + 1]);
      const Span s{id_, module_.span(left).begin, module_.span(right).end};
      left = module_.add(ast::Binary{op.value_or(ast::BinaryOp::kAdd), left, right, span(*op_node)}, s);
      i += 2;
    }
    return left;
  }

  ast::ExprId call(const Node& n) {
    ast::Call c;
    for (const auto& a : n.children) {
      if (a->is_type<g::callee>()) {
        c.callee = ident(*a);
      } else if (a->is_type<g::named_arg>()) {
        c.named.push_back({ident(*a->children.at(0)), expr(*a->children.at(1))});
      } else if (a->is_type<g::positional_arg>() && a->children.size() == 2) {
        const ast::ExprId from = expr(*a->children.at(0));
        const ast::ExprId to = expr(*a->children.at(1));
        c.args.push_back(module_.add(ast::Pair{from, to}, span(*a)));
      } else if (a->is_type<g::positional_arg>()) {
        c.args.push_back(expr(*a->children.at(0)));
      } else {
        c.args.push_back(expr(*a));
      }
    }
    return module_.add(c, span(n));
  }

  ast::ExprId coef(const Node& n) {
    ast::Coef c;
    c.subject = expr(*n.children.at(0));
    for (std::size_t i = 1; i < n.children.size(); ++i) {
      const Node& e = *n.children[i];
      if (e.is_type<g::coef_else>()) {
        c.otherwise = expr(*e.children.at(0));
      } else {
        c.entries.push_back({label(*e.children.at(0)), expr(*e.children.at(1))});
      }
    }
    return module_.add(c, span(n));
  }

  ast::ExprId bands(const Node& n) {
    ast::Bands b;
    b.subject = expr(*n.children.at(0));
    for (std::size_t i = 1; i < n.children.size(); ++i) {
      const Node& e = *n.children[i];
      b.entries.push_back({interval(*e.children.at(0)), expr(*e.children.at(1))});
    }
    return module_.add(b, span(n));
  }

  // ---- declarations ----

  std::uint32_t next_order() { return order_++; }

  void decl(const Node& n) {
    if (n.is_type<g::policy_decl>()) return policy(n);
    if (n.is_type<g::subject_decl>()) return subject(n);
    if (n.is_type<g::rollup_decl>()) return rollup(n);
    if (n.is_type<g::input_decl>()) return inputs(n);
    if (n.is_type<g::param_decl>()) {
      module_.params.push_back({ident(*n.children.at(0)), expr(*n.children.at(1)), next_order()});
      return;
    }
    if (n.is_type<g::set_decl>()) {
      module_.sets.push_back({ident(*n.children.at(0)), expr(*n.children.at(1)), next_order()});
      return;
    }
    if (n.is_type<g::let_decl>()) {
      module_.lets.push_back({ident(*n.children.at(0)), expr(*n.children.at(1)), next_order()});
      return;
    }
    if (n.is_type<g::indicator_decl>()) return indicator(n);
    if (n.is_type<g::veto_decl>()) return veto(n);
    if (n.is_type<g::grade_decl>()) return band_decl(n, ast::BandKind::kGrade);
    if (n.is_type<g::alert_decl>()) return band_decl(n, ast::BandKind::kAlert);
    if (n.is_type<g::fund_decl>()) return fund(n);
    if (n.is_type<g::output_decl>()) return output(n);
    if (n.is_type<g::precision_decl>()) return precision(n);
    if (n.is_type<g::import_decl>()) return import(n);
    if (n.is_type<g::override_decl>()) return override_decl(n);
    if (n.is_type<g::remove_decl>()) {
      module_.removes.push_back({name_ref(*n.children.at(0)), span(n)});
      return;
    }
    if (n.is_type<g::add_decl>()) return add(n);
    if (n.is_type<g::segment_decl>()) return segment(n);
  }

  // A segment's edits are lowered like the policy's own, then moved into the segment.
  void segment(const Node& n) {
    ast::SegmentDecl seg;
    seg.name = ident(*n.children.at(0));
    seg.when = expr(*n.children.at(1));
    seg.span = span(n);
    const std::size_t overrides = module_.overrides.size();
    const std::size_t removes = module_.removes.size();
    const std::size_t adds = module_.adds.size();
    for (std::size_t i = 2; i < n.children.size(); ++i) decl(*n.children[i]);
    const auto take = [](auto& from, std::size_t first, auto& into) {
      into.assign(std::make_move_iterator(from.begin() + static_cast<std::ptrdiff_t>(first)), std::make_move_iterator(from.end()));
      from.resize(first);
    };
    take(module_.overrides, overrides, seg.overrides);
    take(module_.removes, removes, seg.removes);
    take(module_.adds, adds, seg.adds);
    module_.segments.push_back(std::move(seg));
  }

  void import(const Node& n) {
    ast::ImportDecl d;
    d.span = span(n);
    for (const auto& c : n.children) {
      if (c->is_type<g::expect_import_name>()) d.names.push_back(ident(*c));
      if (c->is_type<g::expect_import_source>()) {
        d.from = string_value(*c);
        d.from_span = span(*c);
      }
    }
    module_.imports.push_back(std::move(d));
  }

  void override_decl(const Node& n) {
    ast::OverrideDecl o;
    o.span = span(n);
    o.target = name_ref(*n.children.at(0));
    const Node& change = *n.children.at(1);
    if (change.is_type<g::override_weight>()) {
      o.kind = ast::OverrideKind::kWeight;
      o.weight = weight(*change.children.at(0));
    } else if (change.is_type<g::override_formula>()) {
      o.kind = ast::OverrideKind::kFormula;
      o.formula = expr(*change.children.at(0));
    } else if (change.is_type<g::override_coef>()) {
      o.kind = ast::OverrideKind::kCoef;
      for (const auto& e : change.children) {
        if (e->is_type<g::coef_else>()) {
          o.coef_else = expr(*e->children.at(0));
        } else {
          o.coef_entries.push_back({label(*e->children.at(0)), expr(*e->children.at(1))});
        }
      }
    } else {
      o.kind = ast::OverrideKind::kBand;
      for (const auto& c : change.children) {
        if (c->is_type<g::interval>()) o.interval = interval(*c);
        if (c->is_type<g::override_text>()) o.text = string_value(*c);
        if (c->is_type<g::deadline>()) {
          ast::Deadline d;
          d.span = span(*c);
          d.count = whole_number(*c->children.at(0), msg::par_what_days());
          d.workdays = c->children.at(1)->is_type<g::unit_workdays>();
          o.deadline = d;
        }
      }
    }
    module_.overrides.push_back(std::move(o));
  }

  void add(const Node& n) {
    ast::AddDecl a;
    a.span = span(n);
    a.target = name_ref(*n.children.at(0));
    ast::IndicatorNode holder;
    holder.name = ast::Ident{ast::path_text(a.target), a.target.parts.back().span};
    holder.span = a.span;
    holder.order = next_order();
    a.holder = add_node(std::move(holder));
    node_body(*n.children.at(1), a.holder);
    module_.adds.push_back(std::move(a));
  }

  // `keyword`: the declaration's keyword (msg::par_kw_policy(), ...).
  void duplicate_decl(const Message& keyword, Span now, Span before) {
    Diagnostic d = diagnose(DiagCode::duplicate_name, now, msg::par_one_decl(keyword), msg::par_hint_remove_or_merge());
    d.notes.push_back(Note{before, msg::par_note_first_decl(keyword)});
    sink_.report(std::move(d));
  }

  void policy(const Node& n) {
    if (module_.policy) return duplicate_decl(msg::par_kw_policy(), span(n), module_.policy->span);
    ast::PolicyDecl p;
    p.span = span(n);
    for (const auto& c : n.children) {
      if (c->is_type<g::policy_name>()) p.name = string_value(*c);
      if (c->is_type<g::policy_version>()) p.version = string_value(*c);
      if (c->is_type<g::policy_base>()) {
        p.extends = string_value(*c);
        p.extends_span = span(*c);
      }
    }
    module_.policy = p;
  }

  void subject(const Node& n) {
    if (module_.subject) return duplicate_decl(msg::par_kw_subject(), span(n), module_.subject->span);
    ast::SubjectDecl d{ident(*n.children.at(0)), ident(*n.children.at(1)), std::nullopt, span(n)};
    if (n.children.size() > 2) d.period = ident(*n.children.at(2));
    module_.subject = std::move(d);
  }

  void rollup(const Node& n) {
    if (module_.rollup) return duplicate_decl(msg::par_kw_rollup(), span(n), module_.rollup->span);
    ast::RollupDecl r{ident(*n.children.at(0)), ast::kNoExpr, {}, false, Span{}, span(n)};
    const Node& parts = *n.children.at(1);
    if (parts.is_type<g::table_lit>()) {  // `{ "-01": "Q1", ... }`: the keys are the sub-periods
      ast::SetLit set;
      for (const auto& entry : parts.children) {
        const ast::Label key = label(*entry->children.at(0));
        set.items.push_back(module_.add(ast::StringLit{key.text}, key.span));
        r.groups.push_back(expr(*entry->children.at(1)));
      }
      r.parts = module_.add(set, span(parts));
    } else {
      r.parts = expr(parts);
    }
    if (n.children.size() > 2) {
      r.skip_missing = true;
      r.missing_span = span(*n.children[2]);
    }
    module_.rollup = std::move(r);
  }

  void inputs(const Node& n) {
    if (n.children.empty()) empty_input_blocks_.push_back(span(n).begin);
    for (const auto& item : n.children) {
      ast::InputDecl in;
      in.name = ident(*item->children.at(0));
      in.order = next_order();
      in.block = span(n);
      const Node& type = *item->children.at(1);
      in.type_span = span(type);
      for (const auto& t : type.children) {
        using K = ast::InputKind;
        if (t->is_type<g::type_score>()) in.kind = K::kScore;
        if (t->is_type<g::type_number>()) in.kind = K::kNumber;
        if (t->is_type<g::type_percent>()) in.kind = K::kPercent;
        if (t->is_type<g::type_count>()) in.kind = K::kCount;
        if (t->is_type<g::type_money>()) in.kind = K::kMoney;
        if (t->is_type<g::type_text>()) in.kind = K::kText;
        if (t->is_type<g::type_bool>()) in.kind = K::kBool;
        if (t->is_type<g::type_list>()) {
          in.kind = K::kTextList;
          for (const auto& element : t->children) {
            if (element->is_type<g::list_number>()) in.kind = K::kNumberList;
            if (element->is_type<g::list_score>()) in.kind = K::kScoreList;
          }
        }
        if (t->is_type<g::type_one_of>()) {
          in.kind = K::kOneOf;
          for (const auto& o : t->children) in.options.push_back(label(*o));
        }
        if (t->is_type<g::range>()) in.range = range(*t);
        if (t->is_type<g::expect_list_size_range>()) in.size = range(*t);
      }
      if (in.range) in.type_span.end = in.range->span.end;
      for (const auto& c : item->children) {
        if (c->is_type<g::input_optional>()) in.optional = true;
        if (c->is_type<g::input_only>()) {
          in.only = string_value(*c->children.at(0));
          in.only_span = span(*c);
        }
      }
      module_.inputs.push_back(std::move(in));
    }
  }

  std::int64_t signed_raw(const Node& n) {
    // n holds `[-]number` with an optional unit; money units are read as 元.
    std::string text = content(n);
    bool negative = false;
    if (!text.empty() && text[0] == '-') {
      negative = true;
      text.erase(0, 1);
    }
    const NumberText t = split_number(text);
    std::int64_t v = raw_decimal(t.digits, span(n));
    if (t.unit == "万元") v *= 10'000;
    if (t.unit == "亿元") v *= 100'000'000;
    return negative ? -v : v;
  }

  ast::RangeSpec range(const Node& n) {
    ast::RangeSpec r;
    r.span = span(n);
    r.lo = signed_raw(*n.children.at(0));
    r.hi = signed_raw(*n.children.at(1));
    return r;
  }

  ast::Weight weight(const Node& n) {
    ast::Weight w;
    w.span = span(n);
    const NumberText t = split_number(content(n));
    w.raw = raw_decimal(t.digits, w.span);
    w.kind = t.unit == "%"    ? ast::WeightKind::kPercent
             : t.unit == "分" ? ast::WeightKind::kPoints
             : t.unit.empty() ? ast::WeightKind::kNone
                              : ast::WeightKind::kOther;
    return w;
  }

  void indicator(const Node& n) {
    ast::IndicatorNode root;
    root.name = ident(*n.children.at(0));
    root.span = span(n);
    root.order = next_order();
    const std::uint32_t index = add_node(std::move(root));
    module_.roots.push_back(index);
    for (std::size_t i = 1; i < n.children.size(); ++i) {
      const Node& c = *n.children[i];
      if (c.is_type<g::weight>()) module_.nodes[index].weight = weight(c);
      if (c.is_type<g::node_body>() || c.is_type<g::expect_node_body>()) node_body(c, index);
    }
  }

  std::uint32_t add_node(ast::IndicatorNode node) {
    module_.nodes.push_back(std::move(node));
    return static_cast<std::uint32_t>(module_.nodes.size() - 1);
  }

  void node_body(const Node& body, std::uint32_t owner) {
    for (const auto& item : body.children) {
      const Node& c = *item;
      if (c.is_type<g::adjust>()) {
        module_.nodes[owner].adjusts.push_back(adjust(c));
      } else if (c.is_type<g::deductions_max>()) {
        set_node_cap(owner, c, true);
      } else if (c.is_type<g::bonuses_max>()) {
        set_node_cap(owner, c, false);
      } else if (c.is_type<g::child_node>()) {
        child(c, owner);
      }
    }
  }

  void set_node_cap(std::uint32_t owner, const Node& c, bool deductions) {
    ast::ExprId& slot = deductions ? module_.nodes[owner].deductions_max : module_.nodes[owner].bonuses_max;
    if (ast::present(slot)) {
      Diagnostic d = diagnose(DiagCode::duplicate_name, span(c),
                              msg::par_cap_twice(deductions ? msg::par_kw_deductions_max() : msg::par_kw_bonuses_max()),
                              msg::par_hint_keep_one_cap());
      d.notes.push_back(Note{module_.span(slot), msg::par_note_first_cap()});
      sink_.report(std::move(d));
      return;
    }
    slot = expr(*c.children.at(0));
  }

  void child(const Node& n, std::uint32_t parent) {
    ast::IndicatorNode node;
    node.name = ident(*n.children.at(0));
    node.weight = weight(*n.children.at(1));
    node.parent = parent;
    node.order = next_order();
    node.span = span(n);
    const std::uint32_t index = add_node(std::move(node));
    module_.nodes[parent].children.push_back(index);
    const Node& rest = *n.children.at(2);
    if (rest.is_type<g::node_formula>()) {
      const ast::ExprId f = expr(*rest.children.at(0));
      module_.nodes[index].formula = f;
      for (std::size_t i = 1; i < rest.children.size(); ++i) {
        const Node& c = *rest.children[i];
        if (c.is_type<g::missing_rule>()) {
          const Node& mode = *c.children.at(0);
          module_.nodes[index].missing = mode.is_type<g::missing_zero>()           ? ast::MissingRule::kZero
                                         : mode.is_type<g::missing_peer_average>() ? ast::MissingRule::kPeerAverage
                                                                                   : ast::MissingRule::kReweight;
          module_.nodes[index].missing_span = span(c);
        } else {
          node_body(c, index);
        }
      }
    } else {
      node_body(rest, index);
    }
  }

  ast::Adjust adjust(const Node& n) {
    ast::Adjust a;
    a.span = span(n);
    for (const auto& c : n.children) {
      if (c->is_type<g::adjust_kind_bonus>()) a.kind = ast::AdjustKind::kBonus;
      if (c->is_type<g::adjust_name>() || c->is_type<g::expect_adjust_name>()) a.name = ident(*c);
      if (c->is_type<g::adjust_amount>() || c->is_type<g::expect_adjust_amount>()) a.amount = expr(*c);
      if (c->is_type<g::adjust_per>()) a.per = expr(*c->children.at(0));
      if (c->is_type<g::adjust_when>()) a.when = expr(*c->children.at(0));
      if (c->is_type<g::adjust_max>()) a.max = expr(*c->children.at(0));
    }
    return a;
  }

  void veto(const Node& n) {
    ast::VetoDecl v;
    v.name = ident(*n.children.at(0));
    v.when = expr(*n.children.at(1));
    v.span = span(n);
    v.order = next_order();
    for (std::size_t i = 2; i < n.children.size(); ++i) {
      const Node& e = *n.children[i];
      if (e.is_type<g::effect_reason>()) {
        if (v.reason) {
          Diagnostic d = diagnose(DiagCode::duplicate_name, span(e), msg::par_two_reasons(), msg::par_hint_one_reason());
          d.notes.push_back(Note{v.reason_span, msg::par_note_first_reason()});
          sink_.report(std::move(d));
        }
        v.reason = string_value(*e.children.at(0));
        v.reason_span = span(*e.children.at(0));
        continue;
      }
      ast::VetoEffect eff;
      eff.span = span(e);
      for (const auto& c : e.children) {
        if (c->is_type<g::effect_target>()) eff.target = ident(*c);
      }
      if (e.is_type<g::effect_grade>()) {
        const Node& change = *e.children.back();
        if (change.is_type<g::grade_cap>()) {
          eff.kind = ast::EffectKind::kGradeCap;
          eff.label = label(*change.children.at(0));
        } else if (change.is_type<g::grade_down>()) {
          eff.kind = ast::EffectKind::kGradeDown;
          eff.steps = whole_number(*change.children.at(0), msg::par_what_grades());
        } else {
          eff.kind = ast::EffectKind::kGradeForce;
          eff.label = label(change);
        }
      } else if (e.is_type<g::effect_alert>()) {
        eff.kind = ast::EffectKind::kAlert;
        eff.label = label(*e.children.back());
      } else if (e.is_type<g::effect_fund>()) {
        eff.kind = ast::EffectKind::kFundZero;
      }
      v.effects.push_back(std::move(eff));
    }
    module_.vetoes.push_back(std::move(v));
  }

  void band_decl(const Node& n, ast::BandKind kind) {
    ast::BandDecl b;
    b.kind = kind;
    b.name = ident(*n.children.at(0));
    b.of = expr(*n.children.at(1));
    b.span = span(n);
    b.order = next_order();
    for (std::size_t i = 2; i < n.children.size(); ++i) {
      const Node& bn = *n.children[i];
      ast::Band band;
      band.span = span(bn);
      band.has_interval = false;
      for (const auto& c : bn.children) {
        if (c->is_type<g::band_label>()) band.label = label(*c);
        if (c->is_type<g::expect_interval>() || c->is_type<g::interval>()) {
          band.interval = interval(*c);
          band.has_interval = true;
        }
        if (c->is_type<g::band_text>()) band.text = string_value(*c);
        if (c->is_type<g::deadline>()) {
          ast::Deadline d;
          d.span = span(*c);
          d.count = whole_number(*c->children.at(0), msg::par_what_days());
          d.workdays = c->children.at(1)->is_type<g::unit_workdays>() ||
                       (!c->children.at(1)->children.empty() &&
                        c->children.at(1)->children.front()->is_type<g::unit_workdays>());
          band.deadline = d;
        }
      }
      b.bands.push_back(std::move(band));
    }
    module_.bands.push_back(std::move(b));
  }

  void fund(const Node& n) {
    ast::FundDecl f;
    f.name = ident(*n.children.at(0));
    f.pool = expr(*n.children.at(1));
    f.span = span(n);
    f.order = next_order();
    for (std::size_t i = 2; i < n.children.size(); ++i) {
      const Node& c = *n.children[i];
      if (c.is_type<g::fund_per>()) f.per_group = expr(*c.children.at(0));
      if (c.is_type<g::track>()) f.tracks.push_back(track(c));
      if (c.is_type<g::rounding>()) f.rounding = span(c);
      if (c.is_type<g::ties>()) {
        for (const auto& k : c.children) {
          ast::TieKey key;
          const Node& p = *k->children.at(0);
          key.key = module_.add(name_ref(p), span(p));
          key.descending = k->children.size() > 1 && k->children.at(1)->is_type<g::tie_desc>();
          f.ties.push_back(key);
        }
      }
    }
    module_.funds.push_back(std::move(f));
  }

  ast::Track track(const Node& n) {
    ast::Track t;
    t.span = span(n);
    t.name = ident(*n.children.at(0));
    t.share = weight(*n.children.at(1));
    for (std::size_t i = 2; i < n.children.size(); ++i) {
      const Node& c = *n.children[i];
      if (c.is_type<g::split_by>()) {
        t.mode = ast::TrackMode::kSplitBy;
        t.by = expr(*c.children.at(0));
      } else if (c.is_type<g::split_equally>()) {
        t.mode = ast::TrackMode::kEqually;
      } else if (c.is_type<g::split_top>()) {
        t.mode = ast::TrackMode::kTop;
        const Node& count = *c.children.at(0);
        t.top_span = span(count);
        const NumberText nt = split_number(content(count));
        t.top_raw = raw_decimal(nt.digits, t.top_span);
        t.top_percent = nt.unit == "%";
        if (!nt.unit.empty() && nt.unit != "%") {
          error(DiagCode::bad_literal, t.top_span, msg::par_top_not_count(content(count)), msg::par_hint_top_count());
        }
        std::size_t next = 1;
        for (; next < c.children.size(); ++next) {
          const Node& o = *c.children[next];
          if (o.is_type<g::top_of_all>()) {
            t.top_base = ast::TopBase::kAll;
          } else if (o.is_type<g::top_of_eligible>()) {
            t.top_base = ast::TopBase::kEligible;
          } else if (o.is_type<g::top_rounded_up>()) {
            t.top_rounding = ast::TopRounding::kUp;
          } else if (o.is_type<g::top_rounded_down>()) {
            t.top_rounding = ast::TopRounding::kDown;
          } else {
            break;
          }
          if (!t.top_option_span.valid()) t.top_option_span = span(o);
          t.top_option_span.end = span(o).end;
        }
        t.by = expr(*c.children.at(next));
        if (c.children.size() > next + 1 && c.children.at(next + 1)->is_type<g::top_proportional>()) {
          t.proportional = expr(*c.children.at(next + 1)->children.at(0));
        }
      } else if (c.is_type<g::track_when>()) {
        t.when = expr(*c.children.at(0));
      }
    }
    return t;
  }

  void output(const Node& n) {
    if (module_.output) return duplicate_decl(msg::par_kw_output(), span(n), module_.output->span);
    ast::OutputDecl o;
    o.span = span(n);
    for (const auto& c : n.children) o.items.push_back(module_.add(name_ref(*c), span(*c)));
    module_.output = o;
  }

  void precision(const Node& n) {
    if (module_.precision) return duplicate_decl(msg::par_kw_precision(), span(n), module_.precision->span);
    const Node& places = *n.children.at(0);
    ast::PrecisionDecl p;
    p.span = span(places);
    const std::string text = content(places);
    p.places = text.size() > 2 ? 99 : std::stoi(text);
    if (p.places > decimal::kPlaces) {
      error(DiagCode::bad_literal, p.span, msg::par_precision_places(text), msg::par_hint_precision());
      p.places = 2;
    }
    module_.precision = p;
  }

  std::string_view text_;
  mutable std::vector<std::pair<std::uint32_t, std::uint32_t>> code_runs_;  ///< see code_runs()
  mutable bool runs_made_ = false;
  SourceId id_;
  DiagnosticSink& sink_;
  ast::Module module_;
  std::uint32_t order_ = 0;
  std::vector<std::uint32_t> empty_input_blocks_;
};

// The parse-tree nodes the lowering reads; everything else is transparent.
template <typename Rule>
using selector = pegtl::parse_tree::selector<
    Rule,
    pegtl::parse_tree::store_content::on<
        g::ident, g::path_rest, g::string_lit, g::number, g::minus_sign, g::inf_bound, g::path,
        g::callee, g::named_arg, g::positional_arg, g::call, g::set_item, g::set_lit, g::expect_set_lit,
        g::table_entry, g::table_lit, g::coef_entry, g::coef_else, g::coef_expr, g::open_closed,
        g::open_open, g::close_closed, g::close_open, g::expect_bound, g::interval,
        g::expect_interval, g::bands_entry, g::bands_expr, g::true_lit, g::false_lit, g::if_expr,
        g::op_neg, g::neg_expr, g::op_mul, g::op_div, g::mul_expr, g::op_add, g::op_sub,
        g::add_expr, g::op_le, g::op_ge, g::op_eq, g::op_ne, g::op_lt, g::op_gt, g::op_not_in,
        g::op_in, g::op_any_in, g::op_all_in, g::cmp_op, g::cmp_expr, g::op_not, g::not_expr,
        g::op_and, g::and_expr, g::op_or, g::or_expr, g::expect_term, g::expect_comparand,
        g::expect_and_operand, g::expect_or_operand, g::arg_name,
        g::expect_type, g::expect_weight, g::expect_node_body, g::expect_decl_name,
        g::expect_adjust_name, g::expect_adjust_amount, g::expect_grade_label,
        g::expect_down_steps, g::expect_alert_label, g::expect_reason_text,
        g::expect_deadline_count, g::expect_top_count, g::expect_tie_key, g::expect_track_name,
        g::expect_output_item, g::expect_precision_places, g::expect_range_hi, g::policy_name, g::policy_version,
        g::policy_decl, g::subject_name, g::key_name, g::subject_decl, g::range_lo, g::range_hi,
        g::range, g::type_score, g::type_number, g::type_percent, g::type_count, g::type_money,
        g::type_text, g::type_bool, g::option_label, g::type_one_of, g::type_list, g::type_spec, g::list_text,
        g::list_number, g::list_score, g::expect_list_size_range, g::top_of_all, g::top_of_eligible,
        g::top_rounded_up, g::top_rounded_down,
        g::input_name, g::input_item, g::input_decl, g::decl_name, g::param_decl, g::set_decl,
        g::let_decl, g::weight, g::adjust_amount, g::adjust_per, g::adjust_when, g::adjust_max,
        g::adjust_kind_deduct, g::adjust_kind_bonus, g::adjust_name, g::adjust, g::deductions_max,
        g::bonuses_max, g::node_name, g::node_formula, g::child_node, g::node_body,
        g::indicator_decl, g::effect_target, g::grade_label, g::down_steps, g::grade_cap,
        g::grade_down, g::effect_grade, g::alert_label, g::effect_alert, g::effect_fund,
        g::reason_text, g::effect_reason, g::veto_decl, g::deadline_count, g::unit_days,
        g::unit_workdays, g::deadline, g::band_text, g::band_label, g::band, g::grade_decl,
        g::alert_decl, g::split_by, g::split_equally, g::top_count, g::top_proportional,
        g::split_top, g::track_when, g::track_name, g::track, g::tie_desc, g::tie_asc, g::tie_key,
        g::ties, g::rounding, g::fund_per, g::fund_decl, g::output_item, g::output_decl, g::precision_places,
        g::precision_decl, g::policy_base, g::import_name, g::expect_import_name, g::import_source,
        g::expect_import_source, g::override_target, g::expect_override_target, g::override_weight,
        g::override_formula, g::override_coef, g::override_text, g::override_band, g::import_decl,
        g::override_decl, g::remove_decl, g::add_decl, g::segment_decl, g::expect_period_name, g::input_optional,
        g::missing_zero, g::missing_peer_average, g::missing_reweight, g::missing_rule, g::rollup_decl, g::rollup_missing,
        g::input_only, g::expect_only_period>>;

// ---- nesting ----

// The rules that nest (see kMaxNesting): an expression (inside parentheses, an argument, a
// branch, an entry, or a declaration's), a negation, a `not`, an indicator body.
// (A named error point such as `expect_node_body : node_body` is the rule it names.)
template <typename Rule>
inline constexpr bool nests = std::is_base_of_v<g::expr, Rule> || std::is_base_of_v<g::neg_expr, Rule> ||
                              std::is_base_of_v<g::not_op_expr, Rule> || std::is_base_of_v<g::node_body, Rule>;

struct Nesting {
  int depth = 0;
  std::size_t over = 0;  ///< where the rule entered at kMaxNesting + 1 starts (while depth exceeds it)
  std::vector<KeywordUse> keywords;  ///< the keyword spellings of the rules matched so far (see match())
};

// Thrown where a construct passes kMaxNesting: parsing stops there, like at a syntax error.
struct TooDeep {
  std::size_t offset = 0;
};

// The grammar's control (error messages at must<> points) counting the levels entered and left.
// It counts in match(), the one hook the parse tree's own control passes on for every rule. A rule
// of level kMaxNesting + 1 may be tried and fail without reading anything (`not` or `-` where
// neither is written): the error is raised only once something is read at that level.
template <typename Rule>
struct nesting_control : g::control<Rule> {
  template <pegtl::apply_mode A, pegtl::rewind_mode M, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&... st) {
    Nesting& n = std::get<Nesting&>(std::forward_as_tuple(st...));
    const auto at = static_cast<std::size_t>(in.current() - in.begin());
    if constexpr (nests<Rule>) {
      if (++n.depth == kMaxNesting + 1) n.over = at;
    }
    const std::size_t keywords_before = n.keywords.size();
    const bool matched = g::control<Rule>::template match<A, M, Action, Control>(in, st...);
    if constexpr (nests<Rule>) --n.depth;
    // A keyword spelling is recorded where it matched; what a failed rule matched is forgotten,
    // and so is what a look-ahead (`at`, `not_at`: apply_mode::nothing) tried.
    if (!matched) {
      if (n.keywords.size() != keywords_before) n.keywords.resize(keywords_before);
    } else if constexpr (requires { Rule::kw_id; }) {
      if constexpr (A == pegtl::apply_mode::action) {
        n.keywords.push_back(KeywordUse{static_cast<std::uint32_t>(at),
                                        static_cast<std::uint32_t>(in.current() - in.begin()), Rule::kw_id,
                                        Rule::kw_chinese});
      }
    }
    if (matched && n.depth > kMaxNesting && static_cast<std::size_t>(in.current() - in.begin()) > n.over) {
      throw TooDeep{n.over};
    }
    return matched;
  }
};

// Where parsing `text` stops with a syntax error (or a too-deep construct), or nullopt if it parses.
std::optional<std::size_t> syntax_error_at(const std::string& text) {
  pegtl::memory_input<> in(text.data(), text.size(), "");
  Nesting nesting;
  const NodePool pool;
  try {
    if (!pegtl::parse_tree::parse<g::file, Node, selector, pegtl::nothing, nesting_control>(in, nesting)) return 0;
  } catch (const TooDeep& deep) {
    return deep.offset;
  } catch (const pegtl::parse_error& e) {
    return e.positions().front().byte;
  }
  return std::nullopt;
}

// A Chinese keyword written together with the name after it (`扣分投诉 2分 ...`) reads as one
// name, and the syntax error comes later. Looks, around the error, for a word that begins
// with a Chinese keyword (and is none itself) where a space after the keyword lets parsing go
// further; reports the first such word as keyword-glued. False if there is none.
bool report_glued_keyword(const std::string& text, std::size_t error, SourceId id, DiagnosticSink& sink) {
  // From the line of the last thing written before the error (an error at the start of a line is
  // often the previous line's doing) to the end of the error's line.
  std::size_t last = std::min(error, text.size());
  while (last > 0 && (text[last - 1] == ' ' || text[last - 1] == '\t' || text[last - 1] == '\r' || text[last - 1] == '\n')) --last;
  std::size_t line_begin = last == 0 ? std::string::npos : text.rfind('\n', last - 1);
  line_begin = line_begin == std::string::npos ? 0 : line_begin + 1;
  std::size_t line_end = text.find('\n', error);
  if (line_end == std::string::npos) line_end = text.size();
  std::size_t pos = line_begin;
  int tries = 0;
  while (pos < line_end && tries < 8) {
    // The next word: a maximal run of name characters.
    std::size_t next = pos;
    const char32_t cp = utf8::decode(text, next);
    if (cp == '#' || cp == '"') {  // comments and texts hold no keywords
      const std::size_t close = cp == '#' ? text.find('\n', next) : text.find_first_of("\"\n", next);
      pos = close == std::string::npos ? line_end : close + 1;
      continue;
    }
    if (!utf8::is_ident_start(cp)) {
      pos = next;
      continue;
    }
    const std::size_t begin = pos;
    std::size_t end = next;
    while (end < line_end) {
      std::size_t after = end;
      if (!utf8::is_ident_continue(utf8::decode(text, after))) break;
      end = after;
    }
    pos = end;
    const std::string_view word(text.data() + begin, end - begin);
    const KeywordInfo* best = nullptr;
    bool is_keyword = false;
    for (const KeywordInfo& k : keyword_table()) {
      is_keyword = is_keyword || word == k.chinese;
      if (word.size() > k.chinese.size() && word.substr(0, k.chinese.size()) == k.chinese &&
          (best == nullptr || k.chinese.size() > best->chinese.size())) {
        best = &k;
      }
    }
    if (best == nullptr || is_keyword || begin > error) continue;
    ++tries;
    const std::size_t split = begin + best->chinese.size();
    std::string spaced = text.substr(0, split) + " " + text.substr(split);
    const std::optional<std::size_t> again = syntax_error_at(spaced);
    if (again && *again <= error + 1) continue;
    const std::string kw(best->chinese);
    const std::string rest(word.substr(best->chinese.size()));
    sink.report(diagnose(DiagCode::keyword_glued, Span{id, static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)},
                         msg::keyword_glued(std::string(word), kw, std::string(best->english)),
                         msg::hint_keyword_glued(kw, rest)));
    return true;
  }
  return false;
}

}  // namespace

namespace {

// Parses and lowers `text` (the characters of `file` after the scan).
std::optional<ast::Module> parse_text(const std::string& text, const SourceFile& file, SourceId id,
                                      const std::vector<std::uint32_t>& replaced, DiagnosticSink& sink,
                                      std::size_t errors_before) {
  pegtl::memory_input<> in(text.data(), text.size(), file.path());
  const NodePool pool;  // outlives the tree
  std::unique_ptr<Node> root;
  Nesting nesting;
  try {
    root = pegtl::parse_tree::parse<g::file, Node, selector, pegtl::nothing, nesting_control>(in, nesting);
  } catch (const TooDeep& deep) {
    const auto offset = static_cast<std::uint32_t>(deep.offset);
    std::size_t end = offset;
    if (end < text.size()) utf8::decode(text, end);
    sink.report(diagnose(DiagCode::too_deep, Span{id, offset, static_cast<std::uint32_t>(end)},
                         msg::par_too_deep(kMaxNesting + 1, kMaxNesting), msg::par_hint_too_deep()));
    return std::nullopt;
  } catch (const pegtl::parse_error& e) {
    const auto offset = static_cast<std::uint32_t>(e.positions().front().byte);
    std::uint32_t end = offset;
    if (end < text.size()) {
      std::size_t p = end;
      utf8::decode(text, p);
      end = static_cast<std::uint32_t>(p);
    }
    // A syntax error right at a replaced full-width mark is that mark's consequence: already said.
    if (std::find(replaced.begin(), replaced.end(), offset) == replaced.end() &&
        !report_glued_keyword(text, offset, id, sink)) {
      // Every error point raises expected_error (grammar_errors.hpp), with its catalogue message.
      const auto* expected = dynamic_cast<const g::expected_error*>(&e);
      sink.report(diagnose(DiagCode::syntax_error, Span{id, offset, end},
                           expected != nullptr ? expected->message() : msg::par_cannot_read_policy()));
    }
    return std::nullopt;
  }
  if (!root) {
    sink.report(diagnose(DiagCode::syntax_error, Span{id, 0, 0}, msg::par_cannot_read_policy()));
    return std::nullopt;
  }
  Lowerer lower(text, id, sink);
  lower.file(*root);
  if (sink.error_count() > errors_before) return std::nullopt;
  ast::Module module = lower.take();
  module.comments = scan_comments(text, id);
  module.keywords = std::move(nesting.keywords);
  const std::vector<std::uint32_t>& empty = lower.empty_input_blocks();
  std::erase_if(module.keywords, [&](const KeywordUse& u) {
    return u.id == KwId::kw_input && std::find(empty.begin(), empty.end(), u.begin) != empty.end();
  });
  return module;
}

}  // namespace

std::optional<ast::Module> parse(const SourceSet& sources, SourceId id, DiagnosticSink& sink) {
  const SourceFile& file = sources.get(id);
  const std::size_t errors_before = sink.error_count();
  if (report_not_utf8(file, sink)) return std::nullopt;
  std::vector<std::uint32_t> replaced;
  bool stop = false;
  const std::string text = scan_characters(file, id, sink, replaced, stop);
  if (stop) return std::nullopt;
  // The grammar and the lowering recurse once per nesting level: they run on a stack sized for
  // the nesting limit (stack.hpp), whatever stack this thread has.
  std::optional<ast::Module> result;
  detail::run_with_stack(detail::kParserStackBytes, [&] { result = parse_text(text, file, id, replaced, sink, errors_before); });
  return result;
}

const std::vector<KeywordInfo>& keyword_table() {
  static const std::vector<KeywordInfo> table = [] {
    std::vector<KeywordInfo> t = {
#define JIXIAO_KEYWORD(id, en, zh, reserved, where, description) \
  KeywordInfo{KwId::kw_##id, en, zh, (reserved) != 0, where, description, {}, {}},
#include "jixiao/dsl/keywords.def"
#undef JIXIAO_KEYWORD
    };
    // The Chinese columns, by id (a keyword without a row keeps them empty: a test says so).
#define JIXIAO_KEYWORD_ZH(id, where, description)                   \
  t[static_cast<std::size_t>(KwId::kw_##id)].where_zh = where;       \
  t[static_cast<std::size_t>(KwId::kw_##id)].description_zh = description;
#include "jixiao/dsl/keywords_zh.def"
#undef JIXIAO_KEYWORD_ZH
    return t;
  }();
  return table;
}

const KeywordInfo& keyword_info(KwId id) { return keyword_table()[static_cast<std::size_t>(id)]; }

const std::vector<std::string_view>& keywords() {
  static const std::vector<std::string_view> words = [] {
    std::vector<std::string_view> w;
    for (const KeywordInfo& k : keyword_table()) {
      std::string_view en = k.english;
      for (std::size_t space = en.find(' '); space != std::string_view::npos; space = en.find(' ')) {
        w.push_back(en.substr(0, space));
        en.remove_prefix(space + 1);
      }
      w.push_back(en);
      w.push_back(k.chinese);
    }
    std::sort(w.begin(), w.end());
    w.erase(std::unique(w.begin(), w.end()), w.end());
    return w;
  }();
  return words;
}

std::vector<std::pair<std::size_t, std::size_t>> comment_ranges(std::string_view text) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      ++i;
      while (i < text.size() && text[i] != '"' && text[i] != '\n') i += text[i] == '\\' ? 2U : 1U;
      ++i;
    } else if (c == '#') {
      const std::size_t begin = i;
      while (i < text.size() && text[i] != '\n') ++i;
      std::size_t end = i;
      if (end > begin && text[end - 1] == '\r') --end;
      out.emplace_back(begin, end);
    } else {
      ++i;
    }
  }
  return out;
}

}  // namespace jixiao::dsl
