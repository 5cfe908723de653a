// Messages for the grammar's committed error points, and the PEGTL control that raises them.
// Every rule used inside must<> has a catalogue message here (messages/parse.def,
// `par_expected_*`); a missing one fails to compile.
#pragma once

#include <tao/pegtl.hpp>

#include "grammar.hpp"
#include "jixiao/dsl/message.hpp"

namespace jixiao::dsl::grammar {

/// The message of a rule that raises a syntax error when it fails; `untranslated` for none.
template <typename Rule>
inline constexpr MsgId error_message = MsgId::untranslated;

// clang-format off
template <> inline constexpr MsgId error_message<string_close> = MsgId::par_expected_string_close;
template <> inline constexpr MsgId error_message<path_rest> = MsgId::par_expected_path_rest;
template <> inline constexpr MsgId error_message<expect_expr> = MsgId::par_expected_expr;
template <> inline constexpr MsgId error_message<expect_operand> = MsgId::par_expected_operand;
template <> inline constexpr MsgId error_message<expect_term> = MsgId::par_expected_term;
template <> inline constexpr MsgId error_message<expect_comparand> = MsgId::par_expected_comparand;
template <> inline constexpr MsgId error_message<expect_not_operand> = MsgId::par_expected_not_operand;
template <> inline constexpr MsgId error_message<expect_and_operand> = MsgId::par_expected_and_operand;
template <> inline constexpr MsgId error_message<expect_or_operand> = MsgId::par_expected_or_operand;
template <> inline constexpr MsgId error_message<expect_close_paren> = MsgId::par_expected_close_paren;
template <> inline constexpr MsgId error_message<expect_open_paren> = MsgId::par_expected_open_paren;
template <> inline constexpr MsgId error_message<expect_open_brace> = MsgId::par_expected_open_brace;
template <> inline constexpr MsgId error_message<expect_close_brace> = MsgId::par_expected_close_brace;
template <> inline constexpr MsgId error_message<expect_then> = MsgId::par_expected_then;
template <> inline constexpr MsgId error_message<expect_else> = MsgId::par_expected_else;
template <> inline constexpr MsgId error_message<expect_bound> = MsgId::par_expected_bound;
template <> inline constexpr MsgId error_message<expect_interval_comma> = MsgId::par_expected_interval_comma;
template <> inline constexpr MsgId error_message<expect_interval_close> = MsgId::par_expected_interval_close;
template <> inline constexpr MsgId error_message<expect_interval> = MsgId::par_expected_interval;
template <> inline constexpr MsgId error_message<policy_name> = MsgId::par_expected_policy_name;
template <> inline constexpr MsgId error_message<policy_version> = MsgId::par_expected_policy_version;
template <> inline constexpr MsgId error_message<subject_name> = MsgId::par_expected_subject_name;
template <> inline constexpr MsgId error_message<expect_key> = MsgId::par_expected_key;
template <> inline constexpr MsgId error_message<key_name> = MsgId::par_expected_key_name;
template <> inline constexpr MsgId error_message<expect_missing_mode> = MsgId::par_expected_missing_mode;
template <> inline constexpr MsgId error_message<expect_period_name> = MsgId::par_expected_period_name;
template <> inline constexpr MsgId error_message<expect_only_period> = MsgId::par_expected_only_period;
template <> inline constexpr MsgId error_message<expect_rollup_reweight> = MsgId::par_expected_rollup_reweight;
template <> inline constexpr MsgId error_message<expect_range_sep> = MsgId::par_expected_range_sep;
template <> inline constexpr MsgId error_message<expect_range_hi> = MsgId::par_expected_range_hi;
template <> inline constexpr MsgId error_message<expect_lt> = MsgId::par_expected_lt;
template <> inline constexpr MsgId error_message<expect_list_item> = MsgId::par_expected_list_item;
template <> inline constexpr MsgId error_message<expect_gt> = MsgId::par_expected_gt;
template <> inline constexpr MsgId error_message<expect_type> = MsgId::par_expected_type;
template <> inline constexpr MsgId error_message<expect_colon> = MsgId::par_expected_colon;
template <> inline constexpr MsgId error_message<expect_input_close> = MsgId::par_expected_input_close;
template <> inline constexpr MsgId error_message<expect_decl_name> = MsgId::par_expected_decl_name;
template <> inline constexpr MsgId error_message<expect_equals> = MsgId::par_expected_equals;
template <> inline constexpr MsgId error_message<expect_set_lit> = MsgId::par_expected_set_lit;
template <> inline constexpr MsgId error_message<expect_weight> = MsgId::par_expected_weight;
template <> inline constexpr MsgId error_message<expect_adjust_name> = MsgId::par_expected_adjust_name;
template <> inline constexpr MsgId error_message<expect_adjust_amount> = MsgId::par_expected_adjust_amount;
template <> inline constexpr MsgId error_message<expect_max> = MsgId::par_expected_max;
template <> inline constexpr MsgId error_message<expect_node_rest> = MsgId::par_expected_node_rest;
template <> inline constexpr MsgId error_message<expect_node_close> = MsgId::par_expected_node_close;
template <> inline constexpr MsgId error_message<expect_node_body> = MsgId::par_expected_node_body;
template <> inline constexpr MsgId error_message<expect_grade_label> = MsgId::par_expected_grade_label;
template <> inline constexpr MsgId error_message<expect_down_steps> = MsgId::par_expected_down_steps;
template <> inline constexpr MsgId error_message<expect_most> = MsgId::par_expected_most;
template <> inline constexpr MsgId error_message<expect_grade_change> = MsgId::par_expected_grade_change;
template <> inline constexpr MsgId error_message<expect_alert_label> = MsgId::par_expected_alert_label;
template <> inline constexpr MsgId error_message<expect_fund_zero> = MsgId::par_expected_fund_zero;
template <> inline constexpr MsgId error_message<expect_reason_text> = MsgId::par_expected_reason_text;
template <> inline constexpr MsgId error_message<expect_effect_close> = MsgId::par_expected_effect_close;
template <> inline constexpr MsgId error_message<expect_when> = MsgId::par_expected_when;
template <> inline constexpr MsgId error_message<expect_deadline_count> = MsgId::par_expected_deadline_count;
template <> inline constexpr MsgId error_message<expect_deadline_unit> = MsgId::par_expected_deadline_unit;
template <> inline constexpr MsgId error_message<expect_band_close> = MsgId::par_expected_band_close;
template <> inline constexpr MsgId error_message<expect_of> = MsgId::par_expected_of;
template <> inline constexpr MsgId error_message<expect_top_count> = MsgId::par_expected_top_count;
template <> inline constexpr MsgId error_message<expect_list_size_range> = MsgId::trp_expected_list_size;
template <> inline constexpr MsgId error_message<expect_top> = MsgId::par_expected_top;
template <> inline constexpr MsgId error_message<expect_by> = MsgId::par_expected_by;
template <> inline constexpr MsgId error_message<expect_to> = MsgId::par_expected_to;
template <> inline constexpr MsgId error_message<expect_split> = MsgId::par_expected_split;
template <> inline constexpr MsgId error_message<expect_split_mode> = MsgId::par_expected_split_mode;
template <> inline constexpr MsgId error_message<expect_track_name> = MsgId::par_expected_track_name;
template <> inline constexpr MsgId error_message<expect_fen> = MsgId::par_expected_fen;
template <> inline constexpr MsgId error_message<expect_tie_key> = MsgId::par_expected_tie_key;
template <> inline constexpr MsgId error_message<expect_pool> = MsgId::par_expected_pool;
template <> inline constexpr MsgId error_message<expect_fund_close> = MsgId::par_expected_fund_close;
template <> inline constexpr MsgId error_message<expect_segment_close> = MsgId::seg_expected_close;
template <> inline constexpr MsgId error_message<expect_output_item> = MsgId::par_expected_output_item;
template <> inline constexpr MsgId error_message<expect_precision_places> = MsgId::par_expected_precision_places;
template <> inline constexpr MsgId error_message<policy_base> = MsgId::par_expected_policy_base;
template <> inline constexpr MsgId error_message<expect_import_name> = MsgId::par_expected_import_name;
template <> inline constexpr MsgId error_message<expect_from> = MsgId::par_expected_from;
template <> inline constexpr MsgId error_message<expect_import_source> = MsgId::par_expected_import_source;
template <> inline constexpr MsgId error_message<expect_override_target> = MsgId::par_expected_override_target;
template <> inline constexpr MsgId error_message<expect_override_change> = MsgId::par_expected_override_change;
template <> inline constexpr MsgId error_message<expect_decl_or_eof> = MsgId::par_expected_decl;
// clang-format on

/// A syntax error at an error point: PEGTL's parse_error, whose text is the English message, with
/// the catalogue message, which parse.cpp reports in the chosen language.
class expected_error : public tao::pegtl::parse_error {
 public:
  template <typename ParseInput>
  expected_error(const Message& expected, const ParseInput& in) : parse_error(expected.str(Lang::kEn), in), what_(expected) {}
  /// The catalogue message (parse_error::message() is its English text).
  [[nodiscard]] const Message& message() const { return what_; }

 private:
  Message what_;
};

/// The grammar's control: like tao::pegtl::must_if, a rule with a message raises expected_error
/// when it fails, and a rule used inside must<> without one does not compile.
template <typename Rule>
struct control : tao::pegtl::normal<Rule> {
  static constexpr bool kRaises = error_message<Rule> != MsgId::untranslated;

  template <typename ParseInput, typename... States>
  static void failure(const ParseInput& in, States&&... st) noexcept(!kRaises) {
    if constexpr (kRaises) {
      raise(in, st...);
    } else {
      tao::pegtl::normal<Rule>::failure(in, st...);
    }
  }

  template <typename ParseInput, typename... States>
  [[noreturn]] static void raise(const ParseInput& in, States&&... /*st*/) {
    static_assert(kRaises, "a rule used inside must<> needs a message in grammar_errors.hpp");
    throw expected_error(MessageDef<>{error_message<Rule>}(), in);
  }
};

}  // namespace jixiao::dsl::grammar
