// `jixiao lsp`: the documents and what the checker says about them (see workspace.hpp). The
// parser, linker and checker are the ones `jixiao check` runs; this file only reads their results.
#include "lsp/workspace.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>
#include <unordered_map>

#include "args.hpp"
#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/decl_text.hpp"
#include "jixiao/dsl/format.hpp"
#include "jixiao/dsl/functions.hpp"
#include "jixiao/dsl/keywords.hpp"
#include "jixiao/dsl/modules.hpp"
#include "jixiao/dsl/parse.hpp"
#include "jixiao/dsl/version.hpp"
#include "jixiao/engine/plan.hpp"
#include "jixiao/stdlib.hpp"
#include "resolver.hpp"

namespace jixiao::cli::lsp {

namespace fs = std::filesystem;
using dsl::CheckedPolicy;
using dsl::Symbol;
using dsl::SymbolKind;

// ---- positions ----

namespace {

std::size_t utf8_length(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c >> 5) == 6) return 2;
  if ((c >> 4) == 14) return 3;
  if ((c >> 3) == 30) return 4;
  return 1;  // a stray byte counts as one character
}

// Line starts of one text, computed once; converts byte offsets and LSP positions both ways.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) : text_(text) {
    starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') starts_.push_back(static_cast<std::uint32_t>(i + 1));
    }
  }
  [[nodiscard]] Position position(std::uint32_t offset) const {
    offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
    const auto it = std::upper_bound(starts_.begin(), starts_.end(), offset) - 1;
    Position p{static_cast<std::uint32_t>(it - starts_.begin()), 0};
    for (std::size_t i = *it; i < offset;) {
      const std::size_t n = utf8_length(static_cast<unsigned char>(text_[i]));
      p.character += n == 4 ? 2 : 1;
      i += n;
    }
    return p;
  }
  [[nodiscard]] std::uint32_t offset(Position p) const {
    if (p.line >= starts_.size()) return static_cast<std::uint32_t>(text_.size());
    std::size_t i = starts_[p.line];
    std::uint32_t units = 0;
    while (i < text_.size() && units < p.character && text_[i] != '\n' && text_[i] != '\r') {
      const std::size_t n = utf8_length(static_cast<unsigned char>(text_[i]));
      units += n == 4 ? 2 : 1;
      i = std::min(text_.size(), i + n);
    }
    return static_cast<std::uint32_t>(i);
  }
  [[nodiscard]] Range range(std::uint32_t begin, std::uint32_t end) const { return {position(begin), position(end)}; }

 private:
  std::string_view text_;
  std::vector<std::uint32_t> starts_;
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

constexpr std::string_view kStdScheme = "jixiao-std:///";

}  // namespace

std::uint32_t offset_of(std::string_view text, Position p) { return LineIndex(text).offset(p); }
Position position_of(std::string_view text, std::uint32_t offset) { return LineIndex(text).position(offset); }

std::optional<std::string> uri_to_path(const std::string& uri) {
  if (!starts_with(uri, "file://")) return std::nullopt;
  std::string_view rest = std::string_view(uri).substr(7);
  if (!rest.empty() && rest.front() != '/') rest = rest.substr(std::min(rest.find('/'), rest.size()));  // a host
  std::string out;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() + 0 && hex_digit(rest[i + 1]) >= 0 && hex_digit(rest[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_digit(rest[i + 1]) * 16 + hex_digit(rest[i + 2])));
      i += 2;
    } else {
      out.push_back(rest[i]);
    }
  }
  return out;
}

std::string path_to_uri(const std::string& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "file://";
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// ---- documents and their analysis ----

/// One run of the linker and checker over a document and the files it pulls in.
struct Analysis {
  std::unique_ptr<SourceSet> sources = std::make_unique<SourceSet>();
  SourceId top = kNoSource;
  bool variant = false;                   ///< the document extends another policy
  std::optional<CheckedPolicy> policy;    ///< the linked policy, checked (kept even with errors)
  std::vector<Diagnostic> diagnostics;
  std::map<std::uint32_t, std::string> keys;  ///< source id → key (canonical path or `std/NAME`)
  std::unordered_map<std::string, dsl::SymbolId> names;  ///< the policy's symbols by name (the first of a name)

  /// The document's own declarations: the checked module itself for a policy that extends nothing
  /// (declarations it imports have another source), else the document parsed alone, once, when
  /// first asked for (a variant's `override`, `remove` and `add` are gone from the merged module).
  /// Null when the document does not parse.
  [[nodiscard]] const ast::Module* top_module() const {
    if (policy && !variant) return &policy->module;
    if (!parsed_top) {
      CollectingSink ignored;
      parsed_top = dsl::parse(*sources, top, ignored);
    }
    return *parsed_top ? &**parsed_top : nullptr;
  }
  mutable std::optional<std::optional<ast::Module>> parsed_top;

  [[nodiscard]] dsl::SymbolId find(const std::string& name) const {
    const auto it = names.find(name);
    return it == names.end() ? dsl::kNoSymbol : it->second;
  }
};

struct Document {
  std::string uri;
  std::string key;  ///< canonical path, or `std/NAME` for a file of the standard library
  std::string path;  ///< the file name given to the resolver (empty for the standard library)
  std::string text;
  std::int64_t version = 0;
  std::shared_ptr<Analysis> current;  ///< of `text`, or null when the text changed since
  std::shared_ptr<Analysis> usable;   ///< the last analysis with a checked policy
};

namespace {

// The command line's resolver, with the text of the documents open in the editor in place of
// what is saved on disk.
class EditorResolver : public dsl::ModuleResolver {
 public:
  EditorResolver(const std::string& top_path, const std::map<std::string, std::string>& open)
      : files_(top_path.empty() ? std::string("std.jx") : top_path), open_(open) {}
  [[nodiscard]] const std::string& top_key() const { return files_.top_key(); }
  std::variant<dsl::ResolvedModule, dsl::ResolveFailure> resolve(const std::string& name,
                                                                 const std::string& from_key) override {
    auto found = files_.resolve(name, from_key);
    if (auto* m = std::get_if<dsl::ResolvedModule>(&found)) {
      if (auto it = open_.find(m->key); it != open_.end()) m->text = it->second;
      keys[m->display] = m->key;
    }
    return found;
  }
  std::map<std::string, std::string> keys;  ///< display path → key

 private:
  FileResolver files_;
  const std::map<std::string, std::string>& open_;
};

std::string std_name(std::string_view key) {
  std::string name(key.substr(4));
  return name;
}

bool contains(const Span& s, SourceId source, std::uint32_t offset) {
  return s.source == source && s.begin <= offset && offset <= s.end;
}

std::string span_text(const SourceSet& sources, Span s) {
  if (!s.valid()) return {};
  const std::string_view t = sources.get(s.source).text();
  if (s.begin > t.size() || s.end > t.size() || s.begin > s.end) return {};
  return std::string(t.substr(s.begin, s.end - s.begin));
}

std::string number_text(std::int64_t raw) { return decimal::to_string(raw); }

std::string range_text(const dsl::NumRange& r, bool money) {
  const auto end = [&](std::int64_t v) { return money ? decimal::format_yuan(v) + "元" : number_text(v); };
  if (!r.lo_inf && !r.hi_inf && r.lo == r.hi) return end(r.lo);
  return (r.lo_inf ? std::string("(-∞") : "[" + end(r.lo)) + ", " + (r.hi_inf ? std::string("∞)") : end(r.hi) + "]");
}

std::string weight_text(const ast::Weight& w) {
  switch (w.kind) {
    case ast::WeightKind::kPercent: return number_text(w.raw) + "%";
    case ast::WeightKind::kPoints: return number_text(w.raw) + "分";
    default: return {};
  }
}

// A character that can be part of a name (or of a dotted path when `dots`).
bool name_char(std::string_view text, std::size_t i, bool dots) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) return std::isalnum(c) || c == '_' || (dots && c == '.');
  // Full-width punctuation (U+3000–U+303F, U+FF00–U+FF20 …) is not part of a name.
  if (c == 0xE3 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80) return false;
  if (c == 0xEF && i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) == 0xBC ||
                                           static_cast<unsigned char>(text[i + 1]) == 0xBD)) {
    return false;
  }
  if (c == 0xE2) return false;  // arrows, ≤ ≥ ≠ ∞, quotes
  return true;
}

// The word (a name or a keyword) around `offset`: [begin, end).
std::pair<std::uint32_t, std::uint32_t> word_at(std::string_view text, std::uint32_t offset, bool dots) {
  std::size_t b = std::min<std::size_t>(offset, text.size());
  while (b > 0) {
    std::size_t p = b - 1;
    while (p > 0 && (static_cast<unsigned char>(text[p]) & 0xC0) == 0x80) --p;
    if (!name_char(text, p, dots)) break;
    b = p;
  }
  std::size_t e = std::min<std::size_t>(offset, text.size());
  while (e < text.size() && name_char(text, e, dots)) e += utf8_length(static_cast<unsigned char>(text[e]));
  return {static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(std::min(e, text.size()))};
}

Message function_doc(const dsl::BuiltinInfo& f) {
  using dsl::Builtin;
  switch (f.id) {
    case Builtin::kMin: return msg::lsp_fn_min();
    case Builtin::kMax: return msg::lsp_fn_max();
    case Builtin::kClamp: return msg::lsp_fn_clamp();
    case Builtin::kAbs: return msg::lsp_fn_abs();
    case Builtin::kRound: return msg::lsp_fn_round();
    case Builtin::kFloor: return msg::lsp_fn_floor();
    case Builtin::kCeil: return msg::lsp_fn_ceil();
    case Builtin::kSum: return msg::lsp_fn_sum();
    case Builtin::kAvg: return msg::lsp_fn_avg();
    case Builtin::kCount: return msg::lsp_fn_count();
    case Builtin::kRatio: return msg::lsp_fn_ratio();
    case Builtin::kInterpolate: return msg::lsp_fn_interpolate();
    case Builtin::kShortfall: return msg::lsp_fn_shortfall();
    case Builtin::kExcess: return msg::lsp_fn_excess();
    case Builtin::kCountIn: return msg::lsp_fn_count_in();
    case Builtin::kSize: return msg::lsp_fn_size();
    case Builtin::kTrimmedMean: return msg::lsp_fn_trimmed_mean();
    case Builtin::kPrev: return msg::lsp_fn_prev();
    case Builtin::kAvgPrev: return msg::lsp_fn_avg_prev();
    case Builtin::kStreak: return msg::lsp_fn_streak();
    case Builtin::kRank: return msg::lsp_fn_rank();
    case Builtin::kPercentile: return msg::lsp_fn_percentile();
    case Builtin::kPeerAvg: return msg::lsp_fn_peer_avg();
    case Builtin::kPresent: return msg::lsp_fn_present();
    case Builtin::kFill: return msg::lsp_fn_fill();
    case Builtin::kSubMean: case Builtin::kSubMin: case Builtin::kSubMax: case Builtin::kSubSum: case Builtin::kSubCount:
    case Builtin::kSubAt: break;  // no text of their own yet: the usage line says it
  }
  return msg::lsp_function(f.name);
}

std::string code_block(const std::string& code) { return "```jixiao\n" + code + "\n```\n"; }

std::string function_markdown(const dsl::BuiltinInfo& f, Lang lang) {
  return code_block(std::string(f.usage)) + "\n" + msg::lsp_function(f.name).str(lang) + "：" + function_doc(f).str(lang);
}

const dsl::KeywordInfo* keyword_named(std::string_view word) {
  for (const dsl::KeywordInfo& k : dsl::keyword_table()) {
    const std::string_view first = k.english.substr(0, k.english.find(' '));
    if (k.english == word || first == word || k.chinese == word) return &k;
  }
  return nullptr;
}

// What a keyword means, in the chosen language (keywords.def, keywords_zh.def).
std::string_view keyword_description(const dsl::KeywordInfo& k, Lang lang) {
  return lang == Lang::kZh && !k.description_zh.empty() ? k.description_zh : k.description;
}

// A keyword's hover: both spellings, where it is used and what it means (with its example).
std::string keyword_markdown(const dsl::KeywordInfo& k, Lang lang) {
  const std::string_view where = lang == Lang::kZh && !k.where_zh.empty() ? k.where_zh : k.where;
  return msg::lsp_keyword(k.english, k.chinese).str(lang) + "\n\n" + msg::lsp_keyword_where(std::string(where)).str(lang) +
         "\n\n" + std::string(keyword_description(k, lang));
}

// ---- symbol lookups on an analysis ----

struct Found {
  dsl::SymbolId symbol = dsl::kNoSymbol;
  Span span;  ///< what the cursor is on
};


// Calls f(span of a part, symbol the path up to that part names) for every part of every dotted
// name written in the policy (expressions, veto targets) and in `top`, the document's own module
// (a variant's override/remove/add targets: the linker applies them, the merged module has none).
template <typename F>
void for_each_name_part(const Analysis& a, F&& f) {
  const CheckedPolicy& p = *a.policy;
  const ast::Module* top = a.variant ? a.top_module() : nullptr;
  const ast::Module& m = p.module;
  const auto path_parts = [&](const std::vector<ast::Ident>& parts, dsl::SymbolId whole) {
    std::string prefix;
    for (std::size_t k = 0; k < parts.size(); ++k) {
      prefix += (k ? "." : "") + parts[k].name;
      const dsl::SymbolId s = k + 1 == parts.size() && whole != dsl::kNoSymbol ? whole : a.find(prefix);
      f(parts[k].span, s);
    }
  };
  for (std::uint32_t i = 0; i < m.exprs.size(); ++i) {
    if (const auto* n = std::get_if<ast::NameRef>(&m.exprs[i])) {
      path_parts(n->parts, i < p.expr_ref.size() ? p.expr_ref[i] : dsl::kNoSymbol);
    }
  }
  if (top) {
    for (const auto& o : top->overrides) path_parts(o.target.parts, dsl::kNoSymbol);
    for (const auto& r : top->removes) path_parts(r.target.parts, dsl::kNoSymbol);
    for (const auto& add : top->adds) path_parts(add.target.parts, dsl::kNoSymbol);
  }
  for (const auto& v : m.vetoes) {
    for (const auto& e : v.effects) {
      if (e.target) f(e.target->span, a.find(e.target->name));
    }
  }
}

// The symbol declared or named at `offset` of `source`.
Found symbol_at(const Analysis& a, std::uint32_t offset) {
  const CheckedPolicy& p = *a.policy;
  const SourceId source = a.top;
  Found found;
  for_each_name_part(a, [&](Span span, dsl::SymbolId s) {
    if (found.symbol == dsl::kNoSymbol && s != dsl::kNoSymbol && contains(span, source, offset)) found = {s, span};
  });
  if (found.symbol != dsl::kNoSymbol) return found;
  for (std::uint32_t i = 0; i < p.symbols.size(); ++i) {
    if (contains(p.symbols[i].span, source, offset)) return {dsl::SymbolId{i}, p.symbols[i].span};
  }
  return found;
}

// The root of an indicator node.
std::uint32_t root_of(const ast::Module& m, std::uint32_t node) {
  std::size_t guard = 0;
  while (m.nodes[node].parent != ast::IndicatorNode::kNoNode && guard++ < m.nodes.size()) node = m.nodes[node].parent;
  return node;
}

std::string first_line(const SourceSet& sources, Span s) {
  if (!s.valid()) return {};
  const SourceFile& f = sources.get(s.source);
  std::string line(f.line_text(f.line_column(s.begin).line));
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.erase(0, 1);
  return line;
}

std::string symbol_markdown(const CheckedPolicy& p, const SourceSet& sources, dsl::SymbolId id, Lang lang) {
  const Symbol& s = p.symbol(id);
  const ast::Module& m = p.module;
  std::vector<std::string> lines;
  lines.push_back(msg::lsp_declared(dsl::kind_message(s), s.name).str(lang));
  const bool money = s.type.kind == dsl::TypeKind::kMoney;
  switch (s.kind) {
    case SymbolKind::kIndicator: {
      if (s.index >= m.nodes.size() || s.index >= p.nodes.size()) break;
      const ast::IndicatorNode& n = m.nodes[s.index];
      const dsl::NodeInfo& info = p.nodes[s.index];
      const std::uint32_t root = root_of(m, s.index);
      const std::string w = weight_text(n.weight);
      if (!w.empty()) lines.push_back(msg::lsp_weight(w).str(lang));
      if (root != s.index && root < p.nodes.size() && p.nodes[root].full > 0) {
        // The share of the root's full marks, in percent (raw), shown with at most 2 decimals.
        const auto share = static_cast<std::int64_t>(
            decimal::div_round(Int128{info.full} * decimal::kOne * 100, p.nodes[root].full));
        lines.push_back(msg::lsp_share(number_text(decimal::round_to(share, 2)) + "%",
                                       m.nodes[root].name.name, number_text(info.full))
                            .str(lang));
      } else {
        lines.push_back(msg::lsp_full_marks(number_text(info.full)).str(lang));
      }
      if (ast::present(n.formula) && static_cast<std::uint32_t>(n.formula) < p.expr_range.size()) {
        lines.push_back(msg::lsp_formula_range(range_text(p.range(n.formula), false)).str(lang));
        lines.push_back(info.points ? msg::lsp_clamp_points(number_text(info.full)).str(lang) : msg::lsp_clamp_percent().str(lang));
      }
      break;
    }
    case SymbolKind::kInput: {
      if (s.index >= m.inputs.size()) break;
      const ast::InputDecl& in = m.inputs[s.index];
      lines.push_back(msg::lsp_type(dsl::type_name(s.type, p.domains)).str(lang));
      if (in.range) {
        lines.push_back(msg::lsp_range("[" + number_text(in.range->lo) + ", " + number_text(in.range->hi) + "]").str(lang));
      }
      if (!in.options.empty()) {
        std::vector<std::string> labels;
        for (const auto& o : in.options) labels.push_back(o.text);
        lines.push_back(msg::lsp_options(backticked_list(labels)).str(lang));
      }
      if (in.optional) lines.push_back(msg::lsp_optional().str(lang));
      break;
    }
    case SymbolKind::kParam: {
      if (s.index >= p.params.size()) break;
      const dsl::ParamValue& v = p.params[s.index];
      std::string value;
      switch (v.type.kind) {
        case dsl::TypeKind::kMoney: value = decimal::format_yuan(v.number) + "元"; break;
        case dsl::TypeKind::kNumber: value = number_text(v.number); break;
        case dsl::TypeKind::kText: value = "\"" + v.text + "\""; break;
        case dsl::TypeKind::kBool: value = v.boolean ? "true" : "false"; break;
        case dsl::TypeKind::kTable: value = msg::lsp_table_entries(v.table.size()).str(lang); break;
        default: value = span_text(sources, m.span(m.params[s.index].value)); break;
      }
      lines.push_back((v.overridden ? msg::lsp_value_overridden(value) : msg::lsp_value(value)).str(lang));
      break;
    }
    case SymbolKind::kSet: {
      if (s.index >= m.sets.size()) break;
      if (const auto* set = std::get_if<ast::SetLit>(&m.expr(m.sets[s.index].value))) {
        lines.push_back(msg::lsp_set_items(set->items.size()).str(lang));
      }
      break;
    }
    case SymbolKind::kLet:
      lines.push_back(msg::lsp_type(dsl::type_name(s.type, p.domains)).str(lang));
      if (s.type.kind == dsl::TypeKind::kNumber || money) lines.push_back(msg::lsp_range(range_text(s.range, money)).str(lang));
      break;
    case SymbolKind::kGrade:
    case SymbolKind::kAlert: {
      if (s.index >= m.bands.size()) break;
      const ast::BandDecl& b = m.bands[s.index];
      if (ast::present(b.of)) lines.push_back(msg::lsp_band_of(span_text(sources, m.span(b.of))).str(lang));
      for (const ast::Band& band : b.bands) {
        lines.push_back("- " + (band.has_interval ? msg::lsp_band_interval(band.label.text, dsl::interval_text(band.interval, dsl::kInfinity))
                                                   : msg::lsp_band_by_veto(band.label.text))
                                   .str(lang));
      }
      break;
    }
    case SymbolKind::kVeto:
      if (s.index < m.vetoes.size() && m.vetoes[s.index].reason) {
        lines.push_back(msg::lsp_reason(*m.vetoes[s.index].reason).str(lang));
      }
      break;
    case SymbolKind::kFund:
      if (s.index < p.fund_pool.size() && p.fund_pool[s.index]) {
        lines.push_back(msg::lsp_pool(decimal::format_yuan_grouped(*p.fund_pool[s.index])).str(lang));
      }
      break;
    case SymbolKind::kKey:
      lines.push_back((s.index == 0 ? msg::lsp_key_column() : msg::lsp_period_column()).str(lang));
      break;
  }
  // The declaration's line, what it is, then one list item per fact (a list stays one line per item
  // in every client; bands are list items already).
  std::string out = code_block(first_line(sources, s.span)) + "\n" + lines.front() + "\n\n";
  for (std::size_t i = 1; i < lines.size(); ++i) out += (lines[i].rfind("- ", 0) == 0 ? "" : "- ") + lines[i] + "\n";
  return out;
}

// The label of a band or of a coef entry at `offset`, with its interval.
std::optional<std::pair<Span, std::string>> band_at(const CheckedPolicy& p, SourceId source, std::uint32_t offset,
                                                    Lang lang) {
  for (const ast::BandDecl& b : p.module.bands) {
    for (const ast::Band& band : b.bands) {
      if (contains(band.label.span, source, offset) || (band.has_interval && contains(band.interval.span, source, offset))) {
        const Message text = band.has_interval ? msg::lsp_band_interval(band.label.text, dsl::interval_text(band.interval, dsl::kInfinity))
                                               : msg::lsp_band_by_veto(band.label.text);
        return std::make_pair(band.label.span, msg::lsp_declared(b.kind == ast::BandKind::kGrade ? msg::kind_grade() : msg::kind_alert(),
                                                                 b.name.name).str(lang) + "\n\n" + text.str(lang));
      }
    }
  }
  return std::nullopt;
}

std::string key_of_path(const std::string& path, const std::string& std_dir) {
  if (!std_dir.empty() && starts_with(path, std_dir + "/") && path.size() > std_dir.size() + 4 &&
      path.compare(path.size() - 3, 3, ".jx") == 0) {
    return "std/" + path.substr(std_dir.size() + 1, path.size() - std_dir.size() - 4);
  }
  return {};
}

// Where the standard library's policies are written for editors: $XDG_CACHE_HOME/jixiao/std-VERSION
// (else ~/.cache/...); empty without either variable.
std::string std_cache_dir() {
  std::string base;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
    base = x;
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    base = std::string(h) + "/.cache";
  } else {
    return {};
  }
  std::error_code ec;
  return fs::weakly_canonical(fs::absolute(fs::path(base) / "jixiao" / ("std-" + std::string(kVersion)), ec), ec).string();
}

// Writes the standard library's policies into `dir`, read-only, each through a temporary file and
// a rename; a file already there with the same text is left alone. False when any could not be.
bool write_std_files(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return false;
  for (const StdlibFile& f : stdlib_files()) {
    const fs::path target = fs::path(dir) / (std::string(f.name) + ".jx");
    {
      std::ifstream in(target, std::ios::binary);
      std::stringstream have;
      have << in.rdbuf();
      if (in && have.str() == f.text) continue;
    }
    const fs::path tmp = fs::path(dir) / (std::string(f.name) + ".jx.tmp-" + std::to_string(::getpid()));
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << f.text;
      if (!out.good()) {
        out.close();
        fs::remove(tmp, ec);
        return false;
      }
    }
    ::chmod(tmp.c_str(), 0444);
    fs::rename(tmp, target, ec);
    if (ec) {
      fs::remove(tmp, ec);
      return false;
    }
  }
  return true;
}

}  // namespace

// ---- the workspace ----

Workspace::Workspace(Lang lang) : lang_(lang), std_dir_(std_cache_dir()) {}
Workspace::~Workspace() = default;

Document* Workspace::find(const std::string& uri) {
  const auto it = docs_.find(uri);
  return it == docs_.end() ? nullptr : it->second.get();
}

Document* Workspace::checked(const std::string& uri) {
  Document* doc = find(uri);
  if (doc && !doc->current) analyze(*doc);
  return doc;
}

bool Workspace::is_open(const std::string& uri) const { return docs_.count(uri) != 0; }

void Workspace::open(const std::string& uri, std::string text, std::int64_t version) {
  auto doc = std::make_unique<Document>();
  doc->uri = uri;
  if (starts_with(uri, kStdScheme)) {
    doc->key = uri.substr(kStdScheme.size());
    if (doc->key.size() > 3 && doc->key.compare(doc->key.size() - 3, 3, ".jx") == 0) doc->key.resize(doc->key.size() - 3);
  } else if (auto path = uri_to_path(uri)) {
    std::error_code ec;
    const std::string canonical = fs::weakly_canonical(fs::absolute(*path, ec), ec).string();
    doc->key = key_of_path(canonical, std_dir_);
    if (doc->key.empty()) doc->path = *path;
  } else {
    doc->path = uri;  // an untitled document: resolved as if it were a file in the working directory
  }
  doc->text = std::move(text);
  doc->version = version;
  docs_[uri] = std::move(doc);
}

void Workspace::change(const std::string& uri, std::string text, std::int64_t version) {
  Document* doc = find(uri);
  if (!doc) return open(uri, std::move(text), version);
  doc->text = std::move(text);
  doc->version = version;
  doc->current.reset();
  // Documents that read this one through `extends` or `import` are checked again too.
  for (auto& [u, other] : docs_) {
    if (other.get() != doc) other->current.reset();
  }
}

void Workspace::close(const std::string& uri) { docs_.erase(uri); }

void Workspace::analyze(Document& doc) {
  auto a = std::make_shared<Analysis>();
  std::map<std::string, std::string> open;  // key → text of every other open document
  for (const auto& [u, d] : docs_) {
    if (d.get() == &doc) continue;
    if (!d->key.empty()) {
      open[d->key] = d->text;
    } else {
      std::error_code ec;
      open[fs::weakly_canonical(fs::absolute(d->path, ec), ec).string()] = d->text;
    }
  }
  EditorResolver resolver(doc.path, open);
  const std::string key = doc.key.empty() ? resolver.top_key() : doc.key;
  const std::string display = doc.key.empty() ? (uri_to_path(doc.uri) ? fs::path(doc.path).filename().string() : doc.path)
                                              : doc.key + ".jx";
  a->top = a->sources->add(display, doc.text);
  CollectingSink sink;
  if (auto linked = dsl::link(*a->sources, a->top, key, resolver, sink)) {  // parses the document first
    a->variant = linked->base.has_value();
    dsl::CheckOptions options;
    options.keep_on_error = true;
    const std::size_t errors = sink.error_count();
    a->policy = dsl::check(*a->sources, std::move(linked->module), options, sink);
    if (a->policy && sink.error_count() == errors) (void)engine::build_plan(*a->policy, sink);  // dependency cycles
  }
  sink.sort();
  a->diagnostics = sink.items();
  for (std::uint32_t i = 0; i < a->sources->size(); ++i) {
    const std::string& path = a->sources->get(SourceId{i}).path();
    if (i == static_cast<std::uint32_t>(a->top)) {
      a->keys[i] = key;
    } else if (auto it = resolver.keys.find(path); it != resolver.keys.end()) {
      a->keys[i] = it->second;
    }
  }
  if (a->policy) {
    for (std::uint32_t i = 0; i < a->policy->symbols.size(); ++i) a->names.emplace(a->policy->symbols[i].name, dsl::SymbolId{i});
  }
  doc.current = a;
  if (a->policy) doc.usable = a;
}

std::string Workspace::uri_of(const std::string& key) {
  if (starts_with(key, "std/")) {
    // The files are written the first time one is needed, not for sessions that never do.
    if (!std_tried_) {
      std_tried_ = true;
      if (!std_dir_.empty() && !write_std_files(std_dir_)) std_dir_.clear();
    }
    if (std_dir_.empty()) return std::string(kStdScheme) + key + ".jx";
    return path_to_uri(std_dir_ + "/" + std_name(key) + ".jx");
  }
  for (const auto& [uri, d] : docs_) {
    if (d->key == key) return uri;
    if (d->key.empty()) {
      std::error_code ec;
      if (fs::weakly_canonical(fs::absolute(d->path, ec), ec).string() == key) return uri;
    }
  }
  return path_to_uri(key);
}

std::vector<Diag> Workspace::diagnostics(const std::string& uri) {
  Document* doc = checked(uri);
  if (!doc) return {};
  const Analysis& a = *doc->current;
  const LineIndex lines(doc->text);
  // Diagnostics in another file are shown where this one names it: its `extends` or first `import`.
  Range anchor;
  const bool elsewhere = std::any_of(a.diagnostics.begin(), a.diagnostics.end(),
                                     [&](const Diagnostic& d) { return !d.span.valid() || d.span.source != a.top; });
  if (const ast::Module* t = elsewhere ? a.top_module() : nullptr) {
    if (t->policy && t->policy->extends) {
      anchor = lines.range(t->policy->extends_span.begin, t->policy->extends_span.end);
    } else if (!t->imports.empty()) {
      anchor = lines.range(t->imports[0].from_span.begin, t->imports[0].from_span.end);
    }
  }
  const auto location = [&](Span s) {
    const std::string key = a.keys.count(static_cast<std::uint32_t>(s.source)) ? a.keys.at(static_cast<std::uint32_t>(s.source)) : "";
    const LineIndex other(a.sources->get(s.source).text());
    return Location{uri_of(key), other.range(s.begin, s.end)};
  };
  std::vector<Diag> out;
  for (const Diagnostic& d : a.diagnostics) {
    if (out.size() >= 500) break;
    Diag g;
    g.severity = d.severity == Severity::kError ? 1 : d.severity == Severity::kWarning ? 2 : 3;
    g.code = std::string(slug(d.code));
    g.text = d.message.str(lang_);
    if (d.span.valid() && d.span.source == a.top) {
      g.range = lines.range(d.span.begin, d.span.end);
    } else {
      g.range = anchor;
      if (d.span.valid()) {
        const SourceFile& f = a.sources->get(d.span.source);
        const LineColumn lc = f.line_column(d.span.begin);
        g.text = msg::lsp_in_file(f.path() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column), d.message).str(lang_);
        g.related.push_back({location(d.span), d.message.str(lang_)});
      } else if (!d.file.empty()) {
        g.text = msg::lsp_in_file(d.file, d.message).str(lang_);
      }
    }
    if (d.hint) g.text += "\n" + msg::label_hint().str(lang_) + d.hint->str(lang_);
    for (const Note& n : d.notes) {
      if (n.span.valid()) {
        g.related.push_back({location(n.span), n.message.str(lang_)});
      } else {
        g.text += "\n" + msg::label_note().str(lang_) + n.message.str(lang_);
      }
    }
    out.push_back(std::move(g));
  }
  return out;
}

std::optional<Hover> Workspace::hover(const std::string& uri, Position pos) {
  Document* doc = checked(uri);
  if (!doc) return std::nullopt;
  const LineIndex lines(doc->text);
  const std::uint32_t offset = lines.offset(pos);
  const Analysis& a = *doc->current;
  if (a.policy) {
    if (const Found f = symbol_at(a, offset); f.symbol != dsl::kNoSymbol) {
      return Hover{symbol_markdown(*a.policy, *a.sources, f.symbol, lang_), lines.range(f.span.begin, f.span.end)};
    }
    if (auto band = band_at(*a.policy, a.top, offset, lang_)) {
      return Hover{band->second, lines.range(band->first.begin, band->first.end)};
    }
  }
  const auto [b, e] = word_at(doc->text, offset, false);
  if (b == e) return std::nullopt;
  const std::string word = doc->text.substr(b, e - b);
  const Range range = lines.range(b, e);
  std::size_t after = e;
  while (after < doc->text.size() && doc->text[after] == ' ') ++after;
  const bool call = after < doc->text.size() && doc->text[after] == '(';
  if (const dsl::BuiltinInfo* f = dsl::find_builtin(word); f && (call || !keyword_named(word))) {
    return Hover{function_markdown(*f, lang_), range};
  }
  if (const dsl::KeywordInfo* k = keyword_named(word)) return Hover{keyword_markdown(*k, lang_), range};
  // A half-typed document: the name as the last policy that could be checked knows it.
  if (doc->usable && doc->usable != doc->current) {
    const auto [pb, pe] = word_at(doc->text, offset, true);
    const CheckedPolicy& p = *doc->usable->policy;
    dsl::SymbolId s = doc->usable->find(doc->text.substr(pb, pe - pb));
    if (s == dsl::kNoSymbol) s = doc->usable->find(word);
    if (s != dsl::kNoSymbol) return Hover{symbol_markdown(p, *doc->usable->sources, s, lang_), range};
  }
  return std::nullopt;
}

std::vector<Location> Workspace::definition(const std::string& uri, Position pos) {
  Document* doc = checked(uri);
  if (!doc) return {};
  const Analysis& a = *doc->current;
  const std::uint32_t offset = LineIndex(doc->text).offset(pos);
  if (const ast::Module* t = a.top_module()) {
    // `extends "..."` and `import ... from "..."`: the file itself.
    const auto file_of = [&](const std::string& name) -> std::vector<Location> {
      for (const auto& [id, key] : a.keys) {
        if (id == static_cast<std::uint32_t>(a.top)) continue;
        const std::string& display = a.sources->get(SourceId{id}).path();
        std::string wanted = name;
        if (fs::path(wanted).extension() != ".jx") wanted += ".jx";
        if (display == wanted || fs::path(display).filename() == fs::path(wanted).filename()) {
          return {Location{uri_of(key), {}}};
        }
      }
      return {};
    };
    const auto& m = *t;
    if (m.policy && m.policy->extends && contains(m.policy->extends_span, a.top, offset)) return file_of(*m.policy->extends);
    for (const auto& i : m.imports) {
      if (contains(i.from_span, a.top, offset)) return file_of(i.from);
    }
  }
  if (!a.policy) return {};
  const Found f = symbol_at(a, offset);
  if (f.symbol == dsl::kNoSymbol) return {};
  const Span s = a.policy->symbol(f.symbol).span;
  if (!s.valid()) return {};
  const auto key = a.keys.find(static_cast<std::uint32_t>(s.source));
  const LineIndex target(a.sources->get(s.source).text());
  return {Location{uri_of(key == a.keys.end() ? std::string() : key->second), target.range(s.begin, s.end)}};
}

std::vector<Location> Workspace::references(const std::string& uri, Position pos, bool include_declaration) {
  Document* doc = checked(uri);
  if (!doc) return {};
  const Analysis& a = *doc->current;
  if (!a.policy) return {};
  const Found f = symbol_at(a, LineIndex(doc->text).offset(pos));
  if (f.symbol == dsl::kNoSymbol) return {};
  std::vector<Span> spans;
  if (include_declaration) spans.push_back(a.policy->symbol(f.symbol).span);
  for_each_name_part(a, [&](Span span, dsl::SymbolId s) {
    if (s == f.symbol && span.valid()) spans.push_back(span);
  });
  std::map<std::uint32_t, LineIndex> indexes;
  std::vector<Location> out;
  std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>> seen;
  for (const Span& s : spans) {
    const auto source = static_cast<std::uint32_t>(s.source);
    if (!seen.insert({source, s.begin, s.end}).second) continue;
    auto it = indexes.find(source);
    if (it == indexes.end()) it = indexes.emplace(source, LineIndex(a.sources->get(s.source).text())).first;
    const auto key = a.keys.find(source);
    out.push_back({uri_of(key == a.keys.end() ? std::string() : key->second), it->second.range(s.begin, s.end)});
  }
  return out;
}

namespace {

ItemKind item_kind(SymbolKind k) {
  switch (k) {
    case SymbolKind::kInput: return ItemKind::kField;
    case SymbolKind::kParam: return ItemKind::kConstant;
    case SymbolKind::kSet: return ItemKind::kEnum;
    case SymbolKind::kLet: return ItemKind::kVariable;
    case SymbolKind::kIndicator: return ItemKind::kClass;
    case SymbolKind::kVeto: return ItemKind::kEvent;
    case SymbolKind::kGrade:
    case SymbolKind::kAlert: return ItemKind::kEnum;
    case SymbolKind::kFund: return ItemKind::kStruct;
    case SymbolKind::kKey: return ItemKind::kField;
  }
  return ItemKind::kVariable;
}

// A function's usage as a snippet: each argument a tab stop.
std::string function_snippet(const dsl::BuiltinInfo& f) {
  const std::string_view u = f.usage;
  const std::size_t open = u.find('(');
  const std::size_t close = u.rfind(')');
  std::string out = std::string(u.substr(0, open)) + "(";
  int stop = 1;
  std::size_t i = open + 1;
  while (i < close) {
    std::size_t j = u.find(", ", i);
    if (j == std::string_view::npos || j > close) j = close;
    std::string arg(u.substr(i, j - i));
    if (arg == "...") break;
    if (stop > 1) out += ", ";
    std::string escaped;
    for (const char c : arg) {
      if (c == '$' || c == '}' || c == '\\') escaped.push_back('\\');
      escaped.push_back(c);
    }
    const std::size_t colon = escaped.find(": ");
    if (colon != std::string::npos) {
      out += escaped.substr(0, colon + 2) + "${" + std::to_string(stop++) + ":" + escaped.substr(colon + 2) + "}";
    } else {
      out += "${" + std::to_string(stop++) + ":" + escaped + "}";
    }
    i = j + 2;
  }
  return out + ")$0";
}

// The innermost bracket `open` not closed before `offset` (looking back at most 4 KiB), or npos.
std::size_t unclosed(std::string_view text, std::size_t offset, char open, char close) {
  int depth = 0;
  const std::size_t stop = offset > 4096 ? offset - 4096 : 0;
  bool in_string = false;
  for (std::size_t i = offset; i > stop; --i) {
    const char c = text[i - 1];
    if (c == '\n') in_string = false;
    if (c == '"') in_string = !in_string;
    if (in_string) continue;
    if (c == close) ++depth;
    if (c == open) {
      if (depth == 0) return i - 1;
      --depth;
    }
  }
  return std::string_view::npos;
}

std::string_view trim_back(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<CompletionItem> Workspace::completion(const std::string& uri, Position pos) {
  Document* doc = checked(uri);
  if (!doc) return {};
  const std::string_view text = doc->text;
  const std::uint32_t offset = LineIndex(text).offset(pos);
  const std::shared_ptr<Analysis> a = doc->current->policy ? doc->current : doc->usable;
  const CheckedPolicy* p = a ? &*a->policy : nullptr;
  std::vector<CompletionItem> out;
  const std::size_t newline = offset == 0 ? std::string_view::npos : text.rfind('\n', offset - 1);
  const std::size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
  const std::string_view line = text.substr(line_start, offset - line_start);
  const auto [wb, we] = word_at(text, offset, false);

  // Inside `coef(X) { ... }`: the labels of X.
  if (const std::size_t brace = unclosed(text, wb, '{', '}'); brace != std::string_view::npos && p) {
    const std::string_view head = trim_back(text.substr(0, brace));
    if (!head.empty() && head.back() == ')') {
      const std::size_t paren = unclosed(text, head.size() - 1, '(', ')');
      if (paren != std::string_view::npos) {
        const std::string_view fn = trim_back(text.substr(0, paren));
        if (fn.ends_with("coef") || fn.ends_with("系数")) {
          const std::string subject(trim_back(text.substr(paren + 1, head.size() - 1 - paren - 1)));
          const dsl::SymbolId s = a->find(subject.substr(subject.find_first_not_of(' ') == std::string::npos ? 0 : subject.find_first_not_of(' ')));
          if (s != dsl::kNoSymbol && p->symbol(s).type.kind == dsl::TypeKind::kLabel && p->symbol(s).type.domain < p->domains.size()) {
            for (const std::string& l : p->domains[p->symbol(s).type.domain].labels) {
              out.push_back({l, ItemKind::kEnumMember, p->symbol(s).name, {}, {}, false});
            }
            out.push_back({"else", ItemKind::kKeyword, {}, {}, {}, false});
            return out;
          }
        }
      }
    }
  }
  // After `name :` inside `input { }`: the input types.
  if (line.find(':') != std::string_view::npos && line.find('=') == std::string_view::npos) {
    if (const std::size_t brace = unclosed(text, wb, '{', '}'); brace != std::string_view::npos) {
      const std::string_view head = trim_back(text.substr(0, brace));
      if (head.ends_with("input") || head.ends_with("输入")) {
        const std::pair<const char*, const char*> types[] = {
            {"score", "score ${1:0}..${2:100}"}, {"percent", "percent"},  {"number", "number"},
            {"count", "count"},                  {"money", "money"},      {"text", "text"},
            {"bool", "bool"},                    {"one_of", "one_of { ${1:城市}, ${2:农村} }"},
            {"list<text>", "list<text>"},        {"list<score>", "list<score>"}, {"list<number>", "list<number>"},
            {"size", "size ${1:5}..${2:15}"},    {"optional", "optional"},
        };
        for (const auto& [label, snippet] : types) out.push_back({label, ItemKind::kTypeParameter, {}, {}, snippet, true});
        for (const dsl::KeywordInfo& k : dsl::keyword_table()) {
          if (k.where == "input type") out.push_back({std::string(k.chinese), ItemKind::kTypeParameter, std::string(k.english), {}, {}, false});
        }
        return out;
      }
    }
  }
  // A veto's effects, after `{` of a `veto`.
  if (const std::size_t brace = unclosed(text, wb, '{', '}'); brace != std::string_view::npos) {
    const std::size_t start = text.rfind('\n', brace);
    const std::string_view head = text.substr(start == std::string_view::npos ? 0 : start + 1, brace);
    if (head.find("veto") != std::string_view::npos || head.find("否决") != std::string_view::npos) {
      std::string grade = "等级";
      std::string alert = "预警";
      if (p) {
        for (const auto& b : p->module.bands) (b.kind == ast::BandKind::kGrade ? grade : alert) = b.name.name;
      }
      out.push_back({"grade at most", ItemKind::kSnippet, {}, {}, "grade at most ${1:C}", true});
      out.push_back({"grade", ItemKind::kSnippet, {}, {}, "grade ${1:D}", true});
      out.push_back({"grade down", ItemKind::kSnippet, {}, {}, "grade down ${1:1}", true});
      out.push_back({"alert", ItemKind::kSnippet, {}, {}, "alert ${1:红}", true});
      out.push_back({"fund 0", ItemKind::kSnippet, {}, {}, "fund 0", true});
      out.push_back({"reason", ItemKind::kSnippet, {}, {}, "reason \"${1}\"", true});
      if (p) {
        for (const auto& d : p->domains) {
          for (const std::string& l : d.labels) out.push_back({l, ItemKind::kEnumMember, d.name, {}, {}, false});
        }
      }
    }
  }
  if (p) {
    std::set<std::string> seen;
    for (const Symbol& s : p->symbols) {
      if (!seen.insert(s.name).second) continue;
      out.push_back({s.name, item_kind(s.kind), dsl::kind_message(s).str(lang_), {}, {}, false});
    }
  }
  for (const dsl::BuiltinInfo& f : dsl::kBuiltins) {
    out.push_back({std::string(f.name), ItemKind::kFunction, std::string(f.usage), function_doc(f).str(lang_),
                   function_snippet(f), true});
  }
  for (const dsl::KeywordInfo& k : dsl::keyword_table()) {
    const std::string meaning(keyword_description(k, lang_));
    out.push_back({std::string(k.english), ItemKind::kKeyword, std::string(k.chinese), meaning, {}, false});
    out.push_back({std::string(k.chinese), ItemKind::kKeyword, std::string(k.english), meaning, {}, false});
  }
  return out;
}

std::optional<SignatureInfo> Workspace::signature_help(const std::string& uri, Position pos) {
  Document* doc = find(uri);
  if (!doc) return std::nullopt;
  const std::string_view text = doc->text;
  std::size_t at = LineIndex(text).offset(pos);
  for (int tries = 0; tries < 16; ++tries) {
    const std::size_t paren = unclosed(text, at, '(', ')');
    if (paren == std::string_view::npos) return std::nullopt;
    const std::string_view head = trim_back(text.substr(0, paren));
    const auto [b, e] = word_at(text, static_cast<std::uint32_t>(head.size()), false);
    const dsl::BuiltinInfo* f = dsl::find_builtin(text.substr(b, e - b));
    if (!f) {
      at = paren;
      continue;
    }
    SignatureInfo s;
    s.label = std::string(f->usage);
    s.documentation = function_doc(*f).str(lang_);
    const std::string_view u = f->usage;
    std::size_t i = u.find('(') + 1;
    const std::size_t close = u.rfind(')');
    while (i < close) {
      std::size_t j = u.find(", ", i);
      if (j == std::string_view::npos || j > close) j = close;
      s.parameters.emplace_back(u.substr(i, j - i));
      i = j + 2;
    }
    // The active argument: commas at this call's level between `(` and the cursor.
    int depth = 0;
    std::uint32_t commas = 0;
    bool in_string = false;
    for (std::size_t k = paren + 1; k < LineIndex(text).offset(pos); ++k) {
      const char c = text[k];
      if (c == '"') in_string = !in_string;
      if (in_string) continue;
      if (c == '(' || c == '{' || c == '[') ++depth;
      if (c == ')' || c == '}' || c == ']') --depth;
      if (c == ',' && depth == 0) ++commas;
    }
    const bool variadic = !s.parameters.empty() && s.parameters.back() == "...";
    const auto last = static_cast<std::uint32_t>(s.parameters.empty() ? 0 : s.parameters.size() - 1);
    s.active_parameter = std::min(commas, variadic && last > 0 ? last - 1 : last);
    return s;
  }
  return std::nullopt;
}

std::vector<DocumentSymbol> Workspace::document_symbols(const std::string& uri) {
  Document* doc = checked(uri);
  if (!doc) return {};
  const Analysis& a = *doc->current;
  const ast::Module* top = a.top_module();
  if (!top) return {};
  const ast::Module& m = *top;
  const LineIndex lines(doc->text);
  const auto sym = [&](const std::string& name, std::string detail, int kind, Span whole, Span name_span) {
    DocumentSymbol s;
    s.name = name;
    s.detail = std::move(detail);
    s.kind = kind;
    if (!whole.valid() || whole.begin > name_span.begin || whole.end < name_span.end) whole = name_span;
    s.range = lines.range(whole.begin, whole.end);
    s.selection = lines.range(name_span.begin, name_span.end);
    return s;
  };
  // Full marks come from the checked policy when there is one for this text.
  const CheckedPolicy* checked = a.policy ? &*a.policy : nullptr;
  const auto node_detail = [&](std::uint32_t i, const std::string& path) {
    std::string d = weight_text(m.nodes[i].weight);
    if (checked) {
      const dsl::SymbolId s = a.find(path);
      if (s != dsl::kNoSymbol && checked->symbol(s).kind == SymbolKind::kIndicator &&
          checked->symbol(s).index < checked->nodes.size()) {
        d += (d.empty() ? "" : " · ") + number_text(checked->nodes[checked->symbol(s).index].full) + "分";
      }
    }
    return d;
  };
  std::vector<DocumentSymbol> out;
  // Iteratively build the indicator trees (nodes can nest 256 deep: recursion would be fine, but a
  // stack keeps it uniform with the rest of the code base).
  struct Item {
    std::uint32_t node;
    std::string path;
    DocumentSymbol* parent;
  };
  // Declarations imported from another file have another source: they are not this file's outline.
  const auto mine = [&](Span name) { return name.source == a.top; };
  for (const std::uint32_t root : m.roots) {
    if (!mine(m.nodes[root].name.span)) continue;
    out.push_back(sym(m.nodes[root].name.name, "", 5, m.nodes[root].span, m.nodes[root].name.span));
    out.back().detail = node_detail(root, m.nodes[root].name.name);
    std::vector<Item> stack;
    for (auto it = m.nodes[root].children.rbegin(); it != m.nodes[root].children.rend(); ++it) {
      stack.push_back({*it, m.nodes[root].name.name + "." + m.nodes[*it].name.name, &out.back()});
    }
    // Children are pushed in reverse so they are appended in order; reserve so pointers stay valid.
    std::vector<DocumentSymbol*> parents;
    while (!stack.empty()) {
      Item item = stack.back();
      stack.pop_back();
      const ast::IndicatorNode& n = m.nodes[item.node];
      item.parent->children.reserve(m.nodes[n.parent].children.size());
      item.parent->children.push_back(sym(n.name.name, node_detail(item.node, item.path), n.children.empty() ? 7 : 5, n.span, n.name.span));
      DocumentSymbol* self = &item.parent->children.back();
      for (const ast::Adjust& adj : n.adjusts) {
        self->children.push_back(sym(adj.name.name, adj.kind == ast::AdjustKind::kDeduct ? "deduct" : "bonus", 24, adj.span, adj.name.span));
      }
      self->children.reserve(self->children.size() + n.children.size());
      for (auto it = n.children.rbegin(); it != n.children.rend(); ++it) {
        stack.push_back({*it, item.path + "." + m.nodes[*it].name.name, self});
      }
    }
  }
  for (const auto& in : m.inputs) {
    if (mine(in.name.span)) out.push_back(sym(in.name.name, first_line(*a.sources, in.type_span), 8, in.name.span, in.name.span));
  }
  for (const auto& x : m.params) {
    if (mine(x.name.span)) out.push_back(sym(x.name.name, "param", 14, x.name.span, x.name.span));
  }
  for (const auto& x : m.sets) {
    if (mine(x.name.span)) out.push_back(sym(x.name.name, "set", 18, x.name.span, x.name.span));
  }
  for (const auto& x : m.lets) {
    if (mine(x.name.span)) out.push_back(sym(x.name.name, "let", 13, x.name.span, x.name.span));
  }
  for (const auto& x : m.vetoes) {
    if (mine(x.name.span)) out.push_back(sym(x.name.name, "veto", 24, x.span, x.name.span));
  }
  for (const auto& b : m.bands) {
    if (!mine(b.name.span)) continue;
    DocumentSymbol s = sym(b.name.name, b.kind == ast::BandKind::kGrade ? "grade" : "alert", 10, b.span, b.name.span);
    for (const auto& band : b.bands) {
      s.children.push_back(sym(band.label.text, band.has_interval ? dsl::interval_text(band.interval, dsl::kInfinity) : "", 22, band.span, band.label.span));
    }
    out.push_back(std::move(s));
  }
  for (const auto& f : m.funds) {
    if (!mine(f.name.span)) continue;
    DocumentSymbol s = sym(f.name.name, "fund", 23, f.span, f.name.span);
    for (const auto& t : f.tracks) s.children.push_back(sym(t.name.name, weight_text(t.share), 8, t.span, t.name.span));
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<FoldingRange> Workspace::folding(const std::string& uri) {
  Document* doc = checked(uri);
  if (!doc) return {};
  const Analysis& a = *doc->current;
  const ast::Module* top = a.top_module();
  if (!top) return {};
  const ast::Module& m = *top;
  const LineIndex lines(doc->text);
  std::vector<FoldingRange> out;
  std::set<std::pair<std::uint32_t, std::uint32_t>> seen;
  const auto add = [&](Span s, bool comment = false) {
    if (!s.valid() || s.source != a.top) return;
    const std::uint32_t first = lines.position(s.begin).line;
    const std::uint32_t last = lines.position(s.end).line;
    if (last > first && seen.insert({first, last}).second) out.push_back({first, last, comment});
  };
  for (const auto& n : m.nodes) add(n.span);
  for (const auto& in : m.inputs) add(in.block);
  for (const auto& x : m.params) add(m.span(x.value));
  for (const auto& x : m.sets) add(m.span(x.value));
  for (const auto& x : m.lets) add(m.span(x.value));
  for (const auto& x : m.vetoes) add(x.span);
  for (const auto& x : m.bands) add(x.span);
  for (const auto& x : m.funds) add(x.span);
  if (m.output) add(m.output->span);
  // Runs of comment lines.
  for (std::size_t i = 0; i < m.comments.size();) {
    std::size_t j = i;
    while (j + 1 < m.comments.size() &&
           lines.position(m.comments[j + 1].span.begin).line == lines.position(m.comments[j].span.begin).line + 1) {
      ++j;
    }
    if (j > i) add(Span{a.top, m.comments[i].span.begin, m.comments[j].span.end}, true);
    i = j + 1;
  }
  std::sort(out.begin(), out.end(), [](const FoldingRange& x, const FoldingRange& y) { return x.start < y.start; });
  return out;
}

std::optional<std::vector<TextEdit>> Workspace::format(const std::string& uri) {
  Document* doc = find(uri);
  if (!doc) return std::nullopt;
  SourceSet sources;
  const SourceId id = sources.add("policy.jx", doc->text);
  CollectingSink sink;
  std::optional<std::string> formatted;
  try {
    formatted = dsl::format_file(sources, id, sink);
  } catch (const std::logic_error&) {
    return std::nullopt;  // the formatter refused its own result: leave the text alone
  }
  if (!formatted) return std::nullopt;
  std::vector<TextEdit> edits;
  if (*formatted != doc->text) {
    const LineIndex lines(doc->text);
    edits.push_back({lines.range(0, static_cast<std::uint32_t>(doc->text.size())), *formatted});
  }
  return edits;
}

namespace {

// The half-width form of a full-width punctuation mark the parser reports, or empty.
std::string half_width(std::string_view mark) {
  static const std::map<std::string_view, std::string_view> kForms = {
      {"，", ","}, {"：", ":"}, {"；", ";"}, {"（", "("}, {"）", ")"}, {"【", "["}, {"】", "]"}, {"［", "["},
      {"］", "]"}, {"｛", "{"}, {"｝", "}"}, {"“", "\""}, {"”", "\""}, {"＂", "\""}, {"！", "!"}, {"？", "?"},
      {"＝", "="}, {"＋", "+"}, {"－", "-"}, {"＜", "<"}, {"＞", ">"}, {"％", "%"}, {"＊", "*"}, {"／", "/"},
      {"．", "."}, {"、", ","}, {"　", " "}, {"。", "."}, {"＿", "_"}, {"＃", "#"},
  };
  const auto it = kForms.find(mark);
  return it == kForms.end() ? std::string() : std::string(it->second);
}

}  // namespace

std::vector<CodeAction> Workspace::code_actions(const std::string& uri, Range range) {
  Document* doc = find(uri);
  if (!doc) return {};
  const std::vector<Diag> diags = diagnostics(uri);  // analyzes when needed
  const Analysis& a = *doc->current;
  const LineIndex lines(doc->text);
  const std::uint32_t from = lines.offset(range.start);
  const std::uint32_t to = lines.offset(range.end);
  std::vector<CodeAction> out;
  std::vector<TextEdit> all_full_width;
  std::size_t di = 0;
  for (const Diagnostic& d : a.diagnostics) {
    const Diag* shown = di < diags.size() ? &diags[di] : nullptr;
    ++di;
    if (!d.span.valid() || d.span.source != a.top) continue;
    const bool touches = d.span.begin <= to && from <= d.span.end;
    const std::string written = doc->text.substr(d.span.begin, d.span.end - d.span.begin);
    const Range where = lines.range(d.span.begin, d.span.end);
    if (d.code == DiagCode::full_width_punctuation) {
      const std::string half = half_width(written);
      if (half.empty()) continue;
      all_full_width.push_back({where, half});
      if (touches) {
        CodeAction c{msg::lsp_fix_replace(written, half).str(lang_), true, uri, {{where, half}}, std::nullopt};
        if (shown) c.diagnostic = *shown;
        out.push_back(std::move(c));
      }
      continue;
    }
    if (!touches) continue;
    if (d.hint && (d.hint->id() == MsgId::did_you_mean || d.hint->id() == MsgId::did_you_mean_then) &&
        !d.hint->args().empty() && d.hint->args()[0].kind == MessageArg::Kind::kText) {
      const std::string& best = d.hint->args()[0].text;
      CodeAction c{msg::lsp_fix_replace(written, best).str(lang_), true, uri, {{where, best}}, std::nullopt};
      if (shown) c.diagnostic = *shown;
      out.push_back(std::move(c));
    }
    const ast::Module* t = d.code == DiagCode::missing_ties ? a.top_module() : nullptr;
    if (t) {
      for (const ast::FundDecl& f : t->funds) {
        if (f.name.span != d.span || f.span.end == 0) continue;
        // Before the closing brace of the fund, on its own line.
        const std::uint32_t close = f.span.end - 1;
        if (doc->text[close] != '}') continue;
        const std::string key = t->subject ? t->subject->key.name
                                : a.policy && a.policy->key != dsl::kNoSymbol ? a.policy->symbol(a.policy->key).name
                                                                               : std::string("社区编码");
        const Position at = lines.position(close);
        std::size_t line_begin = doc->text.rfind('\n', close);
        line_begin = line_begin == std::string::npos ? 0 : line_begin + 1;
        const bool alone = doc->text.find_first_not_of(" \t", line_begin) == close;
        const std::string text = alone ? "  ties by " + key + "\n" : "  ties by " + key + " ";
        const Position insert = alone ? Position{at.line, 0} : at;
        CodeAction c{msg::lsp_fix_add_ties(key).str(lang_), true, uri, {{{insert, insert}, text}}, std::nullopt};
        if (shown) c.diagnostic = *shown;
        out.push_back(std::move(c));
      }
    }
  }
  if (all_full_width.size() > 1) out.push_back({msg::lsp_fix_all_full_width().str(lang_), false, uri, all_full_width, std::nullopt});
  return out;
}

RenameResult Workspace::rename(const std::string& uri, Position pos, const std::string& new_name) {
  RenameResult r;
  Document* doc = checked(uri);
  if (!doc) return r;
  const Analysis& a = *doc->current;
  if (!a.policy) {
    r.refusal = msg::lsp_rename_broken().str(lang_);
    return r;
  }
  const CheckedPolicy& p = *a.policy;
  const Found f = symbol_at(a, LineIndex(doc->text).offset(pos));
  if (f.symbol == dsl::kNoSymbol) {
    r.refusal = msg::lsp_rename_nothing().str(lang_);
    return r;
  }
  // A name: name characters only, not starting with a digit, not a reserved English keyword.
  bool valid = !new_name.empty() && !std::isdigit(static_cast<unsigned char>(new_name[0]));
  for (std::size_t i = 0; valid && i < new_name.size(); i += utf8_length(static_cast<unsigned char>(new_name[i]))) {
    valid = name_char(new_name, i, false);
  }
  for (const dsl::KeywordInfo& k : dsl::keyword_table()) {
    if (k.reserved && k.english.substr(0, k.english.find(' ')) == new_name) valid = false;
  }
  if (!valid) {
    r.refusal = msg::lsp_rename_invalid(new_name).str(lang_);
    return r;
  }
  const Symbol& s = p.symbol(f.symbol);
  const std::size_t dot = s.name.rfind('.');
  const std::string new_path = dot == std::string::npos ? new_name : s.name.substr(0, dot + 1) + new_name;
  if (new_path != s.name && a.find(new_path) != dsl::kNoSymbol) {
    r.refusal = msg::lsp_rename_clash(new_path).str(lang_);
    return r;
  }
  // Every span naming the symbol: its declaration, and each part of a path that names it.
  std::vector<Span> spans{s.span};
  for_each_name_part(a, [&](Span span, dsl::SymbolId id) {
    if (id == f.symbol) spans.push_back(span);
  });
  std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>> seen;
  for (const Span& span : spans) {
    if (!span.valid() || !seen.insert({static_cast<std::uint32_t>(span.source), span.begin, span.end}).second) continue;
    const auto key = a.keys.find(static_cast<std::uint32_t>(span.source));
    const std::string k = key == a.keys.end() ? std::string() : key->second;
    if (starts_with(k, "std/") || k.empty()) {
      r.changes.clear();
      r.refusal = msg::lsp_rename_readonly(s.name, k.empty() ? "?" : k + ".jx").str(lang_);
      return r;
    }
    const LineIndex lines(a.sources->get(span.source).text());
    r.changes[uri_of(k)].push_back({lines.range(span.begin, span.end), new_name});
  }
  return r;
}

std::vector<InlayHint> Workspace::inlay_hints(const std::string& uri, Range range) {
  Document* doc = checked(uri);
  if (!doc) return {};
  const Analysis& a = *doc->current;
  if (!a.policy) return {};
  const CheckedPolicy& p = *a.policy;
  const LineIndex lines(doc->text);
  std::vector<InlayHint> out;
  for (std::uint32_t i = 0; i < p.module.nodes.size() && i < p.nodes.size(); ++i) {
    const ast::IndicatorNode& n = p.module.nodes[i];
    if (n.detached || n.weight.kind != ast::WeightKind::kPercent || n.weight.span.source != a.top) continue;
    const Position at = lines.position(n.weight.span.end);
    if (at.line < range.start.line || at.line > range.end.line) continue;
    out.push_back({at, " " + number_text(p.nodes[i].full) + "分"});
  }
  return out;
}

}  // namespace jixiao::cli::lsp
