// `jixiao explain --format json`: the model (explain_model.hpp) as one JSON document, every number
// as exact decimal text. Computes nothing it prints.
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/json_writer.hpp"
#include "jixiao/dsl/version.hpp"
#include "jixiao/engine/results.hpp"
#include "common.hpp"

namespace jixiao::engine::explain {
namespace {

using detail::gcd128;

class JsonOut {
 public:
  explicit JsonOut(const Explanation& x) : x_(x), w_(out_) {}

  std::string write() {
    w_.begin_object();
    str("policy", x_.policy);
    str("version", x_.version);
    str("engine", "jixiao " + std::string(kVersion));
    str("subject", x_.subject);
    str("key_column", x_.key_column);
    str("key", x_.key);
    w_.key("row");
    w_.integer(static_cast<std::int64_t>(x_.shown_row));
    w_.key("period");
    w_.string_or_null(x_.period);
    if (!x_.segment.empty()) {
      str("segment", x_.segment);
      str("segment_when", x_.segment_when);
    }
    w_.key("indicators");
    w_.begin_array();
    for (const Node& n : x_.trees) node(n);
    w_.end_array();
    w_.key("lets");
    w_.begin_array();
    for (const LetStep& l : x_.lets) {
      w_.begin_object();
      str("name", l.name);
      formula_fields(l.formula);
      w_.end_object();
    }
    w_.end_array();
    w_.key("vetoes");
    w_.begin_array();
    for (const VetoStep& v : x_.vetoes) veto(v);
    w_.end_array();
    w_.key("bands");
    w_.begin_array();
    for (const BandStep& b : x_.bands) band(b);
    w_.end_array();
    w_.key("funds");
    w_.begin_array();
    for (const FundStep& f : x_.funds) fund(f);
    w_.end_array();
    w_.key("reasons");
    w_.begin_array();
    for (const ReasonEntry& e : x_.reasons) write_reason_json(w_, e);
    w_.end_array();
    w_.end_object();
    return pretty(out_);
  }

 private:
  void str(std::string_view k, const std::string& v) {
    w_.key(k);
    w_.string(v);
  }
  void score(std::string_view k, std::int64_t raw) {
    w_.key(k);
    w_.number_text(decimal::format(raw, decimal::kPlaces, x_.precision));
  }
  void num(std::string_view k, std::int64_t raw) {
    w_.key(k);
    w_.number_text(decimal::to_string(raw));
  }
  void money(std::string_view k, std::int64_t fen) {
    w_.key(k);
    w_.number_text(decimal::format_yuan(fen));
  }
  void boolean(std::string_view k, bool b) {
    w_.key(k);
    w_.boolean(b);
  }
  void opt_num(std::string_view k, const std::optional<std::int64_t>& v) {
    w_.key(k);
    if (v) {
      w_.number_text(decimal::to_string(*v));
    } else {
      w_.null();
    }
  }
  void opt_str(std::string_view k, const std::string& v) {
    w_.key(k);
    w_.string_or_null(v);
  }

  void val(const Val& v) {
    if (v.exact) {
      w_.number_text(exact_val_text(v, x_.precision, false));
      return;
    }
    switch (v.kind) {
      case Val::Kind::kNumber:
      case Val::Kind::kPercent: w_.number_text(decimal::to_string(v.raw)); return;
      case Val::Kind::kScore: w_.number_text(decimal::format(v.raw, decimal::kPlaces, x_.precision)); return;
      case Val::Kind::kMoney: w_.number_text(decimal::format_yuan(v.raw)); return;
      case Val::Kind::kBool: w_.boolean(v.raw != 0); return;
      case Val::Kind::kText: w_.string(v.text); return;
      case Val::Kind::kList:
      case Val::Kind::kSet:
        w_.begin_array();
        for (const auto& i : v.items) w_.string(i);
        w_.end_array();
        return;
      case Val::Kind::kNumberList:
        w_.begin_array();
        for (const auto& i : v.items) w_.number_text(i);
        w_.end_array();
        return;
      case Val::Kind::kMissing: w_.null(); return;
    }
  }

  void formula_fields(const Formula& f) {
    str("text", f.text);
    w_.key("value");
    val(f.value);
    if (f.rounded != 0) boolean("rounded", true);
    w_.key("reads");
    w_.begin_array();
    for (const Read& r : f.reads) {
      w_.begin_object();
      str("name", r.name);
      w_.key("value");
      val(r.value);
      w_.end_object();
    }
    w_.end_array();
    w_.key("values");
    w_.begin_array();
    for (const Detail& d : f.details) {
      w_.begin_object();
      str("expression", d.expr);
      w_.key("value");
      val(d.value);
      if (d.rounded != 0) boolean("rounded", true);
      if (!d.note.empty()) str("note", d.note);
      if (!d.history.empty()) {
        w_.key("history");
        w_.begin_array();
        for (const HistoryItem& h : d.history) {
          w_.begin_object();
          str("period", h.period);
          w_.key("value");
          val(h.value);
          w_.end_object();
        }
        w_.end_array();
      }
      w_.end_object();
    }
    w_.end_array();
  }

  void formula(std::string_view k, const std::optional<Formula>& f) {
    w_.key(k);
    if (!f) {
      w_.null();
      return;
    }
    w_.begin_object();
    formula_fields(*f);
    w_.end_object();
  }

  void total(std::string_view k, const Total& t) {
    w_.key(k);
    w_.begin_object();
    num("total", t.total);
    opt_num("cap", t.cap);
    boolean("capped", t.capped);
    num("applied", t.applied);
    w_.end_object();
  }

  void node(const Node& n) {
    w_.begin_object();
    str("name", n.name);
    str("path", n.path);
    w_.key("depth");
    w_.integer(n.depth);
    opt_str("weight", n.weight);
    num("full_marks", n.full);
    if (n.leaf) {
      formula("formula", n.formula);
      w_.key("missing");
      if (n.missing) {
        w_.begin_object();
        str("rule", n.missing_rule);
        w_.key("inputs");
        w_.begin_array();
        for (const auto& i : n.missing_inputs) w_.string(i);
        w_.end_array();
        w_.end_object();
      } else {
        w_.null();
        w_.key("clamped");
        if (n.clamp == 0) {
          w_.null();
        } else {
          w_.string(n.clamp > 0 ? "to_maximum" : "to_zero");
        }
        num("clamped_value", n.clamped);
        num("unrounded_points", n.unrounded);
      }
      score("points", n.base);
    } else {
      w_.key("children");
      w_.begin_array();
      for (const Node& c : n.children) node(c);
      w_.end_array();
      score("sum", n.sum);
      w_.key("reweighted");
      if (n.reweighted) {
        w_.begin_object();
        num("absent_full_marks", n.absent_full);
        score("points", n.base);
        w_.end_object();
      } else {
        w_.null();
      }
    }
    boolean("absent", n.absent);
    w_.key("adjustments");
    w_.begin_array();
    for (const Adjustment& a : n.adjustments) {
      w_.begin_object();
      str("kind", a.bonus ? "bonus" : "deduct");
      str("name", a.name);
      formula("amount", a.amount);
      formula("per", a.per);
      formula("when", a.when);
      num("computed", a.computed);
      opt_num("cap", a.cap);
      boolean("capped", a.capped);
      num("applied", a.applied);
      w_.end_object();
    }
    w_.end_array();
    if (n.adjusted) {
      total("deductions", n.deductions);
      total("bonuses", n.bonuses);
    }
    if (n.absent) {
      w_.key("score");
      w_.null();
    } else {
      score("score", n.score);
    }
    w_.end_object();
  }

  void veto(const VetoStep& v) {
    w_.begin_object();
    str("name", v.name);
    formula("condition", v.condition);
    boolean("fired", v.fired);
    str("reason", v.reason);
    w_.key("effects");
    w_.begin_array();
    for (const EffectInfo& e : v.effects) {
      w_.begin_object();
      str("kind", e.kind);
      opt_str("target", e.target);
      if (e.kind == "grade_down") {
        w_.key("steps");
        w_.integer(e.steps);
      } else if (e.kind != "fund_zero") {
        str("label", e.label);
      }
      str("text", e.text);
      w_.end_object();
    }
    w_.end_array();
    w_.end_object();
  }

  void band(const BandStep& b) {
    w_.begin_object();
    str("name", b.name);
    str("kind", b.alert ? "alert" : "grade");
    formula("of", b.of);
    w_.key("band");
    if (b.found) {
      w_.begin_object();
      str("label", b.band);
      str("interval", b.interval);
      w_.end_object();
    } else {
      w_.null();
    }
    w_.key("effects");
    w_.begin_array();
    for (const BandEffect& e : b.effects) {
      w_.begin_object();
      str("veto", e.veto);
      str("effect", e.effect);
      str("from", e.before);
      str("to", e.after);
      w_.end_object();
    }
    w_.end_array();
    str("label", b.label);
    w_.key("changed_by");
    w_.begin_array();
    for (const auto& v : b.changed_by) w_.string(v);
    w_.end_array();
    opt_str("deadline", b.deadline);
    opt_str(b.alert ? "action" : "text", b.text);
    w_.end_object();
  }

  void weight(std::string_view k, const TrackStep& t, Int128 w) {
    w_.key(k);
    w_.number_text(t.weight ? exact_weight_text(t, w, x_.precision, false) : decimal::int128_to_string(w));
  }

  void fund(const FundStep& f) {
    w_.begin_object();
    str("name", f.name);
    str("pool_expression", f.pool_expr);
    money("pool", f.fund_pool);
    opt_str("per", f.per_expr);
    opt_str("group", f.per_expr.empty() ? "" : f.group);
    money("group_pool", f.group_pool);
    w_.key("tracks");
    w_.begin_array();
    for (const TrackStep& t : f.tracks) {
      w_.begin_object();
      str("name", t.name);
      str("track_share", t.share);
      str("mode", t.mode == ast::TrackMode::kSplitBy ? "split_by" : t.mode == ast::TrackMode::kEqually ? "equally" : "top");
      opt_str("top", t.top);
      formula("when", t.when);
      w_.key("excluded_by");
      w_.begin_array();
      for (const auto& v : t.excluded_by) w_.string(v);
      w_.end_array();
      boolean("eligible", t.eligible);
      formula("rank_by", t.rank);
      if (t.rank) {
        boolean("in_top", t.in_top);
        w_.key("lowest_in_top");
        if (t.lowest_in_top) {
          val(*t.lowest_in_top);
        } else {
          w_.null();
        }
      }
      formula("weight_formula", t.weight);
      w_.key("pool");
      if (t.has_split) {
        w_.number_text(decimal::format_yuan(t.pool));
      } else {
        w_.null();
      }
      boolean("in_split", t.in_split);
      if (t.in_split) {
        weight("weight", t, t.w);
        weight("total_weight", t, t.total_weight);
        w_.key("recipients");
        w_.integer(static_cast<std::int64_t>(t.recipients));
        if (t.total_weight != 0) {
          const Int128 g = gcd128(t.numerator, t.total_weight);
          w_.key("exact_share_fen");
          w_.string(decimal::int128_to_string(t.numerator / g) + "/" + decimal::int128_to_string(t.total_weight / g));
          w_.key("whole_fen");
          w_.number_text(decimal::int128_to_string(t.whole));
          const Int128 rg = t.remainder == 0 ? 1 : gcd128(t.remainder, t.total_weight);
          w_.key("remainder_fen");
          w_.string(t.remainder == 0 ? "0" : decimal::int128_to_string(t.remainder / rg) + "/" + decimal::int128_to_string(t.total_weight / rg));
          w_.key("leftover_fen");
          w_.integer(t.leftover);
        }
      }
      boolean("extra_fen", t.extra);
      money("amount", t.amount);
      w_.end_object();
    }
    w_.end_array();
    money("total", f.total);
    w_.end_object();
  }

  // Indents the one-line document: two spaces per level, `"key": value`, empty [] and {} kept.
  static std::string pretty(const std::string& in) {
    std::string out;
    int depth = 0;
    bool in_string = false;
    auto newline = [&]() {
      out += '\n';
      out.append(static_cast<std::size_t>(depth) * 2, ' ');
    };
    for (std::size_t i = 0; i < in.size(); ++i) {
      const char c = in[i];
      if (in_string) {
        out += c;
        if (c == '\\') {
          out += in[++i];
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      switch (c) {
        case '"':
          in_string = true;
          out += c;
          break;
        case '{':
        case '[':
          out += c;
          if (i + 1 < in.size() && (in[i + 1] == '}' || in[i + 1] == ']')) {
            out += in[++i];
            break;
          }
          ++depth;
          newline();
          break;
        case '}':
        case ']':
          --depth;
          newline();
          out += c;
          break;
        case ',':
          out += c;
          newline();
          break;
        case ':':
          out += ": ";
          break;
        default:
          out += c;
          break;
      }
    }
    out += '\n';
    return out;
  }

  const Explanation& x_;
  std::string out_;
  JsonWriter w_;
};

}  // namespace

std::string write_json(const Explanation& x) { return JsonOut(x).write(); }

}  // namespace jixiao::engine::explain
