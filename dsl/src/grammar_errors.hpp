// Messages for the grammar's committed error points, and the PEGTL control that raises them.
// Every rule used inside must<> has a message here; a missing one fails to compile.
#pragma once

#include <tao/pegtl.hpp>

#include "grammar.hpp"

namespace jixiao::dsl::grammar {

template <typename Rule>
inline constexpr const char* error_message = nullptr;

// clang-format off
template <> inline constexpr auto error_message<string_close> = "expected `\"` to close the text";
template <> inline constexpr auto error_message<path_rest> = "expected a name after `.`";
template <> inline constexpr auto error_message<expect_expr> = "expected an expression";
template <> inline constexpr auto error_message<expect_operand> = "expected a value after the operator";
template <> inline constexpr auto error_message<expect_term> = "expected a value after `+` or `-`";
template <> inline constexpr auto error_message<expect_comparand> = "expected a value after the comparison";
template <> inline constexpr auto error_message<expect_not_operand> = "expected a condition after `not`";
template <> inline constexpr auto error_message<expect_and_operand> = "expected a condition after `and`";
template <> inline constexpr auto error_message<expect_or_operand> = "expected a condition after `or`";
template <> inline constexpr auto error_message<expect_close_paren> = "expected `)`";
template <> inline constexpr auto error_message<expect_open_paren> = "expected `(`";
template <> inline constexpr auto error_message<expect_open_brace> = "expected `{`";
template <> inline constexpr auto error_message<expect_close_brace> = "expected `}`";
template <> inline constexpr auto error_message<expect_then> = "expected `then` after the condition of `if`";
template <> inline constexpr auto error_message<expect_else> = "expected `else`: an `if` needs both branches";
template <> inline constexpr auto error_message<expect_bound> = "expected a number, `inf` or `∞` as an interval end";
template <> inline constexpr auto error_message<expect_interval_comma> = "expected `,` between the two ends of the interval";
template <> inline constexpr auto error_message<expect_interval_close> = "expected `]` (end included) or `)` (end excluded)";
template <> inline constexpr auto error_message<expect_interval> = "expected an interval such as `[90, 100]` or `[75, 90)`";
template <> inline constexpr auto error_message<policy_name> = "expected the policy's name in quotes, e.g. `policy \"社区绩效评价\"`";
template <> inline constexpr auto error_message<policy_version> = "expected the version in quotes, e.g. `version \"2024.1\"`";
template <> inline constexpr auto error_message<subject_name> = "expected what is evaluated, e.g. `subject 社区 key 社区编码`";
template <> inline constexpr auto error_message<expect_key> = "expected `key` and the key column, e.g. `subject 社区 key 社区编码`";
template <> inline constexpr auto error_message<key_name> = "expected the name of the key column";
template <> inline constexpr auto error_message<expect_missing_mode> = "expected what a missing value means: `zero`, `peer_average` or `reweight`";
template <> inline constexpr auto error_message<expect_period_name> = "expected the name of the period column, e.g. `period 年度`";
template <> inline constexpr auto error_message<expect_range_sep> = "expected `..` between the two ends of the range, e.g. `0..100`";
template <> inline constexpr auto error_message<expect_range_hi> = "expected the upper end of the range";
template <> inline constexpr auto error_message<expect_lt> = "expected `<` after `list`, as in `list<text>` or `list<score>`";
template <> inline constexpr auto error_message<expect_list_item> = "expected `text`, `number` or `score`: `list<text>`, `list<number>` or `list<score>`";
template <> inline constexpr auto error_message<expect_gt> = "expected `>`";
template <> inline constexpr auto error_message<expect_type> = "expected a type: score, number, percent, count, money, text, bool, one_of { ... } or list<text>";
template <> inline constexpr auto error_message<expect_colon> = "expected `:` and the input's type, e.g. `居民评分 : score 0..100`";
template <> inline constexpr auto error_message<expect_input_close> = "expected `}` or another input `名称 : 类型`";
template <> inline constexpr auto error_message<expect_decl_name> = "expected a name";
template <> inline constexpr auto error_message<expect_equals> = "expected `=`";
template <> inline constexpr auto error_message<expect_set_lit> = "expected a set of texts, e.g. `{ \"挪用专项资金\", \"虚报服务数据\" }`";
template <> inline constexpr auto error_message<expect_weight> = "expected a weight such as `15%` or points such as `10分`";
template <> inline constexpr auto error_message<expect_adjust_name> = "expected the rule's name, e.g. `deduct 投诉扣分 0.5 per 有效投诉次数`";
template <> inline constexpr auto error_message<expect_adjust_amount> = "expected the points, e.g. `0.5 per 有效投诉次数`";
template <> inline constexpr auto error_message<expect_max> = "expected `max` and the cap";
template <> inline constexpr auto error_message<expect_node_rest> = "expected `= formula` for a scored item or `{` for a group of sub-indicators";
template <> inline constexpr auto error_message<expect_node_close> = "expected `}` or another item: a sub-indicator `名称 15% = ...`, `deduct` or `bonus`";
template <> inline constexpr auto error_message<expect_node_body> = "expected `{` and the indicator's items";
template <> inline constexpr auto error_message<expect_grade_label> = "expected a grade label";
template <> inline constexpr auto error_message<expect_down_steps> = "expected how many grades to go down, e.g. `grade down 1`";
template <> inline constexpr auto error_message<expect_most> = "expected `most`, as in `grade at most B`";
template <> inline constexpr auto error_message<expect_grade_change> = "expected a grade (`grade D`), a cap (`grade at most B`) or a drop (`grade down 1`)";
template <> inline constexpr auto error_message<expect_alert_label> = "expected an alert colour, e.g. `alert red`";
template <> inline constexpr auto error_message<expect_fund_zero> = "expected `0`: a veto can only zero the fund (`fund 0`)";
template <> inline constexpr auto error_message<expect_reason_text> = "expected the reason in quotes, e.g. `reason \"触及负面清单\"`";
template <> inline constexpr auto error_message<expect_effect_close> = "expected `}` or another effect: `grade`, `alert`, `fund 0` or `reason`";
template <> inline constexpr auto error_message<expect_when> = "expected `when` and the condition of the veto";
template <> inline constexpr auto error_message<expect_deadline_count> = "expected a whole number of days, e.g. `deadline 3 days`";
template <> inline constexpr auto error_message<expect_deadline_unit> = "expected `days`, `workdays`, `天`, `日` or `个工作日`";
template <> inline constexpr auto error_message<expect_band_close> = "expected `}` or another band `标签 [下限, 上限)`";
template <> inline constexpr auto error_message<expect_of> = "expected `of` and the value the bands apply to, e.g. `grade 等级 of 总分`";
template <> inline constexpr auto error_message<expect_top_count> = "expected how many, e.g. `top 10` or `top 10%`";
template <> inline constexpr auto error_message<expect_top> = "expected `top`, as in `split among top 10% by 总分`";
template <> inline constexpr auto error_message<expect_by> = "expected `by`";
template <> inline constexpr auto error_message<expect_to> = "expected `to`, as in `proportional to 总分`";
template <> inline constexpr auto error_message<expect_split> = "expected `split`, e.g. `split by 基础额度`";
template <> inline constexpr auto error_message<expect_split_mode> = "expected `by`, `equally` or `among top` after `split`";
template <> inline constexpr auto error_message<expect_track_name> = "expected the track's name";
template <> inline constexpr auto error_message<expect_fen> = "expected `fen`: pools are paid out to the fen";
template <> inline constexpr auto error_message<expect_tie_key> = "expected a column to break ties by, e.g. `ties by 社区编码`";
template <> inline constexpr auto error_message<expect_pool> = "expected `pool` and the amount, e.g. `fund 运营补助 pool 资金池`";
template <> inline constexpr auto error_message<expect_fund_close> = "expected `}` or another item: `track`, `rounding fen` or `ties by`";
template <> inline constexpr auto error_message<expect_output_item> = "expected the name of a value to output";
template <> inline constexpr auto error_message<expect_precision_places> = "expected a number of decimal places, e.g. `precision 2`";
template <> inline constexpr auto error_message<policy_base> = "expected the base policy in quotes, e.g. `extends \"std/3x\"`";
template <> inline constexpr auto error_message<expect_import_name> = "expected the name of a declaration to import";
template <> inline constexpr auto error_message<expect_from> = "expected `from` and the file, e.g. `import 负面清单 from \"std/negative-list\"`";
template <> inline constexpr auto error_message<expect_import_source> = "expected the file to import from, in quotes";
template <> inline constexpr auto error_message<expect_override_target> = "expected what to change, e.g. `总分.创新层` or `预警.red`";
template <> inline constexpr auto error_message<expect_override_change> = "expected the change: `weight 25%`, `= formula`, `coef { ... }`, or a band's `[lo, hi)`, `deadline` or text";
template <> inline constexpr auto error_message<expect_decl_or_eof> = "expected a declaration: policy, subject, input, param, set, let, indicator, veto, grade, alert, fund, output, precision, import, override, remove or add";
// clang-format on

struct error_messages {
  template <typename Rule>
  static constexpr auto message = error_message<Rule>;
};

template <typename Rule>
using control = tao::pegtl::must_if<error_messages>::control<Rule>;

}  // namespace jixiao::dsl::grammar
