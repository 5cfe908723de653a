// `jixiao explain` as text for people (in Chinese): writes the model (explain_model.hpp) and
// computes nothing it prints. Every equation it prints holds exactly, or says where and how a value
// was rounded (quotient()).
#include <algorithm>

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/engine/results.hpp"
#include "common.hpp"

namespace jixiao::engine::explain {
namespace {

using detail::gcd128;
constexpr std::int64_t kHundred = 100 * decimal::kOne;

class TextWriter {
 public:
  explicit TextWriter(const Explanation& x) : x_(x) {}

  std::string write() {
    line(0, "【" + x_.subject + " " + x_.key + "】 " + x_.policy + " " + x_.version);
    std::string where = "数据第 " + std::to_string(x_.shown_row) + " 行 (" + x_.key_column + " = " + x_.key + ")";
    if (!x_.period.empty()) {
      where += ", 评价期 " + x_.period + (x_.first_period != x_.period ? " (历史数据自 " + x_.first_period + ")" : "");
    }
    line(0, where);
    if (!x_.segment.empty()) line(0, "分类 " + x_.segment + " (" + x_.segment_when + "): 按该分类的指标树评分");
    if (!x_.trees.empty()) {
      blank();
      line(0, "一、指标得分");
      for (const Node& n : x_.trees) node(n, 1);
    }
    if (!x_.lets.empty()) {
      blank();
      line(0, "二、中间值");
      for (const LetStep& l : x_.lets) {
        line(1, l.name + " = " + l.formula.text + equals(l.formula.rounded) + val(l.formula.value) + stepwise(l.formula.rounded));
        inner(l.formula, 2, false);
      }
    }
    if (!x_.vetoes.empty()) {
      blank();
      line(0, "三、否决");
      for (const VetoStep& v : x_.vetoes) veto(v);
    }
    if (!x_.bands.empty()) {
      blank();
      line(0, "四、等级与预警");
      for (const BandStep& b : x_.bands) band(b);
    }
    if (!x_.funds.empty()) {
      blank();
      line(0, "五、资金");
      for (const FundStep& f : x_.funds) fund(f);
    }
    if (x_.has_rules) {
      blank();
      line(0, "六、触发规则 (结果中 触发规则 一列)");
      if (x_.reasons.empty()) line(1, "无");
      for (const ReasonEntry& e : x_.reasons) line(1, reason_entry_display(e));
    }
    return out_;
  }

 private:
  void line(int indent, const std::string& text) {
    out_.append(static_cast<std::size_t>(indent) * 2, ' ');
    out_ += bullet_;
    out_ += text;
    out_ += '\n';
  }
  void blank() { out_ += '\n'; }

  std::string score(std::int64_t raw) const { return decimal::format(raw, decimal::kPlaces, x_.precision); }
  static std::string num(std::int64_t raw) { return decimal::to_string(raw); }

  std::string rounded_to_precision() const { return "四舍五入到 " + std::to_string(x_.precision) + " 位小数"; }

  // The end of a line `a × b ÷ c` whose product is `product` (raw × raw) and divisor `divisor`
  // (raw): ` = ` the engine's result at 6 decimals (`at6`) when that is the exact quotient, else
  // ` ≈ ` it and that it was rounded there; then, when the policy's precision changed it, the
  // score it was rounded to (`rounded`). Every `=` it prints holds exactly: an auditor who redoes
  // the line gets the same number, or is told where it was rounded.
  std::string quotient(Int128 product, std::int64_t divisor, std::int64_t at6, std::int64_t rounded) const {
    const bool exact = divisor != 0 && product % divisor == 0;
    std::string out = exact ? " = " : " ≈ ";
    if (at6 == rounded) {
      out += score(rounded) + "分";
      if (!exact) out += " (保留 " + std::to_string(decimal::kPlaces) + " 位小数)";
      return out;
    }
    out += num(at6);
    if (!exact) out += " (保留 " + std::to_string(decimal::kPlaces) + " 位小数)";
    return out + " → " + score(rounded) + "分 (" + rounded_to_precision() + ")";
  }
  // A formula and its value: ` = `, or ` ≈ ` when the engine rounded an operation of it (the
  // language's arithmetic, docs/language.md §10: to 6 decimals, money to the fen), which
  // stepwise() then says (Formula::rounded).
  static std::string equals(int rounded) { return rounded != 0 ? " ≈ " : " = "; }
  static std::string stepwise(int rounded) {
    const std::string six = "每步运算保留 " + std::to_string(decimal::kPlaces) + " 位小数";
    switch (rounded) {
      case 0: return "";
      case 1: return " (" + six + ")";
      case 2: return " (金额保留到分)";
      default: return " (" + six + ", 金额保留到分)";
    }
  }
  static std::string money(std::int64_t fen) { return decimal::format_yuan_grouped(fen) + "元"; }

  std::string val(const Val& v) const {
    if (v.exact) {
      const std::string text = exact_val_text(v, x_.precision, true);
      return v.kind == Val::Kind::kMoney ? grouped(text) + "元" : v.kind == Val::Kind::kScore ? text + "分" : text;
    }
    switch (v.kind) {
      case Val::Kind::kNumber: return num(v.raw);
      case Val::Kind::kScore: return score(v.raw) + "分";
      case Val::Kind::kPercent: return num(v.raw) + "%";
      case Val::Kind::kMoney: return money(v.raw);
      case Val::Kind::kBool: return v.raw ? "是" : "否";
      case Val::Kind::kText: return v.text.empty() ? "(空)" : v.text;
      case Val::Kind::kList:
      case Val::Kind::kNumberList: {
        if (v.items.empty()) return "(空)";
        std::string s;
        for (const auto& i : v.items) s += (s.empty() ? "" : "、") + i;
        return s;
      }
      case Val::Kind::kSet: {
        std::string s;
        for (const auto& i : v.items) s += (s.empty() ? "{ \"" : ", \"") + i + "\"";
        return s.empty() ? "{ }" : s + " }";
      }
      case Val::Kind::kMissing: return "缺项 (无数据)";
    }
    return "";
  }

  std::string reads(const std::vector<Read>& rs) const {
    std::string s;
    for (const Read& r : rs) s += (s.empty() ? "" : ", ") + r.name + " = " + val(r.value);
    return s;
  }

  // The names a formula read and its inner values, one line each, at `indent`.
  void inner(const Formula& f, int indent, bool with_formula) {
    if (with_formula) line(indent, "公式: " + f.text);
    if (!f.reads.empty()) line(indent, "读取: " + reads(f.reads));
    for (const Detail& d : f.details) {
      std::string s = d.expr + equals(d.rounded) + val(d.value) + stepwise(d.rounded);
      if (!d.note.empty() || !d.history.empty()) {
        s += " (" + d.note;
        if (!d.history.empty()) {
          s += d.note.empty() ? "" : ": ";
          for (std::size_t i = 0; i < d.history.size(); ++i) {
            s += (i ? ", " : "") + d.history[i].period + " " + val(d.history[i].value);
          }
        }
        s += ")";
      }
      line(indent, "其中: " + s);
    }
  }

  // A node's line at `level`; its details one level deeper, marked `·`, after its sub-indicators.
  void node(const Node& n, int level) {
    std::string head = n.name;
    if (!n.weight.empty()) head += "  权重 " + n.weight;
    head += "  满分 " + num(n.full) + "分  得分 " + (n.absent ? std::string("不计 (缺项)") : score(n.score) + "分");
    line(level, head);
    for (const Node& c : n.children) node(c, level + 1);
    bullet_ = "· ";
    details(n, level + 1);
    bullet_.clear();
  }

  void details(const Node& n, int in) {
    if (n.leaf) {
      inner(*n.formula, in, true);
      if (n.missing) {
        std::string names;
        for (const auto& m : n.missing_inputs) names += (names.empty() ? "" : "、") + m;
        const std::string rule = n.missing_rule == "zero"           ? "按 0 分计 (missing zero)"
                                 : n.missing_rule == "peer_average" ? "按同期平均分 " + score(n.base) + "分计 (missing peer_average)"
                                                                    : "不参与计分, 由同级指标按权重分摊 (missing reweight)";
        line(in, "缺项: " + names + " 无数据, " + rule);
        if (n.missing_rule == "peer_average") return;
      } else {
        line(in, "公式值: " + num(n.formula->value.raw) + stepwise(n.formula->rounded));
        if (n.clamp > 0) {
          line(in, "公式值高于 " + num(n.clamp_limit) + ", 按 " + num(n.clamp_limit) + " 计 (满分为止)");
        } else if (n.clamp < 0) {
          line(in, "公式值低于 0, 按 0 计 (扣完为止)");
        }
        std::string calc = "折算: " + num(n.clamped);
        if (n.points) {
          calc += n.unrounded != n.base ? " → " + score(n.base) + "分 (" + rounded_to_precision() + ")" : std::string("分");
        } else {
          calc += " × " + num(n.full) + "分 ÷ 100" + quotient(Int128{n.clamped} * n.full, kHundred, n.unrounded, n.base);
        }
        line(in, calc);
      }
    } else {
      std::string sum;
      std::string absent;
      for (const Node& c : n.children) {
        if (c.absent) {
          absent += (absent.empty() ? "" : "、") + c.name;
          continue;
        }
        sum += (sum.empty() ? "" : " + ") + score(c.score);
      }
      line(in, "合计: " + (sum.empty() ? "0" : sum) + " = " + score(n.sum) + "分" +
                   (absent.empty() ? "" : " (" + absent + " 缺项, 不计)"));
      if (n.reweighted) {
        if (n.absent) {
          line(in, "下级指标全部缺项: 本项不参与计分, 由同级指标分摊");
        } else {
          const std::int64_t present = n.full - n.absent_full;
          const Int128 product = Int128{n.sum} * n.full;
          line(in, "重新加权: " + score(n.sum) + " × " + num(n.full) + " ÷ (" + num(n.full) + " − " + num(n.absent_full) + ")" +
                       quotient(product, present, n.reweight_scaled, n.base));
        }
      }
    }
    if (!n.adjusted) return;
    bool deducts = false;
    bool bonuses = false;
    for (const Adjustment& a : n.adjustments) {
      adjustment(a, in);
      (a.bonus ? bonuses : deducts) = true;
    }
    total("扣分", n.deductions, in, "扣分合计 最多");
    total("加分", n.bonuses, in, "加分合计 最多");
    std::string result = "结果: " + score(n.base);
    if (deducts) {
      result += " − 扣分 " + num(n.deductions.applied);
      if (n.floored) result += " → 0 (扣完为止)";
    }
    if (bonuses) result += " + 加分 " + num(n.bonuses.applied);
    // The engine rounds the result to the precision: said when that changed it.
    result += n.combined == n.score ? " = " + score(n.score) + "分"
                                    : " = " + num(n.combined) + " → " + score(n.score) + "分 (" + rounded_to_precision() + ")";
    line(in, result);
  }

  void adjustment(const Adjustment& a, int indent) {
    std::string s = std::string(a.bonus ? "加分 " : "扣分 ") + a.name + ": ";
    if (a.when && a.when->value.raw == 0) {
      s += "条件 " + a.when->text + " 不成立 → 0分";
    } else {
      if (a.when) s += "条件 " + a.when->text + " 成立; ";
      // amount (× per) as the engine computed it, at 6 decimals (≈ when that rounded the product);
      // a negative amount counts as 0.
      std::int64_t value = a.amount.value.raw;
      if (a.per) {
        value = *a.product;
        const bool exact = Int128{a.amount.value.raw} * a.per->value.raw == Int128{value} * decimal::kOne;
        s += num(a.amount.value.raw) + " × " + a.per->text + " (" + num(a.per->value.raw) + ")" + (exact ? " = " : " ≈ ") +
             num(value) + (exact ? "" : " (保留 " + std::to_string(decimal::kPlaces) + " 位小数)");
      } else {
        s += a.amount.text + equals(a.amount.rounded) + num(value) + stepwise(a.amount.rounded);
      }
      s += value == a.computed ? std::string("分") : " → " + num(a.computed) + "分 (负数按 0 计)";
      if (a.cap) {
        s += ", 上限 " + num(*a.cap) + "分";
        if (a.capped) s += ", 按上限计 " + num(a.applied) + "分 (上限起作用)";
      }
    }
    line(indent, s);
    std::vector<Read> rs;
    std::vector<Detail> ds;
    for (const Formula* f : {&a.amount, a.per ? &*a.per : nullptr, a.when ? &*a.when : nullptr}) {
      if (f == nullptr) continue;
      for (const Read& r : f->reads) {
        if (std::none_of(rs.begin(), rs.end(), [&](const Read& x) { return x.name == r.name; })) rs.push_back(r);
      }
      ds.insert(ds.end(), f->details.begin(), f->details.end());
    }
    Formula merged;
    merged.reads = std::move(rs);
    merged.details = std::move(ds);
    inner(merged, indent + 1, false);
  }

  void total(const std::string& what, const Total& t, int indent, const std::string& keyword) {
    if (!t.cap) return;
    std::string s = what + "合计 " + num(t.total) + "分, 封顶 (" + keyword + ") " + num(*t.cap) + "分";
    s += t.capped ? ", 按上限计 " + num(t.applied) + "分 (上限起作用)" : "";
    line(indent, s);
  }

  void veto(const VetoStep& v) {
    line(1, v.name + ": " + (v.fired ? "触发" : "未触发"));
    line(2, "条件: " + v.condition.text);
    inner(v.condition, 2, false);
    if (!v.fired) return;
    line(2, "理由: " + v.reason);
    std::string effects;
    for (const EffectInfo& e : v.effects) effects += (effects.empty() ? "" : "; ") + e.text;
    line(2, "效果: " + effects);
  }

  void band(const BandStep& b) {
    line(1, b.name + ": " + b.label);
    line(2, "评定依据: " + b.of.text + equals(b.of.rounded) + val(b.of.value) + stepwise(b.of.rounded));
    if (!(b.of.reads.size() == 1 && b.of.reads[0].name == b.of.text)) inner(b.of, 2, false);
    line(2, b.found ? "所在档: " + b.band + " " + b.interval : "所在档: 无");
    for (const BandEffect& e : b.effects) {
      line(2, "否决 " + e.veto + " (" + e.effect + "): " + e.before + " → " + e.after + (e.before == e.after ? " (不变)" : ""));
    }
    std::string result = "结果: " + b.label;
    if (!b.changed_by.empty()) {
      std::string by;
      for (const auto& v : b.changed_by) by += (by.empty() ? "" : "、") + v;
      result += " (由否决 " + by + " 改变, 区间结果为 " + b.band + ")";
    }
    line(2, result);
    if (!b.deadline.empty()) line(2, "期限: " + b.deadline);
    if (!b.text.empty()) line(2, std::string(b.alert ? "措施: " : "说明: ") + b.text);
  }

  // A weight (or a sum of weights) in the unit of the track's weight formula, exactly.
  std::string weight_text(const TrackStep& t, Int128 w) const {
    if (!t.weight) return decimal::int128_to_string(w);
    if (t.money_weight) return grouped(weight_value(t, w, true)) + "元";
    if (t.weight->value.kind == Val::Kind::kScore) return weight_value(t, w, true) + "分";
    return weight_value(t, w, true);
  }

  // "1234567.891" → "1,234,567.891".
  static std::string grouped(std::string s) {
    const std::size_t first = s.find_first_of("0123456789");
    std::size_t end = s.find('.');
    if (end == std::string::npos) end = s.find_first_not_of("0123456789", first);
    if (end == std::string::npos) end = s.size();
    for (std::size_t i = end; i > first + 3; i -= 3) s.insert(i - 3, ",");
    return s;
  }

  std::string weight_value(const TrackStep& t, Int128 w, bool mark_inexact) const {
    return exact_weight_text(t, w, x_.precision, mark_inexact);
  }

  void fund(const FundStep& f) {
    line(1, f.name + ": 资金总额 " + money(f.fund_pool) + " (" + f.pool_expr + ")");
    if (!f.per_expr.empty()) line(2, "按 " + f.per_expr + " 分组: 本" + x_.subject + "属 " + f.group + ", 该组资金 " + money(f.group_pool));
    for (const TrackStep& t : f.tracks) track(t, !f.per_expr.empty());
    line(2, f.name + " 合计: " + money(f.total));
  }

  void track(const TrackStep& t, bool grouped) {
    std::string how;
    switch (t.mode) {
      case ast::TrackMode::kSplitBy: how = "按 " + t.weight->text + " 分配"; break;
      case ast::TrackMode::kEqually: how = "平均分配"; break;
      case ast::TrackMode::kTop:
        how = "按 " + t.rank->text + " 取前 " + t.top + (t.top.find('%') != std::string::npos ? "" : " 名") + ", " +
              (t.weight ? "按 " + t.weight->text + " 比例分配" : "平均分配");
        break;
    }
    if (t.mode == ast::TrackMode::kTop && !t.rank) how = "取前 " + t.top;
    line(2, t.name + " (" + t.share + ", " + how + ")");
    if (t.has_split) line(3, "本项资金: " + money(t.pool));
    std::string why;
    if (t.when) why = "条件 " + t.when->text + ": " + (t.when->value.raw ? "成立" : "不成立");
    for (const auto& v : t.excluded_by) why += (why.empty() ? "" : "; ") + ("否决 " + v + " 触发, 不参与分配");
    line(3, "资格: " + std::string(t.eligible ? "符合" : "不符合") + (why.empty() ? "" : " (" + why + ")"));
    if (t.when) inner(*t.when, 4, false);
    if (t.eligible && t.rank) {
      const std::string top = t.top + (t.top.find('%') != std::string::npos ? "" : " 名");
      std::string s = "排名依据: " + t.rank->text + equals(t.rank->rounded) + val(t.rank->value) + stepwise(t.rank->rounded);
      if (t.lowest_in_top) {
        s += (t.in_top ? ", 入选前 " : ", 未入选前 ") + top + " (入选者最低 " + val(*t.lowest_in_top) + ")";
      }
      line(3, s);
    }
    if (!t.in_split) {
      line(3, "实得: " + money(t.amount));
      return;
    }
    const std::string w = weight_text(t, t.w);
    const std::string who = std::string(grouped ? "本组" : "") + "参与分配 " + std::to_string(t.recipients) + " 个" + x_.subject;
    const std::string total = weight_text(t, t.total_weight);
    if (t.weight) {
      line(3, "权重: " + t.weight->text + " = " + w);
      inner(*t.weight, 4, false);
      line(3, who + ", 权重合计 " + total);
    } else {
      line(3, "权重: 每个 1; " + who + ", 权重合计 " + total);
    }
    if (t.total_weight == 0) {
      line(3, "实得: " + money(t.amount));
      return;
    }
    std::string share = "应得: " + money(t.pool) + " × " + w + " ÷ " + total + " = " +
                        money(static_cast<std::int64_t>(t.whole));
    if (t.remainder != 0) {
      const Int128 g = gcd128(t.remainder, t.total_weight);
      share += " + " + decimal::int128_to_string(t.remainder / g) + "/" + decimal::int128_to_string(t.total_weight / g) + "分";
    } else {
      share += " (恰好整分)";
    }
    line(3, share);
    std::string got = "实得: " + money(t.amount);
    const std::string left = std::string(grouped ? "本组" : "") + "各得整分后余 " + std::to_string(t.leftover) +
                             "分, 按余数从大到小每个补 1分";
    if (t.extra) {
      got += " = 整分 " + money(static_cast<std::int64_t>(t.whole)) + " + 补 1分 (" + left + ")";
    } else if (t.remainder != 0) {
      got += " (只得整分: " + left + ", 未轮到本" + x_.subject + ")";
    }
    line(3, got);
  }

  const Explanation& x_;
  std::string out_;
  std::string bullet_;  ///< before every line: `· ` for an indicator's details
};

}  // namespace

std::string write_text(const Explanation& x) { return TextWriter(x).write(); }

}  // namespace jixiao::engine::explain
