// Rendering the impact: for people (text), for spreadsheets (CSV, Chinese) and for tools (JSON).
#include <algorithm>
#include <set>

#include "common.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/json_writer.hpp"
#include "jixiao/dsl/message.hpp"
#include "jixiao/dsl/utf8.hpp"
#include "jixiao/engine/csv.hpp"
#include "render.hpp"

namespace jixiao::engine {
namespace {

using namespace diff_detail;  // NOLINT(google-build-using-namespace): the diff's shared helpers

Message communities(std::size_t n) { return (n == 1 ? msg::diff_communities_one : msg::diff_communities_many)(n); }

std::string signed_text(std::string s) { return s.front() == '-' ? s : "+" + s; }

std::string score_text(std::int64_t raw, int places) { return decimal::format(raw, decimal::kPlaces, places); }

std::string yuan(std::int64_t fen) { return decimal::format_yuan_grouped(fen) + "元"; }

// The money moved: half the sum of the absolute changes, to the fen (or to half a fen).
std::string moved_yuan(std::int64_t abs_changes, bool grouped) {
  if (abs_changes % 2 == 0) return grouped ? yuan(abs_changes / 2) : decimal::format_yuan(abs_changes / 2);
  const std::string s = decimal::format(abs_changes * 5, 3, 3);
  return grouped ? s + "元" : s;
}

struct Cell {
  std::string before;
  std::string after;
  std::string delta;  ///< empty when the output has none
};

// `grouped`: for people (in `lang`), with thousands separators and 元; otherwise for the CSV and JSON.
Cell cell(const ComparedOutput& out, const OutputValue& v, bool grouped, Lang lang) {
  switch (out.kind) {
    case OutputKind::kScore: {
      const int places = std::max(out.old_places, out.new_places);
      return {score_text(v.before, out.old_places), score_text(v.after, out.new_places),
              v.before == v.after ? score_text(0, places) : signed_text(score_text(v.after - v.before, places))};
    }
    case OutputKind::kMoney:
      if (grouped) {
        return {yuan(v.before), yuan(v.after), v.before == v.after ? yuan(0) : signed_text(yuan(v.after - v.before))};
      }
      return {decimal::format_yuan(v.before), decimal::format_yuan(v.after),
              v.before == v.after ? decimal::format_yuan(0) : signed_text(decimal::format_yuan(v.after - v.before))};
    case OutputKind::kVetoes:
      if (grouped) {
        const auto list = [lang](const std::string& s) {
          if (s.empty()) return msg::diff_none().str(lang);
          std::string text;
          for (const char ch : s) {
            if (ch == ';') {
              text += msg::diff_names_sep().str(lang);
            } else {
              text.push_back(ch);
            }
          }
          return text;
        };
        return {list(v.before_text), list(v.after_text), ""};
      }
      return {v.before_text, v.after_text, ""};
    case OutputKind::kGrade:
    case OutputKind::kAlert: return {v.before_text, v.after_text, ""};
  }
  return {};
}


std::vector<std::size_t> all_causes(const CommunityImpact& c) {
  std::set<std::size_t> s;
  for (const OutputValue& v : c.values) {
    s.insert(v.causes.begin(), v.causes.end());
    s.insert(v.unknown.begin(), v.unknown.end());
  }
  return {s.begin(), s.end()};
}

// The name of a compared output as shown to people (`vetoes` is a word, the others names).
std::string output_name(const ComparedOutput& o, Lang lang) {
  return o.kind == OutputKind::kVetoes ? msg::diff_output_vetoes().str(lang) : o.name;
}

std::string causes_text(const PolicyDiff& diff, const std::vector<std::size_t>& causes, Lang lang) {
  Names texts;
  for (const std::size_t i : causes) texts.push_back(cause_text(diff.changes[i], lang));
  return join(texts, msg::diff_list_sep().str(lang));
}

// Why an output changed: its causes (`jointly: ...` when none alone changes it), then the changes
// that reach it but were not made alone.
std::string why_text(const PolicyDiff& diff, const OutputValue& v, Lang lang) {
  std::string s;
  if (!v.causes.empty()) {
    const std::string list = causes_text(diff, v.causes, lang);
    s = v.jointly ? msg::diff_causes_jointly(list).str(lang) : list;
  }
  if (!v.unknown.empty()) {
    if (!s.empty()) s += msg::diff_list_sep().str(lang);
    s += msg::diff_causes_unknown(causes_text(diff, v.unknown, lang)).str(lang);
  }
  return s;
}

// What each cause alone moved of a change of money, and the rest: `of which A -1.00元; jointly +0.50元`.
std::string parts_text(const PolicyDiff& diff, const OutputValue& v, Lang lang) {
  Names parts;
  for (const MoneyPart& part : v.parts) {
    Names unit;  // the changes made together
    for (const std::size_t i : part.changes) unit.push_back(cause_text(diff.changes[i], lang));
    const std::string who = !unit.empty()       ? join(unit, msg::diff_unit_sep().str(lang))
                            : v.unknown.empty() ? msg::diff_money_part_jointly().str(lang)
                                                : msg::diff_money_part_rest().str(lang);
    parts.push_back(msg::diff_money_part(who, signed_text(yuan(part.fen))).str(lang));
  }
  return msg::diff_money_split(join(parts, msg::diff_list_sep().str(lang))).str(lang);
}

void indices(JsonWriter& w, const std::vector<std::size_t>& changes) {
  w.begin_array();
  for (const std::size_t i : changes) w.integer(static_cast<std::int64_t>(i));
  w.end_array();
}

std::string unmade_why(UnmadeWhy why) {
  switch (why) {
    case UnmadeWhy::kKind: return "kind";
    case UnmadeWhy::kCheck: return "check";
    case UnmadeWhy::kEvaluate: return "evaluate";
  }
  return "";
}

std::string output_kind_name(OutputKind k) {
  switch (k) {
    case OutputKind::kScore: return "score";
    case OutputKind::kGrade: return "grade";
    case OutputKind::kAlert: return "alert";
    case OutputKind::kVetoes: return "vetoes";
    case OutputKind::kMoney: return "money";
  }
  return "";
}


}  // namespace

std::string format_impact_text(const PolicyDiff& diff, const Impact& impact, Lang lang) {
  const Message on = impact.period.empty() ? msg::diff_impact_on(impact.data_path)
                                           : msg::diff_impact_on_period(impact.data_path, impact.period);
  std::string out = msg::diff_impact_head(on, communities(impact.compared), impact.communities.size()).str(lang) + "\n";
  if (impact.only_old > 0) out += msg::diff_only_old(communities(impact.only_old)).str(lang) + "\n";
  if (impact.only_new > 0) out += msg::diff_only_new(communities(impact.only_new)).str(lang) + "\n";
  if (!impact.unmade.empty()) {
    out += "\n" + msg::diff_unmade_heading().str(lang) + "\n";
    for (const UnmadeUnit& u : impact.unmade) {
      const Message why = u.why == UnmadeWhy::kKind    ? msg::diff_unmade_kind()
                          : u.why == UnmadeWhy::kCheck ? msg::diff_unmade_check()
                                                       : msg::diff_unmade_evaluate();
      out += "  " + msg::diff_unmade_line(causes_text(diff, u.changes, lang), why).str(lang) + "\n";
    }
  }
  for (const CommunityImpact& c : impact.communities) {
    out += "\n" + c.key + "\n";
    std::size_t label_width = 0;
    std::size_t before_width = 0;
    std::size_t after_width = 0;
    std::size_t delta_width = 0;
    std::vector<std::pair<std::size_t, Cell>> lines;
    for (std::size_t k = 0; k < impact.outputs.size(); ++k) {
      if (!c.values[k].changed) continue;
      Cell cl = cell(impact.outputs[k], c.values[k], true, lang);
      label_width = std::max(label_width, utf8::display_width(msg::diff_output_label(output_name(impact.outputs[k], lang)).str(lang)));
      before_width = std::max(before_width, utf8::display_width(cl.before));
      after_width = std::max(after_width, utf8::display_width(cl.after));
      delta_width = std::max(delta_width, utf8::display_width(cl.delta));
      lines.emplace_back(k, std::move(cl));
    }
    std::string previous;  // why the line above changed
    for (const auto& [k, cl] : lines) {
      // Values right-aligned, so that the digits of scores and amounts line up.
      const std::string label = msg::diff_output_label(output_name(impact.outputs[k], lang)).str(lang);
      std::string line = "  " + pad(label, label_width) + "  " + pad_left(cl.before, before_width) + std::string(kArrow) +
                         pad_left(cl.after, after_width);
      if (delta_width > 0) line += "  " + pad_left(cl.delta, delta_width);
      const std::string why = why_text(diff, c.values[k], lang);
      if (!why.empty()) {
        line += (why == previous ? msg::diff_as_above() : msg::diff_causes(why)).str(lang);
        previous = why;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
      if (c.values[k].parts.size() > 1) out += "    " + parts_text(diff, c.values[k], lang) + "\n";
    }
  }
  if (!impact.moves.empty()) {
    out += "\n" + msg::diff_moves_heading().str(lang) + "\n";
    std::size_t width = 0;
    for (const LabelMoves& m : impact.moves) width = std::max(width, utf8::display_width(m.name));
    for (const LabelMoves& m : impact.moves) {
      const bool grade = m.kind == OutputKind::kGrade;
      out += "  " + pad(m.name, width) + "  " + (grade ? msg::diff_moves_grade : msg::diff_moves_alert)(m.up, m.down).str(lang);
      if (m.other > 0) out += msg::diff_moves_other(m.other).str(lang);
      out += msg::diff_moves_unchanged(m.unchanged).str(lang) + "\n";
    }
  }
  if (!impact.money.empty()) {
    const bool pools_differ =
        std::any_of(impact.money.begin(), impact.money.end(), [](const MoneyMoved& m) { return m.old_total != m.new_total; });
    out += "\n" + (pools_differ ? msg::diff_money_heading_gains() : msg::diff_money_heading()).str(lang) + "\n";
    std::size_t name_width = 0;
    std::size_t moved_width = 0;
    std::size_t old_width = 0;
    for (const MoneyMoved& m : impact.money) {
      name_width = std::max(name_width, utf8::display_width(m.name));
      moved_width = std::max(moved_width, utf8::display_width(moved_yuan(m.abs_changes, true)));
      old_width = std::max(old_width, utf8::display_width(yuan(m.old_total)));
    }
    for (const MoneyMoved& m : impact.money) {
      if (m.old_total != m.new_total) {  // a pool that grew or shrank: who gained, who lost
        out += "  " + pad(m.name, name_width) + "  " +
               msg::diff_money_gains(communities(m.gainers), yuan(m.gained), communities(m.losers), yuan(m.lost), yuan(m.old_total),
                                     yuan(m.new_total))
                   .str(lang) +
               "\n";
        continue;
      }
      out += "  " + pad(m.name, name_width) + "  " +
             msg::diff_money_line(pad_left(moved_yuan(m.abs_changes, true), moved_width), pad_left(yuan(m.old_total), old_width),
                                  yuan(m.new_total))
                 .str(lang) +
             "\n";
    }
  }
  return out;
}

std::string format_impact_csv(const PolicyDiff& diff, const Impact& impact) {
  // A document for Chinese readers, like the results of `eval`: Chinese whatever the run's language.
  constexpr Lang kCsv = Lang::kZh;
  std::string out;
  append_csv_field(out, impact.key_name.empty() ? msg::diff_csv_key().str(kCsv) : impact.key_name);
  for (const ComparedOutput& o : impact.outputs) {
    const std::string name = output_name(o, kCsv);
    for (const Message& header : {msg::diff_csv_old(name), msg::diff_csv_new(name)}) {
      out += ",";
      append_csv_field(out, header.str(kCsv));
    }
    if (o.kind == OutputKind::kScore || o.kind == OutputKind::kMoney) {
      out += ",";
      append_csv_field(out, msg::diff_csv_delta(name).str(kCsv));
    }
  }
  out += ",";
  append_csv_field(out, msg::diff_csv_rules().str(kCsv));
  out += "\n";
  for (const CommunityImpact& c : impact.communities) {
    append_csv_field(out, c.key);
    for (std::size_t k = 0; k < impact.outputs.size(); ++k) {
      const Cell cl = cell(impact.outputs[k], c.values[k], false, kCsv);
      out += ",";
      append_csv_field(out, cl.before);
      out += ",";
      append_csv_field(out, cl.after);
      if (impact.outputs[k].kind == OutputKind::kScore || impact.outputs[k].kind == OutputKind::kMoney) {
        out += ",";
        append_csv_field(out, cl.delta.front() == '+' ? cl.delta.substr(1) : cl.delta);
      }
    }
    out += ",";
    append_csv_field(out, causes_text(diff, all_causes(c), kCsv));
    out += "\n";
  }
  return out;
}

std::string format_impact_json(const PolicyDiff& diff, const DiffLabels& labels, const Impact& impact) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("version");
  w.integer(1);
  json_labels(w, labels);
  w.key("equal");
  w.boolean(diff.equal());
  json_changes(out, w, diff);
  w.key("impact");
  w.begin_object();
  w.key("data");
  w.string(impact.data_path);
  w.key("period");
  w.string_or_null(impact.period);
  w.key("compared");
  w.integer(static_cast<std::int64_t>(impact.compared));
  w.key("changed");
  w.integer(static_cast<std::int64_t>(impact.communities.size()));
  w.key("only_old");
  w.integer(static_cast<std::int64_t>(impact.only_old));
  w.key("only_new");
  w.integer(static_cast<std::int64_t>(impact.only_new));
  w.key("communities");
  w.begin_array();
  for (const CommunityImpact& c : impact.communities) {
    out += &c == &impact.communities.front() ? "\n" : ",\n";
    JsonWriter cw(out);  // one line per community
    cw.begin_object();
    cw.key("key");
    cw.string(c.key);
    cw.key("changes");
    cw.begin_array();
    for (std::size_t k = 0; k < impact.outputs.size(); ++k) {
      const OutputValue& v = c.values[k];
      if (!v.changed) continue;
      const ComparedOutput& o = impact.outputs[k];
      const Cell cl = cell(o, v, false, Lang::kEn);  // numbers and labels only
      cw.begin_object();
      cw.key("output");
      cw.string(o.name);
      cw.key("kind");
      cw.string(output_kind_name(o.kind));
      if (o.kind == OutputKind::kVetoes) {
        for (const auto& [key, text] : {std::pair{"old", &v.before_text}, std::pair{"new", &v.after_text}}) {
          cw.key(key);
          cw.begin_array();
          std::size_t start = 0;
          while (!text->empty() && start <= text->size()) {
            const std::size_t semi = std::min(text->find(';', start), text->size());
            cw.string(text->substr(start, semi - start));
            start = semi + 1;
          }
          cw.end_array();
        }
      } else if (o.kind == OutputKind::kScore || o.kind == OutputKind::kMoney) {
        cw.key("old");
        cw.number_text(cl.before);
        cw.key("new");
        cw.number_text(cl.after);
        cw.key("delta");
        cw.number_text(cl.delta.front() == '+' ? cl.delta.substr(1) : cl.delta);
      } else {
        cw.key("old");
        cw.string(cl.before);
        cw.key("new");
        cw.string(cl.after);
      }
      cw.key("causes");
      indices(cw, v.causes);
      cw.key("jointly");
      cw.boolean(v.jointly);
      cw.key("not_alone");
      indices(cw, v.unknown);
      if (!v.parts.empty()) {
        cw.key("parts");
        cw.begin_array();
        for (const MoneyPart& part : v.parts) {
          cw.begin_object();
          cw.key("causes");
          indices(cw, part.changes);
          cw.key("delta");
          cw.number_text(decimal::format_yuan(part.fen));
          cw.end_object();
        }
        cw.end_array();
      }
      cw.end_object();
    }
    cw.end_array();
    cw.end_object();
  }
  if (!impact.communities.empty()) out += "\n";
  w.end_array();
  w.key("moves");
  w.begin_array();
  for (const LabelMoves& m : impact.moves) {
    w.begin_object();
    w.key("name");
    w.string(m.name);
    w.key("kind");
    w.string(output_kind_name(m.kind));
    w.key("up");
    w.integer(static_cast<std::int64_t>(m.up));
    w.key("down");
    w.integer(static_cast<std::int64_t>(m.down));
    w.key("other");
    w.integer(static_cast<std::int64_t>(m.other));
    w.key("unchanged");
    w.integer(static_cast<std::int64_t>(m.unchanged));
    w.end_object();
  }
  w.end_array();
  w.key("money");
  w.begin_array();
  for (const MoneyMoved& m : impact.money) {
    w.begin_object();
    w.key("name");
    w.string(m.name);
    w.key("old");
    w.number_text(decimal::format_yuan(m.old_total));
    w.key("new");
    w.number_text(decimal::format_yuan(m.new_total));
    w.key("moved");
    w.number_text(moved_yuan(m.abs_changes, false));
    w.key("gainers");
    w.integer(static_cast<std::int64_t>(m.gainers));
    w.key("gained");
    w.number_text(decimal::format_yuan(m.gained));
    w.key("losers");
    w.integer(static_cast<std::int64_t>(m.losers));
    w.key("lost");
    w.number_text(decimal::format_yuan(m.lost));
    w.end_object();
  }
  w.end_array();
  w.key("not_alone");
  w.begin_array();
  for (const UnmadeUnit& u : impact.unmade) {
    w.begin_object();
    w.key("changes");
    indices(w, u.changes);
    w.key("why");
    w.string(unmade_why(u.why));
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.end_object();
  out += "\n";
  return out;
}

}  // namespace jixiao::engine
