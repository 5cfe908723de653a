// Internal to `jixiao fmt`: the Formatter's declarations, each one item or a block of items
// (formatter_class.hpp).
#include "formatter_class.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/unparse.hpp"

namespace jixiao::dsl::format_detail {

namespace {

// ` missing zero` (with its space) as written after a leaf's formula, or nothing.
std::string missing_text(const ast::IndicatorNode& n, const Speller& k) {
  if (n.missing == ast::MissingRule::kNone) return "";
  const std::uint32_t last = n.missing_span.end > 0 ? n.missing_span.end - 1 : 0;
  return " " + k.before(KwId::kw_missing, last) + " " + missing_mode(n.missing, k, last);
}

}  // namespace

// ---- declarations ----

std::vector<Item> Formatter::top_items() {
  std::vector<Item> items;
  auto add = [&](Item it, Group g) {
    it.group = g;
    items.push_back(std::move(it));
  };
  if (m_.policy) {
    const ast::PolicyDecl& p = *m_.policy;
    std::string s = k_.after(KwId::kw_policy, p.span.begin) + " " + quote_text(p.name);
    if (!p.version.empty()) s += " " + k_.after(KwId::kw_version, p.span.begin) + " " + quote_text(p.version);
    if (p.extends) s += " " + k_.before(KwId::kw_extends, p.extends_span.begin) + " " + quote_text(*p.extends);
    add(simple(p.span, s), kHeader);
  }
  if (m_.subject) {
    const ast::SubjectDecl& d = *m_.subject;
    std::string s = k_.before(KwId::kw_subject, d.subject.span.begin) + " " + d.subject.name + " " +
                    k_.after(KwId::kw_key, d.subject.span.end) + " " + d.key.name;
    if (d.period) s += " " + k_.after(KwId::kw_period, d.key.span.end) + " " + d.period->name;
    add(simple(d.span, s), kHeader);
  }
  if (m_.rollup) add(rollup_item(*m_.rollup), kHeader);
  if (m_.precision) {
    const std::string word = k_.before(KwId::kw_precision, m_.precision->span.begin);
    add(simple(m_.precision->span, word + " " + std::to_string(m_.precision->places)), kHeader);
  }
  // Inputs, one item per `input { ... }` block.
  for (std::size_t i = 0; i < m_.inputs.size();) {
    std::size_t j = i;
    std::vector<const ast::InputDecl*> block;
    while (j < m_.inputs.size() && m_.inputs[j].block == m_.inputs[i].block) block.push_back(&m_.inputs[j++]);
    add(input_block(block), kInputs);
    i = j;
  }
  for (const auto& p : m_.params) add(binding(KwId::kw_param, p.name, p.value, 1), kBindings);
  for (const auto& s : m_.sets) add(binding(KwId::kw_set, s.name, s.value, 0), kBindings);
  for (const auto& l : m_.lets) add(binding(KwId::kw_let, l.name, l.value, 2), kBindings);
  for (const std::uint32_t root : m_.roots) add(indicator(root), kIndicators);
  for (const auto& v : m_.vetoes) add(veto(v), kVetoes);
  for (const auto& b : m_.bands) add(band_decl(b), kBands);
  for (const auto& f : m_.funds) add(fund(f), kFunds);
  if (m_.output) add(output(*m_.output), kOutput);
  for (const auto& d : m_.imports) {
    std::string s = k_.before(KwId::kw_import, d.names.front().span.begin) + " ";
    for (std::size_t i = 0; i < d.names.size(); ++i) s += (i ? ", " : "") + d.names[i].name;
    add(simple(d.span, s + " " + k_.before(KwId::kw_from, d.from_span.begin) + " " + quote_text(d.from)), kImports);
  }
  for (const auto& o : m_.overrides) add(override_decl(o), kEdits);
  for (const auto& r : m_.removes) add(remove_decl(r), kEdits);
  for (const auto& a : m_.adds) add(add_decl(a), kEdits);
  for (const auto& seg : m_.segments) add(segment(seg), kSegments);
  return items;
}

Item Formatter::remove_decl(const ast::RemoveDecl& r) {
  return simple(r.span, k_.before(KwId::kw_remove, r.target.parts.front().span.begin) + " " + ast::path_text(r.target));
}

Doc Formatter::named_when(KwId keyword, const ast::Ident& name, ExprId when, Cs& cs, Placement& pl) {
  Doc d = cat();
  d += txt(k_.before(keyword, name.span.begin) + " " + name.name + " " + k_.after(KwId::kw_when, name.span.end) + " ");
  d += ex(when, cs, pl);
  return d;
}

Item Formatter::segment(const ast::SegmentDecl& seg) {
  return item(seg.span.begin, seg.span.end, [this, &seg](const Ctx& ctx) {
    auto header = [&](Cs& cs, Placement& pl) { return named_when(KwId::kw_segment, seg.name, seg.when, cs, pl); };
    const std::uint32_t open = find_open_brace(m_.span(seg.when).end);
    const std::uint32_t close = seg.span.end - 1;
    std::vector<Item> body;
    for (const auto& o : seg.overrides) body.push_back(override_decl(o));
    for (const auto& r : seg.removes) body.push_back(remove_decl(r));
    for (const auto& a : seg.adds) body.push_back(add_decl(a));
    if (body.empty() && ctx.inner.empty()) {
      auto lines = on_one_line(ctx, [&](Cs& cs, Placement& pl) {
        Doc d = header(cs, pl);
        d += txt(" { }");
        return d;
      });
      if (lines) return *lines;
    }
    return block_item(ctx, open, close, header, std::move(body));
  });
}

std::string Formatter::rounding_text(Span span) const {
  const std::string phrase = k_.after(KwId::kw_rounding_fen, span.begin);
  return phrase;
}

Item Formatter::simple(Span span, std::string s) {
  return item(span.begin, span.end, [this, s = std::move(s)](const Ctx& ctx) { return text_item(ctx, s); });
}

Item Formatter::rollup_item(const ast::RollupDecl& r) {
  return line_item(r.span.begin, r.span.end, [this, &r](const Ctx&, Cs& cs, Placement& pl) {
    Doc d = cat();
    d += txt(k_.before(KwId::kw_rollup, r.name.span.begin) + " " + r.name.name + " ");
    const auto& items = std::get<ast::SetLit>(m_.expr(r.parts)).items;
    if (r.groups.empty()) {
      d += ex(r.parts, cs, pl);
    } else {
      std::vector<Range> spans;
      std::vector<Doc> elems;
      for (std::size_t k = 0; k < items.size(); ++k) {
        spans.push_back({m_.span(items[k]).begin, m_.span(r.groups[k]).end});
        elems.push_back(txt(unparse(m_, items[k]) + ": " + unparse(m_, r.groups[k])));
      }
      d += literal_list(txt("{"), std::move(elems), spans, take(cs, r.parts), pl);
    }
    if (r.skip_missing) {
      d += txt(" " + k_.after(KwId::kw_missing, r.missing_span.begin) + " " + k_.after(KwId::kw_reweight, r.missing_span.begin));
    }
    return d;
  });
}

Item Formatter::binding(KwId id, const ast::Ident& name, ExprId value, int align_kind) {
  const std::string keyword = k_.before(id, name.span.begin) + " ";
  Item it = line_item(name.span.begin, m_.span(value).end, [this, keyword, &name, value](const Ctx& ctx, Cs& cs, Placement& pl) {
    Doc d = cat();
    d += txt(keyword + pad_right(name.name, ctx.widths.empty() ? 0 : ctx.widths[0]) + " = ");
    d += ex(value, cs, pl);
    return d;
  });
  it.align_kind = align_kind;
  it.cells = {name.name};
  return it;
}

Item Formatter::input_block(const std::vector<const ast::InputDecl*>& inputs) {
  if (inputs.empty() || inputs.front() == nullptr) throw std::logic_error("fmt: an input block without inputs");
  const Span block = inputs.front()->block;
  return item(block.begin, block.end, [this, inputs, block](const Ctx& ctx) {
    if (inputs.size() == 1 && ctx.inner.empty()) {
      const ast::InputDecl& in = *inputs.front();
      std::string s = k_.after(KwId::kw_input, block.begin) + " { " + in.name.name + " : " + input_type(in, k_) + " }";
      if (one_line(txt(s), ctx.indent)) return text_item(ctx, s);
    }
    std::vector<Item> body;
    for (const ast::InputDecl* in : inputs) {
      Item x = item(in->name.span.begin, std::max(in->type_span.end, in->name.span.end), [this, in](const Ctx& c) {
        return text_item(c, pad_right(in->name.name, c.widths[0]) + " : " + input_type(*in, k_));
      });
      x.align_kind = 1;
      x.cells = {in->name.name};
      body.push_back(std::move(x));
    }
    const std::uint32_t open = find_open_brace(block.begin + 5);
    const std::string word = k_.after(KwId::kw_input, block.begin);
    return block_item(ctx, open, block.end - 1, [word](Cs&, Placement&) { return txt(word); }, std::move(body));
  });
}

std::string Formatter::weight_text(const ast::Weight& w) const {
  if (w.kind == ast::WeightKind::kOther) return std::string(text_.substr(w.span.begin, w.span.end - w.span.begin));
  return unparse(w);
}

bool Formatter::is_simple_leaf(const ast::IndicatorNode& node) const {
  return ast::present(node.formula) && node.children.empty() && node.adjusts.empty() &&
         !ast::present(node.deductions_max) && !ast::present(node.bonuses_max);
}

Doc Formatter::leaf_doc(const ast::IndicatorNode& node, const std::vector<std::size_t>& widths, Cs& cs, Placement& pl) const {
  const std::size_t name_width = widths.empty() ? 0 : widths[0];
  const std::size_t weight_width = widths.size() < 2 ? 0 : widths[1];
  Doc d = cat();
  d += txt(pad_right(node.name.name, name_width) + " " + pad_left(weight_text(node.weight), weight_width) + " = ");
  d += ex(node.formula, cs, pl);
  d += txt(missing_text(node, k_));
  return d;
}

std::vector<Item> Formatter::node_body(std::uint32_t owner) {
  const ast::IndicatorNode& n = m_.nodes[owner];
  std::vector<Item> items;
  for (const std::uint32_t child : n.children) {
    const ast::IndicatorNode& c = m_.nodes[child];
    if (is_simple_leaf(c)) {
      Item it = line_item(c.span.begin, c.span.end, [this, &c](const Ctx& ctx, Cs& cs, Placement& pl) {
        return leaf_doc(c, ctx.widths, cs, pl);
      });
      it.align_kind = 1;
      it.cells = {c.name.name, weight_text(c.weight)};
      items.push_back(std::move(it));
      continue;
    }
    items.push_back(item(c.span.begin, c.span.end, [this, &c, child](const Ctx& ctx) {
      const std::uint32_t after = ast::present(c.formula)
                                      ? std::max(m_.span(c.formula).end, c.missing_span.end)
                                      : c.name.span.end;
      const std::uint32_t open = find_open_brace(after);
      return block_item(
          ctx, open, c.span.end - 1,
          [&](Cs& cs, Placement& pl) {
            if (ast::present(c.formula)) return leaf_doc(c, {}, cs, pl);
            return txt(c.name.name + " " + weight_text(c.weight));
          },
          node_body(child));
    }));
  }
  for (const ast::Adjust& a : n.adjusts) {
    items.push_back(line_item(a.span.begin, a.span.end, [this, &a](const Ctx&, Cs& cs, Placement& pl) {
      Doc d = cat();
      const KwId kind = a.kind == ast::AdjustKind::kDeduct ? KwId::kw_deduct : KwId::kw_bonus;
      d += txt(k_.before(kind, a.name.span.begin) + " " + a.name.name + " ");
      d += ex(a.amount, cs, pl);
      if (ast::present(a.per)) {
        d += txt(" " + k_.before(KwId::kw_per, m_.span(a.per).begin) + " ");
        d += ex(a.per, cs, pl);
      }
      if (ast::present(a.when)) {
        d += txt(" " + k_.before(KwId::kw_when, m_.span(a.when).begin) + " ");
        d += ex(a.when, cs, pl);
      }
      if (ast::present(a.max)) {
        d += txt(", " + k_.before(KwId::kw_max, m_.span(a.max).begin) + " ");
        d += ex(a.max, cs, pl);
      }
      return d;
    }));
  }
  for (const bool deductions : {true, false}) {
    const ExprId cap = deductions ? n.deductions_max : n.bonuses_max;
    if (!ast::present(cap)) continue;
    items.push_back(line_item(m_.span(cap).begin, m_.span(cap).end, [this, cap, deductions](const Ctx&, Cs& cs, Placement& pl) {
      Doc d = cat();
      const std::uint32_t at = m_.span(cap).begin;
      d += txt(k_.before(deductions ? KwId::kw_deductions : KwId::kw_bonuses, at) + " " + k_.before(KwId::kw_max, at) + " ");
      d += ex(cap, cs, pl);
      return d;
    }));
  }
  return items;
}

std::optional<Lines> Formatter::one_leaf(const Ctx& ctx, const std::string& head, std::uint32_t owner) {
  const ast::IndicatorNode& n = m_.nodes[owner];
  if (!ctx.inner.empty() || n.children.size() != 1 || !n.adjusts.empty() || ast::present(n.deductions_max) ||
      ast::present(n.bonuses_max) || !is_simple_leaf(m_.nodes[n.children[0]])) {
    return std::nullopt;
  }
  return on_one_line(ctx, [&](Cs& cs, Placement& pl) {
    Doc d = cat();
    d += txt(head + " { ");
    d += leaf_doc(m_.nodes[n.children[0]], {}, cs, pl);
    d += txt(" }");
    return d;
  });
}

Item Formatter::indicator(std::uint32_t root) {
  const ast::IndicatorNode& n = m_.nodes[root];
  return item(n.span.begin, n.span.end, [this, &n, root](const Ctx& ctx) {
    std::string head = k_.before(KwId::kw_indicator, n.name.span.begin) + " " + n.name.name;
    if (n.weight.span.valid()) head += " " + weight_text(n.weight);
    // One line for a tree of one leaf: `indicator 总分 { 工作 100% = 得分 }`.
    if (auto lines = one_leaf(ctx, head, root)) return *lines;
    return block_item(
        ctx, find_open_brace(n.name.span.end), n.span.end - 1, [&](Cs&, Placement&) { return txt(head); },
        node_body(root));
  });
}

Item Formatter::add_decl(const ast::AddDecl& a) {
  return item(a.span.begin, a.span.end, [this, &a](const Ctx& ctx) {
    const std::string head = k_.before(KwId::kw_add, a.target.parts.front().span.begin) + " " + ast::path_text(a.target);
    if (auto lines = one_leaf(ctx, head, a.holder)) return *lines;
    return block_item(
        ctx, find_open_brace(a.target.parts.back().span.end), a.span.end - 1,
        [&](Cs&, Placement&) { return txt(head); }, node_body(a.holder));
  });
}

Item Formatter::veto(const ast::VetoDecl& v) {
  return item(v.span.begin, v.span.end, [this, &v](const Ctx& ctx) {
    struct Effect {
      std::uint32_t begin;
      std::uint32_t end;
      std::string text;
    };
    std::vector<Effect> effects;
    for (const auto& e : v.effects) effects.push_back({e.span.begin, e.span.end, effect_text({e.kind, e.target ? e.target->name : "", unparse(e.label), e.steps}, k_, e.span.begin)});
    if (v.reason) {
      effects.push_back({v.reason_span.begin, v.reason_span.end, k_.before(KwId::kw_reason, v.reason_span.begin) + " " + quote_text(*v.reason)});
    }
    std::stable_sort(effects.begin(), effects.end(), [](const Effect& a, const Effect& b) { return a.begin < b.begin; });
    std::string joined;
    for (std::size_t i = 0; i < effects.size(); ++i) joined += (i ? " ; " : "") + effects[i].text;
    auto header = [&](Cs& cs, Placement& pl) { return named_when(KwId::kw_veto, v.name, v.when, cs, pl); };
    const std::uint32_t open = find_open_brace(m_.span(v.when).end);
    const std::uint32_t close = v.span.end - 1;
    if (ctx.inner.empty()) {
      auto lines = on_one_line(ctx, [&](Cs& cs, Placement& pl) {
        Doc d = header(cs, pl);
        d += txt(joined.empty() ? " { }" : " { " + joined + " }");
        return d;
      });
      if (lines) return *lines;
    }
    const bool body_comments = std::any_of(ctx.inner.begin(), ctx.inner.end(), [&](std::size_t c) { return comments_[c].begin > open; });
    if (!body_comments && !joined.empty() && ctx.indent + 2 + width(joined) <= kFormatWidth) {
      // The effects on one line of their own.
      return block_item(ctx, open, close, header, {simple(Span{v.span.source, open + 1, close}, joined)});
    }
    std::vector<Item> body;
    for (const Effect& e : effects) body.push_back(simple(Span{v.span.source, e.begin, e.end}, e.text));
    return block_item(ctx, open, close, header, std::move(body));
  });
}

Item Formatter::band_decl(const ast::BandDecl& b) {
  return item(b.span.begin, b.span.end, [this, &b](const Ctx& ctx) {
    auto header = [&](Cs& cs, Placement& pl) {
      Doc d = cat();
      d += txt(k_.before(b.kind == ast::BandKind::kGrade ? KwId::kw_grade : KwId::kw_alert, b.name.span.begin) + " " + b.name.name + " " +
               k_.after(KwId::kw_of, b.name.span.end) + " ");
      d += ex(b.of, cs, pl);
      return d;
    };
    const bool plain = std::none_of(b.bands.begin(), b.bands.end(), [](const ast::Band& x) { return x.deadline || x.text; });
    if (ctx.inner.empty() && plain) {
      // One line: `grade 等级 of 总分 { A [90, 100]  B [75, 90) }`.
      std::string bands;
      for (std::size_t i = 0; i < b.bands.size(); ++i) {
        bands += (i ? "  " : "") + unparse(b.bands[i].label);
        if (b.bands[i].has_interval) bands += " " + interval_text(b.bands[i].interval, k_);
      }
      auto lines = on_one_line(ctx, [&](Cs& cs, Placement& pl) {
        Doc d = header(cs, pl);
        d += txt(bands.empty() ? " { }" : " { " + bands + " }");
        return d;
      });
      if (lines) return *lines;
    }
    std::vector<Item> body;
    for (const ast::Band& band : b.bands) {
      std::vector<std::string> cells = {unparse(band.label), band.has_interval ? interval_text(band.interval, k_) : "",
                                        band.deadline ? deadline_text(*band.deadline, k_) : ""};
      Item x = item(band.span.begin, band.span.end, [this, &band, cells](const Ctx& c) {
        std::string s = pad_right(cells[0], c.widths[0]);
        if (c.widths[1] > 0) s += " " + pad_right(cells[1], c.widths[1]);
        if (c.widths[2] > 0) s += "  " + pad_right(cells[2], c.widths[2]);
        if (band.text) s += (c.widths[1] > 0 || c.widths[2] > 0 ? "  " : " ") + quote_text(*band.text);
        return text_item(c, rtrim(s));
      });
      x.align_kind = 1;
      x.cells = std::move(cells);
      body.push_back(std::move(x));
    }
    return block_item(ctx, find_open_brace(m_.span(b.of).end), b.span.end - 1, header, std::move(body));
  });
}

Item Formatter::fund(const ast::FundDecl& f) {
  return item(f.span.begin, f.span.end, [this, &f](const Ctx& ctx) {
    auto header = [&](Cs& cs, Placement& pl) {
      Doc d = cat();
      d += txt(k_.before(KwId::kw_fund, f.name.span.begin) + " " + f.name.name + " " + k_.after(KwId::kw_pool, f.name.span.end) + " ");
      d += ex(f.pool, cs, pl);
      if (ast::present(f.per_group)) {
        d += txt(" " + k_.before(KwId::kw_per, m_.span(f.per_group).begin) + " ");
        d += ex(f.per_group, cs, pl);
      }
      return d;
    };
    std::vector<Item> body;
    for (const ast::Track& t : f.tracks) {
      Item x = line_item(t.span.begin, t.span.end, [this, &t](const Ctx& c, Cs& cs, Placement& pl) {
        Doc d = cat();
        d += txt(k_.before(KwId::kw_track, t.name.span.begin) + " " + pad_right(t.name.name, c.widths[0]) + " " +
                 pad_left(weight_text(t.share), c.widths[1]) + " " + k_.after(KwId::kw_split, t.share.span.end) + " ");
        switch (t.mode) {
          case ast::TrackMode::kSplitBy:
            d += txt(k_.before(KwId::kw_by, m_.span(t.by).begin) + " ");
            d += ex(t.by, cs, pl);
            break;
          case ast::TrackMode::kEqually: d += txt(k_.after(KwId::kw_equally, t.share.span.end)); break;
          case ast::TrackMode::kTop:
            d += txt(k_.before(KwId::kw_among_top, t.top_span.begin) + " " + decimal::to_string(t.top_raw) +
                     (t.top_percent ? "%" : "") + " " + top_options(t, k_) + k_.before(KwId::kw_by, m_.span(t.by).begin) + " ");
            d += ex(t.by, cs, pl);
            if (ast::present(t.proportional)) {
              d += txt(" " + k_.before(KwId::kw_proportional_to, m_.span(t.proportional).begin) + " ");
              d += ex(t.proportional, cs, pl);
            }
            break;
        }
        if (ast::present(t.when)) {
          d += txt(" " + k_.before(KwId::kw_when, m_.span(t.when).begin) + " ");
          d += ex(t.when, cs, pl);
        }
        return d;
      });
      x.align_kind = 1;
      x.cells = {t.name.name, weight_text(t.share)};
      body.push_back(std::move(x));
    }
    std::optional<Span> ties;
    std::string ties_text;
    if (!f.ties.empty()) {
      const std::uint32_t first_key = m_.span(f.ties.front().key).begin;
      ties_text = k_.before(KwId::kw_ties, first_key) + " " + k_.before(KwId::kw_by, first_key) + " ";
      for (std::size_t i = 0; i < f.ties.size(); ++i) {
        ties_text += (i ? ", " : "") + unparse(m_, f.ties[i].key) +
                     (f.ties[i].descending ? " " + k_.after(KwId::kw_desc, m_.span(f.ties[i].key).end) : "");
      }
      const Span first = m_.span(f.ties.front().key);
      ties = Span{first.source, first.begin, m_.span(f.ties.back().key).end};
    }
    // `rounding fen, ties by KEY` share a line when written one after the other.
    const bool together = f.rounding && ties && f.rounding->begin < ties->begin &&
                          std::none_of(f.tracks.begin(), f.tracks.end(), [&](const ast::Track& t) {
                            return t.span.begin > f.rounding->begin && t.span.begin < ties->begin;
                          }) &&
                          comments_in(f.rounding->begin, ties->begin).empty();
    if (together) {
      body.push_back(simple(Span{ties->source, f.rounding->begin, ties->end}, rounding_text(*f.rounding) + ", " + ties_text));
    } else {
      if (f.rounding) body.push_back(simple(*f.rounding, rounding_text(*f.rounding)));
      if (ties) body.push_back(simple(*ties, ties_text));
    }
    const ExprId last_header = ast::present(f.per_group) ? f.per_group : f.pool;
    return block_item(ctx, find_open_brace(m_.span(last_header).end), f.span.end - 1, header, std::move(body));
  });
}

Item Formatter::output(const ast::OutputDecl& o) {
  return item(o.span.begin, o.span.end, [this, &o](const Ctx& ctx) {
    Lines out;
    for (const std::size_t c : ctx.inner) out.push_back(comment_line(c, ctx.indent, ctx.block));
    OutLine cur;
    cur.block = ctx.block;
    const std::string word = o.items.empty() ? "output" : k_.before(KwId::kw_output, m_.span(o.items.front()).begin);
    cur.code = spaces(ctx.indent) + word;
    for (std::size_t i = 0; i < o.items.size(); ++i) {
      const std::string item = unparse(m_, o.items[i]);
      const bool last = i + 1 == o.items.size();
      const std::string candidate = cur.code + " " + item + (last ? "" : ",");
      if (i > 0 && width(candidate) > kFormatWidth) {
        out.push_back(cur);
        cur.code = spaces(ctx.indent + width(word) + 1) + item + (last ? "" : ",");
      } else {
        cur.code = candidate;
      }
    }
    if (ctx.trailing) cur.comment = comments_[*ctx.trailing].text;
    out.push_back(cur);
    return out;
  });
}

Item Formatter::override_decl(const ast::OverrideDecl& o) {
  return line_item(o.span.begin, o.span.end, [this, &o](const Ctx&, Cs& cs, Placement& pl) {
    Doc d = cat();
    const std::uint32_t target_end = o.target.parts.back().span.end;
    d += txt(k_.before(KwId::kw_override, o.target.parts.front().span.begin) + " " + ast::path_text(o.target) + " ");
    switch (o.kind) {
      case ast::OverrideKind::kWeight: d += txt(k_.after(KwId::kw_weight, target_end) + " " + weight_text(o.weight)); break;
      case ast::OverrideKind::kFormula:
        d += txt("= ");
        d += ex(o.formula, cs, pl);
        break;
      case ast::OverrideKind::kCoef:
        d += entries(txt(k_.after(KwId::kw_coef, target_end) + " {"), o.coef_entries, o.coef_else, " ", std::move(cs), pl);
        break;
      case ast::OverrideKind::kBand: {
        std::vector<std::string> parts;
        if (o.interval) parts.push_back(interval_text(*o.interval, k_));
        if (o.deadline) parts.push_back(deadline_text(*o.deadline, k_));
        if (o.text) parts.push_back(quote_text(*o.text));
        std::string s;
        for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? " " : "") + parts[i];
        d += txt(s);
        break;
      }
    }
    if (o.kind == ast::OverrideKind::kCoef) cs.clear();
    return d;
  });
}

}  // namespace jixiao::dsl::format_detail
