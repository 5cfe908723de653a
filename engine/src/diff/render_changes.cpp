// Rendering the rule changes: the aligned list for people, the JSON document for tools, and how a
// change is named as a cause.
#include <algorithm>

#include "common.hpp"
#include "jixiao/dsl/message.hpp"
#include "jixiao/dsl/utf8.hpp"
#include "render.hpp"

namespace jixiao::engine::diff_detail {
namespace {

// ---- text helpers ----

using Word = MessageDef<>;

// The word for a section, or an aspect of a change (the first column of a line), in `lang`.
std::string word(std::string_view key, Lang lang) {
  static constexpr std::pair<std::string_view, Word> kWords[] = {
      {"policy", msg::diff_section_policy}, {"inputs", msg::diff_section_inputs},
      {"params", msg::diff_section_params}, {"sets", msg::diff_section_sets},
      {"lets", msg::diff_section_lets}, {"indicators", msg::diff_section_indicators},
      {"vetoes", msg::diff_section_vetoes}, {"grades", msg::diff_section_grades},
      {"alerts", msg::diff_section_alerts}, {"funds", msg::diff_section_funds},
      {"output", msg::diff_section_output}, {"subject", msg::diff_aspect_subject},
      {"key", msg::diff_aspect_key}, {"period", msg::diff_aspect_period},
      {"precision", msg::diff_aspect_precision}, {"type", msg::diff_aspect_type},
      {"input", msg::diff_aspect_input}, {"value", msg::diff_aspect_value},
      {"param", msg::diff_aspect_param}, {"items", msg::diff_aspect_items},
      {"set", msg::diff_aspect_set}, {"formula", msg::diff_aspect_formula},
      {"let", msg::diff_aspect_let}, {"indicator", msg::diff_aspect_indicator},
      {"weight", msg::diff_aspect_weight}, {"full marks", msg::diff_aspect_full_marks},
      {"missing", msg::diff_aspect_missing}, {"deduct", msg::diff_aspect_deduct},
      {"bonus", msg::diff_aspect_bonus}, {"deductions max", msg::diff_aspect_deductions_max},
      {"bonuses max", msg::diff_aspect_bonuses_max}, {"condition", msg::diff_aspect_condition},
      {"effects", msg::diff_aspect_effects}, {"reason", msg::diff_aspect_reason},
      {"veto", msg::diff_aspect_veto}, {"kind", msg::diff_aspect_kind},
      {"of", msg::diff_aspect_of}, {"band", msg::diff_aspect_band},
      {"deadline", msg::diff_aspect_deadline}, {"text", msg::diff_aspect_text},
      {"order", msg::diff_aspect_order}, {"grade", msg::diff_aspect_grade},
      {"alert", msg::diff_aspect_alert}, {"pool", msg::diff_aspect_pool},
      {"per", msg::diff_aspect_per}, {"ties", msg::diff_aspect_ties},
      {"share", msg::diff_aspect_share}, {"coef", msg::diff_aspect_coef},
      {"split", msg::diff_aspect_split}, {"when", msg::diff_aspect_when},
      {"track", msg::diff_aspect_track}, {"fund", msg::diff_aspect_fund},
      {"columns", msg::diff_aspect_columns}, {"rollup", msg::diff_aspect_rollup},
  };
  for (const auto& [k, w] : kWords) {
    if (k == key) return w().str(lang);
  }
  return std::string(key);  // not reached: the table has every section and aspect the differ writes
}

// What a change changed, or (added, removed) what kind of thing it is, in `lang`.
std::string aspect_word(const RuleChange& c, Lang lang) {
  if (c.aspect == "band" && c.kind != ChangeKind::kChanged) return msg::diff_aspect_band_itself().str(lang);
  return word(c.aspect, lang);
}

// A policy-wide change's target (`key`, `output`) is a word too; others are names and paths.
std::string target_word(const RuleChange& c, Lang lang) {
  return c.section == "policy" || c.section == "output" ? word(c.target, lang) : c.target;
}

// One side of a change as shown to people: canonical texts as they are; the texts that are not
// policy text (no side, a deadline, a band's kind, "(sub-indicators)") in `lang`.
std::string side(const RuleChange& c, const std::string& s, Lang lang) {
  if (s.empty()) return msg::diff_none().str(lang);
  if (c.kind == ChangeKind::kChanged && c.aspect == "kind") return word(s, lang);
  for (const Word w : {msg::diff_sub_indicators, msg::diff_default_columns, msg::diff_no_interval}) {
    if (s == canonical(w())) return w().str(lang);
  }
  if (c.kind == ChangeKind::kChanged && c.aspect == "deadline") {
    const std::size_t space = s.find(' ');
    const std::string n = s.substr(0, space);
    if (s == canonical(msg::decl_days(n))) return msg::decl_days(n).str(lang);
    if (s == canonical(msg::decl_workdays(n))) return msg::decl_workdays(n).str(lang);
  }
  return s;
}

std::string verb(const RuleChange& c, Lang lang) {
  switch (c.kind) {
    case ChangeKind::kAdded: return msg::diff_verb_added().str(lang);
    case ChangeKind::kRemoved: return msg::diff_verb_removed().str(lang);
    case ChangeKind::kMoved: return msg::diff_verb_moved().str(lang);
    case ChangeKind::kChanged: return aspect_word(c, lang);
  }
  return "";
}

std::string detail(const RuleChange& c, Lang lang) {
  switch (c.kind) {
    case ChangeKind::kAdded: return aspect_word(c, lang) + (c.after.empty() ? "" : " " + c.after);
    case ChangeKind::kRemoved: return aspect_word(c, lang) + (c.before.empty() ? "" : " " + c.before);
    case ChangeKind::kMoved: return msg::diff_moved_to(c.after).str(lang);
    case ChangeKind::kChanged: return side(c, c.before, lang) + std::string(kArrow) + side(c, c.after, lang);
  }
  return "";
}

std::string kind_word(ChangeKind k) {
  switch (k) {
    case ChangeKind::kAdded: return "added";
    case ChangeKind::kRemoved: return "removed";
    case ChangeKind::kMoved: return "moved";
    case ChangeKind::kChanged: return "changed";
  }
  return "";
}

std::size_t count_real(const PolicyDiff& d) {
  return static_cast<std::size_t>(std::count_if(d.changes.begin(), d.changes.end(), [](const RuleChange& c) { return !c.derived; }));
}

}  // namespace

std::string pad(const std::string& s, std::size_t width) {
  const std::size_t w = utf8::display_width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

std::string pad_left(const std::string& s, std::size_t width) {
  const std::size_t w = utf8::display_width(s);
  return w >= width ? s : std::string(width - w, ' ') + s;
}


void json_labels(JsonWriter& w, const DiffLabels& labels) {
  w.key("old");
  w.begin_object();
  w.key("file");
  w.string(labels.old_file);
  w.key("policy");
  w.string(labels.old_policy);
  w.end_object();
  w.key("new");
  w.begin_object();
  w.key("file");
  w.string(labels.new_file);
  w.key("policy");
  w.string(labels.new_policy);
  w.end_object();
}

void json_changes(std::string& out, JsonWriter& w, const PolicyDiff& diff) {
  w.key("changes");
  w.begin_array();
  for (std::size_t i = 0; i < diff.changes.size(); ++i) {
    const RuleChange& c = diff.changes[i];
    out += i == 0 ? "\n" : ",\n";
    JsonWriter cw(out);  // one line per change
    cw.begin_object();
    cw.key("section");
    cw.string(c.section);
    cw.key("change");
    cw.string(kind_word(c.kind));
    cw.key("aspect");
    cw.string(c.aspect);
    cw.key("target");
    cw.string(c.target);
    cw.key("old");
    cw.string_or_null(c.before);
    cw.key("new");
    cw.string_or_null(c.after);
    cw.key("derived");
    cw.boolean(c.derived);
    cw.key("cosmetic");
    cw.boolean(c.cosmetic);
    cw.end_object();
  }
  if (!diff.changes.empty()) out += "\n";
  w.end_array();
}

}  // namespace jixiao::engine::diff_detail

namespace jixiao::engine {

using namespace diff_detail;  // NOLINT(google-build-using-namespace): this file's own helpers

constexpr std::size_t kLongCause = 40;  ///< code points of old and new text beyond which a cause is only named

std::string cause_text(const RuleChange& c, Lang lang) {
  const std::string target = target_word(c, lang);
  switch (c.kind) {
    case ChangeKind::kAdded: return msg::diff_cause_added(target).str(lang);
    case ChangeKind::kRemoved: return msg::diff_cause_removed(target).str(lang);
    case ChangeKind::kMoved: return msg::diff_cause_moved(target, c.after).str(lang);
    case ChangeKind::kChanged: {
      // `precision 2 → 1`, not `precision precision 2 → 1`.
      const std::string head = c.target == c.aspect ? target : target + " " + aspect_word(c, lang);
      // Long texts (formulas, splits) are named, not repeated: the list of changes has them.
      if (utf8::count_code_points(c.before) + utf8::count_code_points(c.after) > kLongCause) {
        return msg::diff_cause_changed(head).str(lang);
      }
      return head + " " + side(c, c.before, lang) + std::string(kArrow) + side(c, c.after, lang);
    }
  }
  return "";
}

std::string format_diff_text(const PolicyDiff& diff, const DiffLabels& labels, Lang lang) {
  std::string out = "--- " + msg::diff_heading_side(labels.old_file, labels.old_policy).str(lang) + "\n+++ " +
                    msg::diff_heading_side(labels.new_file, labels.new_policy).str(lang) + "\n";
  if (diff.equal()) return out + msg::diff_no_changes().str(lang) + "\n";
  const std::size_t real = count_real(diff);
  const std::size_t derived = diff.changes.size() - real;
  const Message count = (real == 1 ? msg::diff_count_one : msg::diff_count_many)(real);
  out += derived == 0 ? count.str(lang)
                      : (derived == 1 ? msg::diff_count_derived_one : msg::diff_count_derived_many)(count, derived).str(lang);
  out += "\n";
  std::size_t verb_width = 0;
  std::size_t target_width = 0;
  for (const RuleChange& c : diff.changes) {
    verb_width = std::max(verb_width, utf8::display_width(verb(c, lang)));
    target_width = std::max(target_width, utf8::display_width(target_word(c, lang)));
  }
  std::string section;
  for (const RuleChange& c : diff.changes) {
    if (c.section != section) {
      section = c.section;
      out += "\n" + word(section, lang) + "\n";
    }
    out += "  " + pad(verb(c, lang), verb_width) + "  " + pad(target_word(c, lang), target_width) + "  " + detail(c, lang) + "\n";
  }
  return out;
}

std::string format_diff_json(const PolicyDiff& diff, const DiffLabels& labels) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("version");
  w.integer(1);
  json_labels(w, labels);
  w.key("equal");
  w.boolean(diff.equal());
  json_changes(out, w, diff);
  w.end_object();
  out += "\n";
  return out;
}
}  // namespace jixiao::engine
