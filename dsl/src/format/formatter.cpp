// Internal to `jixiao fmt`: the Formatter's source positions, items, blocks and output
// (formatter_class.hpp), and `layout`.
#include "formatter_class.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "formatter.hpp"

namespace jixiao::dsl::format_detail {

// ---- source positions ----

bool Formatter::own_line(std::uint32_t pos) const {
  std::size_t i = pos;
  while (i > 0 && text_[i - 1] != '\n') {
    const char c = text_[i - 1];
    const bool bom = i <= 3 && text_.substr(0, 3) == "\xEF\xBB\xBF";
    if (c != ' ' && c != '\t' && c != '\r' && !bom) return false;
    --i;
  }
  return true;
}

bool Formatter::blank_between(std::uint32_t from, std::uint32_t to) const {
  bool seen_newline = false;
  bool only_space = false;
  for (std::uint32_t i = from; i < to && i < text_.size(); ++i) {
    const char c = text_[i];
    if (c == '\n') {
      if (seen_newline && only_space) return true;
      seen_newline = true;
      only_space = true;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      only_space = false;
    }
  }
  return false;
}

std::uint32_t Formatter::find_open_brace(std::uint32_t from) const {
  std::uint32_t i = from;
  while (i < text_.size()) {
    if (text_[i] == '#') {
      while (i < text_.size() && text_[i] != '\n') ++i;
      continue;
    }
    if (text_[i] == '{') return i;
    ++i;
  }
  throw std::logic_error("fmt: no `{` where a block starts");
}

Cs Formatter::comments_in(std::uint32_t begin, std::uint32_t end) const {
  Cs out;
  for (std::size_t i = 0; i < comments_.size(); ++i) {
    if (comments_[i].begin >= begin && comments_[i].begin < end) out.push_back(i);
  }
  return out;
}

Cs Formatter::take(Cs& cs, Range r, const std::vector<CommentRec>& all) {
  Cs mine;
  Cs rest;
  for (const std::size_t c : cs) (all[c].begin >= r.begin && all[c].begin < r.end ? mine : rest).push_back(c);
  cs = std::move(rest);
  return mine;
}

Range Formatter::range(ExprId e) const {
  const Span s = m_.span(e);
  return {s.begin, s.end};
}

OutLine Formatter::comment_line(std::size_t c, std::size_t indent, int block) const {
  OutLine l;
  l.code = spaces(indent) + comments_[c].text;
  l.block = block;
  l.comment_only = true;
  return l;
}

// ---- items ----

Lines Formatter::doc_item(const Ctx& ctx, const Cs& cs, const std::function<Doc(Cs&, Placement&)>& build,
                          std::optional<std::size_t> trailing) {
  Placement pl;
  Doc d;
  while (true) {
    pl.hoisted.clear();
    Cs work = cs;
    d = build(work, pl);
    for (const std::size_t c : work) hoist(pl, c);
    if (pl.hoisted.empty()) break;
    std::int64_t last = -1;
    for (const std::size_t c : pl.hoisted) last = std::max(last, static_cast<std::int64_t>(comments_[c].begin));
    if (last <= pl.threshold) break;
    pl.threshold = last;
  }
  if (trailing) d += suffix(comments_[*trailing].text);
  Lines out;
  std::sort(pl.hoisted.begin(), pl.hoisted.end());
  for (const std::size_t c : pl.hoisted) out.push_back(comment_line(c, ctx.indent, ctx.block));
  Renderer r(kFormatWidth, next_block_);
  for (OutLine& l : r.run(d, ctx.indent, ctx.block)) out.push_back(std::move(l));
  return out;
}

Lines Formatter::text_item(const Ctx& ctx, const std::string& s) {
  return doc_item(ctx, ctx.inner, [&](Cs&, Placement&) { return txt(s); }, ctx.trailing);
}

Item Formatter::item(std::uint32_t begin, std::uint32_t end, std::function<Lines(const Ctx&)> print) {
  Item it;
  it.begin = begin;
  it.end = end;
  it.print = std::move(print);
  return it;
}

Item Formatter::line_item(std::uint32_t begin, std::uint32_t end, std::function<Doc(const Ctx&, Cs&, Placement&)> build) {
  return item(begin, end, [this, build = std::move(build)](const Ctx& ctx) {
    return doc_item(ctx, ctx.inner, [&](Cs& cs, Placement& pl) { return build(ctx, cs, pl); }, ctx.trailing);
  });
}

std::optional<Lines> Formatter::on_one_line(const Ctx& ctx, const std::function<Doc(Cs&, Placement&)>& build) {
  Placement pl;
  Cs none;
  const Doc d = build(none, pl);
  if (!one_line(d, ctx.indent)) return std::nullopt;
  return doc_item(ctx, {}, [&](Cs&, Placement&) { return d; }, ctx.trailing);
}

Lines Formatter::block_item(const Ctx& ctx, std::uint32_t open, std::uint32_t close,
                            const std::function<Doc(Cs&, Placement&)>& header, std::vector<Item> body) {
  Cs header_cs;
  for (const std::size_t c : ctx.inner) {
    if (comments_[c].begin < open) header_cs.push_back(c);
  }
  std::optional<std::size_t> header_trailing;
  const int body_block = next_block_++;
  const Lines inside = emit_block(std::move(body), open + 1, close, ctx.indent + 2, &header_trailing, body_block);
  Lines out = doc_item(
      ctx, header_cs,
      [&](Cs& cs, Placement& pl) {
        Doc d = header(cs, pl);
        d += txt(" {");
        if (header_trailing) d += suffix(comments_[*header_trailing].text);
        return d;
      },
      std::nullopt);
  out.insert(out.end(), inside.begin(), inside.end());
  OutLine close_line;
  close_line.code = spaces(ctx.indent) + "}";
  close_line.block = ctx.block;
  if (ctx.trailing) close_line.comment = comments_[*ctx.trailing].text;
  out.push_back(std::move(close_line));
  return out;
}

// ---- blocks ----

Lines Formatter::emit_block(std::vector<Item> items, std::uint32_t begin, std::uint32_t end, std::size_t indent,
                            std::optional<std::size_t>* header_trailing, int block) {
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.begin < b.begin; });
  const std::size_t n = items.size();
  std::vector<Cs> leading(n);
  std::vector<Cs> inner(n);
  std::vector<std::optional<std::size_t>> trailing(n);
  Cs end_comments;
  std::int64_t last_own = -1;
  for (const std::size_t c : comments_in(begin, end)) {
    const CommentRec& rec = comments_[c];
    std::optional<std::size_t> holder;
    std::optional<std::size_t> prev;
    std::optional<std::size_t> next;
    for (std::size_t k = 0; k < n; ++k) {
      if (items[k].begin <= rec.begin && rec.begin < items[k].end) holder = k;
      if (items[k].end <= rec.begin) prev = k;
      if (!next && items[k].begin > rec.begin) next = k;
    }
    if (holder) {
      inner[*holder].push_back(c);
      continue;
    }
    if (!rec.own_line) {
      if (prev && !trailing[*prev] && last_own < static_cast<std::int64_t>(items[*prev].end)) {
        trailing[*prev] = c;
        continue;
      }
      if (!prev && header_trailing != nullptr && !*header_trailing && last_own < 0) {
        *header_trailing = c;
        continue;
      }
    }
    (next ? leading[*next] : end_comments).push_back(c);
    last_own = rec.begin;
  }

  // Blank lines the author put between elements (at most one is kept; none at the start).
  std::vector<std::vector<bool>> blank_leading(n);
  std::vector<bool> blank_item(n, false);
  std::vector<bool> blank_end;
  std::uint32_t prev_end = begin;
  bool first = true;
  auto blank_before = [&](std::uint32_t at, std::uint32_t after) {
    const bool b = !first && blank_between(prev_end, at);
    prev_end = after;
    first = false;
    return b;
  };
  for (std::size_t k = 0; k < n; ++k) {
    for (const std::size_t c : leading[k]) blank_leading[k].push_back(blank_before(comments_[c].begin, comments_[c].end));
    const std::uint32_t item_end = trailing[k] ? comments_[*trailing[k]].end : items[k].end;
    blank_item[k] = blank_before(items[k].begin, item_end);
  }
  for (const std::size_t c : end_comments) blank_end.push_back(blank_before(comments_[c].begin, comments_[c].end));

  // Alignment sections: consecutive items of one kind with no blank line between them.
  std::vector<std::vector<std::size_t>> widths(n);
  for (std::size_t k = 0; k < n;) {
    std::size_t j = k + 1;
    if (items[k].align_kind != 0) {
      while (j < n && items[j].align_kind == items[k].align_kind && !blank_item[j] && leading[j].empty()) {
        ++j;
      }
    }
    std::vector<std::size_t> w(items[k].cells.size(), 0);
    for (std::size_t i = k; i < j; ++i) {
      for (std::size_t c = 0; c < w.size() && c < items[i].cells.size(); ++c) w[c] = std::max(w[c], width(items[i].cells[c]));
    }
    for (std::size_t i = k; i < j; ++i) widths[i] = w;
    k = j;
  }

  std::vector<Lines> printed;
  for (std::size_t k = 0; k < n; ++k) {
    Ctx ctx;
    ctx.indent = indent;
    ctx.block = block;
    ctx.widths = widths[k];
    ctx.inner = inner[k];
    ctx.trailing = trailing[k];
    Lines lines = items[k].print(ctx);
    const auto code = std::count_if(lines.begin(), lines.end(), [](const OutLine& l) { return !l.comment_only; });
    if (code > 1) {
      const int run = next_block_++;
      for (OutLine& l : lines) {
        if (l.block == block) l.run = run;
      }
    }
    printed.push_back(std::move(lines));
  }

  Lines out;
  auto push_blank = [&]() {
    if (!out.empty() && !out.back().blank) out.push_back(blank_line());
  };
  for (std::size_t k = 0; k < n; ++k) {
    // A declaration of another group (header, inputs, params/sets/lets, ...) starts a paragraph.
    const bool forced = k > 0 && items[k].group != 0 && items[k - 1].group != 0 && items[k].group != items[k - 1].group;
    for (std::size_t j = 0; j < leading[k].size(); ++j) {
      if (blank_leading[k][j] || (j == 0 && forced)) push_blank();
      out.push_back(comment_line(leading[k][j], indent, block));
    }
    if (blank_item[k] || (leading[k].empty() && forced)) push_blank();
    out.insert(out.end(), printed[k].begin(), printed[k].end());
  }
  for (std::size_t j = 0; j < end_comments.size(); ++j) {
    if (blank_end[j]) push_blank();
    out.push_back(comment_line(end_comments[j], indent, block));
  }
  return out;
}

// ---- output ----

std::string Formatter::assemble(const Lines& lines) {
  std::string out;
  std::size_t i = 0;
  while (i < lines.size()) {
    if (lines[i].blank || lines[i].comment_only) {
      out += lines[i].code + "\n";
      ++i;
      continue;
    }
    std::size_t j = i;
    std::vector<std::size_t> widths;
    while (j < lines.size() && !lines[j].blank && !lines[j].comment_only && lines[j].block == lines[i].block &&
           lines[j].run == lines[i].run) {
      if (!lines[j].comment.empty()) widths.push_back(width(lines[j].code));
      ++j;
    }
    std::sort(widths.begin(), widths.end());
    const std::size_t limit = widths.empty() ? 0 : widths[(widths.size() - 1) / 2] + kOutlier;
    std::size_t column = 0;
    for (const std::size_t w : widths) {
      if (w <= limit) column = std::max(column, w + 2);
    }
    for (std::size_t k = i; k < j; ++k) {
      out += lines[k].code;
      if (!lines[k].comment.empty()) {
        const std::size_t w = width(lines[k].code);
        out += spaces(w <= limit ? column - w : 2) + lines[k].comment;
      }
      out += "\n";
    }
    i = j;
  }
  // No blank line at the end of the file.
  while (out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') out.pop_back();
  return out;
}

std::string layout(const ast::Module& m, std::string_view text, KeywordSet set) { return Formatter(m, text, set).run(); }

}  // namespace jixiao::dsl::format_detail
