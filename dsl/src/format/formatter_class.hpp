// Internal to `jixiao fmt`: the Formatter, which lays out a parsed policy file as documents (doc.hpp):
// expressions (precedence as in dsl::unparse), then items, blocks with aligned columns and the
// declarations, with every comment attached by its span. The rules are documented in docs/fmt.md.
// The class is declared here and defined by concern: formatter.cpp (source positions, items,
// blocks, the output), expressions.cpp (comments around list elements, expressions) and
// declarations.cpp (each declaration's items).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "doc.hpp"
#include "jixiao/dsl/ast.hpp"
#include "jixiao/dsl/decl_text.hpp"
#include "jixiao/dsl/format.hpp"
#include "jixiao/dsl/keywords.hpp"

namespace jixiao::dsl::format_detail {

using ast::ExprId;
/// Indices into the formatter's comment table, in source order.
using Cs = std::vector<std::size_t>;

/// Binding strength of expressions, loosest first (as in dsl::unparse).
enum Prec { kIf = 0, kOr, kAnd, kNot, kCmp, kAdd, kMul, kUnary, kAtom };

// ---- the formatter ----

struct CommentRec {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::string text;
  bool own_line = false;  ///< nothing but white space before it on its line
};

/// Where the comments of one item go when they cannot stay inside it: printed on their own lines
/// just before the item. To keep comments in order, once one is hoisted every comment of the item
/// before it is hoisted too (`threshold`).
struct Placement {
  std::int64_t threshold = -1;
  Cs hoisted;
};

/// The comments around the elements of a list (call arguments, set items, chain operands, ...).
struct Around {
  std::optional<std::size_t> open;               ///< trailing the opening token
  std::vector<Cs> before;                        ///< own-line comments before element k
  std::vector<std::optional<std::size_t>> after;  ///< the trailing comment after element k
  Cs end;                                        ///< own-line comments after the last element
};

struct Range {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

/// An item of a block: a declaration, an input, a sub-indicator, a band, a track, ...
struct Ctx;
struct Item {
  std::uint32_t begin = 0;  ///< where it starts in the source
  std::uint32_t end = 0;
  int align_kind = 0;  ///< consecutive items of one nonzero kind align their cells
  int group = 0;       ///< top level: a blank line separates declarations of different groups
  std::vector<std::string> cells;
  std::function<Lines(const Ctx&)> print;
};

/// What an item is printed with: its indentation and block, its alignment, its comments.
struct Ctx {
  std::size_t indent = 0;
  int block = 0;
  std::vector<std::size_t> widths;  ///< the cell widths of the item's alignment section
  Cs inner;                         ///< comments inside the item's extent
  std::optional<std::size_t> trailing;
};

class Formatter {
 public:
  Formatter(const ast::Module& m, std::string_view text, KeywordSet set) : m_(m), text_(text), k_(m, set) {
    for (const ast::Comment& c : m.comments) {
      CommentRec r;
      r.begin = c.span.begin;
      r.end = c.span.end;
      r.text = rtrim(std::string(text.substr(c.span.begin, c.span.end - c.span.begin)));
      r.own_line = own_line(c.span.begin);
      comments_.push_back(std::move(r));
    }
  }

  std::string run() {
    const Lines lines = emit_block(top_items(), 0, static_cast<std::uint32_t>(text_.size()), 0, nullptr, 0);
    return assemble(lines);
  }

 private:
  // ---- source positions ----

  bool own_line(std::uint32_t pos) const;

  // Whether the source has an empty line between `from` and `to`.
  bool blank_between(std::uint32_t from, std::uint32_t to) const;

  // The first `{` of code at or after `from` (comments skipped).
  std::uint32_t find_open_brace(std::uint32_t from) const;

  Cs comments_in(std::uint32_t begin, std::uint32_t end) const;

  // Removes from `cs` and returns the comments inside `r`.
  static Cs take(Cs& cs, Range r, const std::vector<CommentRec>& all);
  Cs take(Cs& cs, Range r) const { return take(cs, r, comments_); }
  Cs take(Cs& cs, ExprId e) const { return take(cs, range(e)); }

  Range range(ExprId e) const;
  static Range range(Span s) { return {s.begin, s.end}; }

  OutLine comment_line(std::size_t c, std::size_t indent, int block) const;

  // ---- comments around list elements ----

  void hoist(Placement& pl, std::size_t c) const { pl.hoisted.push_back(c); }

  // Whether each of `spans` begins where or after the one before ends (operands, arguments,
  // entries): comments are then placed among them by binary search and a single pass, so that a
  // chain of 20,000 operands with a comment on every line is laid out in linear time.
  static bool in_sequence(const std::vector<Range>& spans);

  Around classify(const Cs& free, const std::vector<Range>& spans, Placement& pl) const;

  // Splits `cs` into the comments inside each of `spans` and the rest (`free`).
  std::vector<Cs> split(Cs& cs, const std::vector<Range>& spans) const;

  // Hoists the comments of a list of `n` elements that no line break can hold: after the opening
  // token, before the first element, after the last and after the list.
  void hoist_outer(const Around& a, std::size_t n, Placement& pl) const;

  // `head e0<sep> <prefix1>e1<sep> ... tail`, breaking after each separator with the elements
  // aligned under the first (call arguments, operator chains, if/then/else).
  Doc aligned_list(Doc head, std::vector<Doc> elems, const std::vector<std::string>& prefix, const std::string& sep,
                   Doc tail, Around& a, Placement& pl) const;

  // `head e0, e1, ... tail` with as many elements per line as fit, continuation lines aligned
  // under the first element (call arguments that are all simple).
  Doc fill_list(Doc head, std::vector<Doc> elems, const std::string& sep, Doc tail, Around& a, Placement& pl) const;

  // `head { e0, e1 } tail` on one line, or one element per line indented by 2 with `}` on a line
  // of its own (set, table, coef and bands literals).
  Doc block_list(Doc head, std::vector<Doc> elems, Doc tail, const Around& a) const;

  // ---- expressions ----

  Doc expr(ExprId e, Prec context, Cs cs, Placement& pl) const;

  // The expression `e` of an item, with the comments of `cs` inside it.
  Doc ex(ExprId e, Cs& cs, Placement& pl, Prec context = kIf) const { return expr(e, context, take(cs, e), pl); }

  Doc node(ExprId e, Prec& own, Cs cs, Placement& pl) const;

  // Elements printed with their own comments, in an aligned list.
  Doc list_of(const std::vector<ExprId>& parts, Doc head, const std::vector<std::string>& prefix, const std::string& sep,
              Doc tail, Cs cs, Placement& pl, Prec context) const;

  Doc chain(const ast::Binary& b, Prec& own, Cs cs, Placement& pl) const;

  Doc call(const ast::Call& c, Cs cs, Placement& pl) const;

  // Whether `e` holds a literal list (set, table, coef, bands) or an `if`: call arguments like
  // these go one per line when the call does not fit on one line.
  bool complex(ExprId e) const;

  Doc literal_list(Doc head, std::vector<Doc> elems, const std::vector<Range>& spans, Cs cs, Placement& pl) const;

  // `{ k: v, ... }` (table, sep ": ") or `{ k v, ..., else v }` (coef, sep " ").
  Doc entries(Doc head, const std::vector<ast::TableEntry>& list, ExprId otherwise, const std::string& sep, Cs cs,
              Placement& pl) const;

  // ---- items ----

  // Prints a one-logical-line item: `build` makes its document from the item's comments (taking
  // those it places); the others are hoisted onto lines of their own before it.
  Lines doc_item(const Ctx& ctx, const Cs& cs, const std::function<Doc(Cs&, Placement&)>& build,
                 std::optional<std::size_t> trailing);

  Lines text_item(const Ctx& ctx, const std::string& s);

  // An item of the source from `begin` to `end`, printed by `print`.
  static Item item(std::uint32_t begin, std::uint32_t end, std::function<Lines(const Ctx&)> print);

  // An item on one logical line (doc_item): `build` makes its document with the item's comments.
  Item line_item(std::uint32_t begin, std::uint32_t end, std::function<Doc(const Ctx&, Cs&, Placement&)> build);

  // The item on one line when it fits: `build` makes it without comments (the caller has checked
  // that the item has none inside).
  std::optional<Lines> on_one_line(const Ctx& ctx, const std::function<Doc(Cs&, Placement&)>& build);

  // An item with a `{ ... }` body: the header (up to `open`, the `{`), the body's items, `}`.
  Lines block_item(const Ctx& ctx, std::uint32_t open, std::uint32_t close,
                   const std::function<Doc(Cs&, Placement&)>& header, std::vector<Item> body);

  // Whether `d` fits on one line at `indent`.
  static bool one_line(const Doc& d, std::size_t indent) { return !d.forced && indent + width(flat(d)) <= kFormatWidth; }

  // ---- blocks ----

  // Prints the items of one block (the file, or the inside of `{ ... }` from `begin` to `end`),
  // with their comments: own-line comments before the item they precede, trailing comments
  // after the item they follow, and what follows the last item at the end. `header_trailing`
  // receives a trailing comment that follows the block's `{`.
  Lines emit_block(std::vector<Item> items, std::uint32_t begin, std::uint32_t end, std::size_t indent,
                   std::optional<std::size_t>* header_trailing, int block);

  // ---- declarations ----

  // The groups of top-level declarations: a blank line separates declarations of different groups.
  enum Group { kHeader = 1, kImports, kInputs, kBindings, kIndicators, kVetoes, kBands, kFunds, kOutput, kEdits, kSegments };

  std::vector<Item> top_items();

  Item remove_decl(const ast::RemoveDecl& r);

  // `veto NAME when 条件` and `segment NAME when 条件`: the head of their blocks.
  Doc named_when(KwId keyword, const ast::Ident& name, ExprId when, Cs& cs, Placement& pl);

  // `segment 农村 when 条件 { edits }`: `{ }` on one line when it has none.
  Item segment(const ast::SegmentDecl& seg);

  std::string rounding_text(Span span) const;

  Item simple(Span span, std::string s);

  // `rollup 年度 { "Q1", ... } [missing reweight]`; a long list or table of sub-periods breaks one
  // per line like any set or table.
  Item rollup_item(const ast::RollupDecl& r);

  // `param NAME = value` (likewise set, let); consecutive params, and consecutive lets, align `=`.
  Item binding(KwId id, const ast::Ident& name, ExprId value, int align_kind);

  Item input_block(const std::vector<const ast::InputDecl*>& inputs);

  std::string weight_text(const ast::Weight& w) const;

  bool is_simple_leaf(const ast::IndicatorNode& node) const;

  // `name weight = formula [missing rule]` with the name and weight padded to `widths`.
  Doc leaf_doc(const ast::IndicatorNode& node, const std::vector<std::size_t>& widths, Cs& cs, Placement& pl) const;

  // The items of an indicator's body: sub-indicators, deductions, bonuses and caps.
  std::vector<Item> node_body(std::uint32_t owner);

  // `HEAD { leaf }` on one line when the body of `owner` is one leaf with no comment and it fits.
  std::optional<Lines> one_leaf(const Ctx& ctx, const std::string& head, std::uint32_t owner);

  Item indicator(std::uint32_t root);

  Item add_decl(const ast::AddDecl& a);

  Item veto(const ast::VetoDecl& v);

  Item band_decl(const ast::BandDecl& b);

  Item fund(const ast::FundDecl& f);

  // `output a, b, c`: as many columns per line as fit, continuation lines aligned under the first.
  Item output(const ast::OutputDecl& o);

  Item override_decl(const ast::OverrideDecl& o);

  // ---- output ----

  // Joins the lines. Trailing comments align in one column within a run of consecutive code
  // lines of one block (a blank line or a comment line ends the run), 2 columns after the
  // longest code; a line longer than the run's median by more than kOutlier columns keeps its
  // comment 2 columns after its own code instead of pushing the others right.
  static constexpr std::size_t kOutlier = 20;

  static std::string assemble(const Lines& lines);

  const ast::Module& m_;
  std::string_view text_;
  Speller k_;
  std::vector<CommentRec> comments_;
  int next_block_ = 1;
};

}  // namespace jixiao::dsl::format_detail
