// The PEGTL grammar of the jixiao policy language: rules only. Messages for the committed
// error points live in grammar_errors.hpp; the parse tree is lowered in lower_parse_tree.cpp.
// The EBNF each rule implements is in the comment above it; docs/language.md has the whole.
#pragma once

#include <tao/pegtl.hpp>

#include "jixiao/dsl/keywords.hpp"

namespace jixiao::dsl::grammar {

using jixiao::dsl::KwId;

namespace pegtl = tao::pegtl;
using pegtl::at;
using pegtl::eof;
using pegtl::eolf;
using pegtl::list;
using pegtl::must;
using pegtl::not_at;
using pegtl::one;
using pegtl::opt;
using pegtl::plus;
using pegtl::seq;
using pegtl::sor;
using pegtl::star;
using pegtl::until;
namespace u8 = pegtl::utf8;

// clang-format off

// ---- lexical ----

// comment := '#' { any } end-of-line
struct comment : seq< one< '#' >, until< eolf > > {};
struct space_char : one< ' ', '\t', '\r', '\n' > {};
// ws := { space | comment }
struct ws : star< sor< space_char, comment > > {};

// A rule followed by optional white space.
template< typename R > struct tok : seq< R, ws > {};

// ident_start := ASCII letter | '_' | a letter of another script (CJK, kana, Hangul, Latin-1, ...)
struct ident_start : sor< pegtl::ascii::ranges< 'a', 'z', 'A', 'Z', '_' >,
                          u8::ranges< 0xC0, 0xD6, 0xD8, 0xF6, 0xF8, 0x24F, 0x370, 0x37D, 0x37F, 0x3FF,
                                      0x400, 0x4FF, 0x3041, 0x30FA, 0x30FC, 0x30FF, 0x3105, 0x312F,
                                      0x3400, 0x4DBF, 0x4E00, 0x9FFF, 0xAC00, 0xD7A3, 0xF900, 0xFAFF,
                                      0x20000, 0x3134F > > {};
// ident_continue := ident_start | digit
struct ident_continue : sor< ident_start, pegtl::ascii::digit > {};
struct word : seq< ident_start, star< ident_continue > > {};

template< typename S > struct keyword : seq< S, not_at< ident_continue > > {};

// A keyword's spelling, English or Chinese, as one rule. parse.cpp records where each one is
// written (Module::keywords), so that `jixiao fmt` can keep it as written.
template< KwId Id, bool Chinese, typename S > struct spelled : keyword< S > {
  static constexpr KwId kw_id = Id;
  static constexpr bool kw_chinese = Chinese;
};

// For every row of keywords.def: kw_en_<id> (the English spelling), kw_zh_<id> (the Chinese one)
// and kw_<id>, either. A phrase's English words are the rules below the table (`at` `most`, ...).
#define JIXIAO_KEYWORD( id, en, zh, reserved, where, description )                                   \
  struct kw_en_##id : spelled< KwId::kw_##id, false, TAO_PEGTL_STRING( en ) > {};                   \
  struct kw_zh_##id : spelled< KwId::kw_##id, true, TAO_PEGTL_STRING( zh ) > {};                    \
  struct kw_##id : sor< kw_en_##id, kw_zh_##id > {};
#include "jixiao/dsl/keywords.def"
#undef JIXIAO_KEYWORD

// The words of English phrases: the first records the phrase, the others are plain words.
struct kw_at : spelled< KwId::kw_at_most, false, TAO_PEGTL_STRING( "at" ) > {};
struct kw_most : keyword< TAO_PEGTL_STRING( "most" ) > {};
struct kw_among : spelled< KwId::kw_among_top, false, TAO_PEGTL_STRING( "among" ) > {};
struct kw_top : keyword< TAO_PEGTL_STRING( "top" ) > {};
struct kw_proportional : spelled< KwId::kw_proportional_to, false, TAO_PEGTL_STRING( "proportional" ) > {};
struct kw_to : keyword< TAO_PEGTL_STRING( "to" ) > {};
struct kw_of_all_of : spelled< KwId::kw_of_all, false, TAO_PEGTL_STRING( "of" ) > {};
struct kw_all : keyword< TAO_PEGTL_STRING( "all" ) > {};
struct kw_of_eligible_of : spelled< KwId::kw_of_eligible, false, TAO_PEGTL_STRING( "of" ) > {};
struct kw_eligible : keyword< TAO_PEGTL_STRING( "eligible" ) > {};
struct kw_rounded_up_first : spelled< KwId::kw_rounded_up, false, TAO_PEGTL_STRING( "rounded" ) > {};
struct kw_rounded_down_first : spelled< KwId::kw_rounded_down, false, TAO_PEGTL_STRING( "rounded" ) > {};
struct kw_up : keyword< TAO_PEGTL_STRING( "up" ) > {};
struct kw_down_word : keyword< TAO_PEGTL_STRING( "down" ) > {};
struct kw_rounding : spelled< KwId::kw_rounding_fen, false, TAO_PEGTL_STRING( "rounding" ) > {};
struct kw_fen : keyword< TAO_PEGTL_STRING( "fen" ) > {};
// `not in` is the words `not` and `in`; `ties: shared` (a named argument) is not the keyword.
struct word_ties : keyword< TAO_PEGTL_STRING( "ties" ) > {};

// Words that cannot be names: the English spellings marked reserved in keywords.def (a phrase's
// first word). Chinese spellings are never reserved: a Chinese keyword is recognised only where
// a keyword can stand, and a name spelled the same is a name everywhere else.
template< bool Reserved, typename R > struct reserved_if : R {};
template< typename R > struct reserved_if< false, R > : pegtl::failure {};
struct reserved : sor<
#define JIXIAO_KEYWORD( id, en, zh, reserved, where, description ) reserved_if< reserved, kw_en_##id >,
#include "jixiao/dsl/keywords.def"
#undef JIXIAO_KEYWORD
                       kw_rounding > {};

// A Chinese keyword where a name could also stand is the keyword only when what must follow it
// does (`扣分 投诉 0.5` deducts; `扣分 10分 = ...` is an indicator named 扣分).
template< typename Zh, typename... Follow > struct zh_before : seq< Zh, at< ws, Follow... > > {};

// ident := word - reserved
struct ident : seq< not_at< reserved >, word > {};

// string := '"' { char | '\"' | '\\' } '"'
struct string_char : sor< seq< one< '\\' >, one< '"', '\\', 'n' > >, pegtl::not_one< '"', '\\', '\n' > > {};
struct string_close : one< '"' > {};
struct string_lit : seq< one< '"' >, star< string_char >, must< string_close > > {};

struct digits : plus< pegtl::ascii::digit > {};
// decimal := digits [ '.' digits ]
struct decimal : seq< digits, opt< one< '.' >, digits > > {};
struct unit_percent : one< '%' > {};
struct unit_points : seq< u8::one< 0x5206 >, not_at< ident_continue > > {};                   // 分
struct unit_yuan : seq< u8::one< 0x5143 >, not_at< ident_continue > > {};                     // 元
struct unit_wan_yuan : seq< u8::string< 0x4E07, 0x5143 >, not_at< ident_continue > > {};      // 万元
struct unit_yi_yuan : seq< u8::string< 0x4EBF, 0x5143 >, not_at< ident_continue > > {};       // 亿元
// number := decimal [ '%' | '分' | '元' | '万元' | '亿元' ]
struct number : seq< decimal, opt< sor< unit_percent, unit_points, unit_yuan, unit_wan_yuan, unit_yi_yuan > > > {};
struct minus_sign : one< '-' > {};
struct signed_number : seq< opt< minus_sign >, number > {};

// label := ident | string
struct label : sor< string_lit, ident > {};

// path := ident { '.' ident }
struct path_rest : ident {};
struct path : seq< ident, star< one< '.' >, must< path_rest > > > {};

// ---- expressions ----

struct expr;
struct expect_expr : seq< expr > {};
struct expect_close_paren : one< ')' > {};
struct expect_open_paren : one< '(' > {};
struct expect_open_brace : one< '{' > {};
struct expect_close_brace : one< '}' > {};
struct expect_then : kw_then {};
struct expect_else : kw_else {};

// paren := '(' expr ')'
struct paren : seq< tok< one< '(' > >, must< expect_expr >, must< expect_close_paren >, ws > {};

// arg := ident ':' expr | expr [ '->' expr ]
// A positional argument is read once: `a -> b` is an expression with an optional arrow tail, not
// a second alternative that reads `a` again (that made nested calls exponential).
struct arrow : seq< one< '-' >, one< '>' > > {};
struct arg_name : sor< ident, word_ties > {};  // `ties` is a keyword (`ties by`) and a named argument (`ties: shared`)
struct named_arg : seq< tok< arg_name >, tok< one< ':' > >, must< expect_expr > > {};
struct positional_arg : seq< expr, opt< tok< arrow >, must< expect_expr > > > {};
struct arg : sor< named_arg, positional_arg > {};
struct callee : word {};
// call := word '(' [ arg { ',' arg } ] ')'
struct call : seq< tok< callee >, tok< one< '(' > >, opt< list< arg, tok< one< ',' > > > >, must< expect_close_paren >, ws > {};

// set := '{' string { ',' string } '}'
struct set_item : string_lit {};
struct set_lit : seq< tok< one< '{' > >, tok< set_item >, star< tok< one< ',' > >, tok< set_item > >, opt< tok< one< ',' > > >, must< expect_close_brace >, ws > {};
// table := '{' label ':' expr { ',' label ':' expr } '}'
struct table_entry : seq< tok< label >, tok< one< ':' > >, must< expect_expr > > {};
struct table_lit : seq< tok< one< '{' > >, list< table_entry, tok< one< ',' > > >, opt< tok< one< ',' > > >, must< expect_close_brace >, ws > {};

// coef := 'coef' '(' expr ')' '{' { label expr [','] } [ 'else' expr ] '}'
// In a `coef` table `否则` is `else`, not a label.
struct coef_entry : seq< not_at< kw_zh_else >, tok< label >, must< expect_expr >, opt< tok< one< ',' > > > > {};
struct coef_else : seq< tok< kw_else >, must< expect_expr >, opt< tok< one< ',' > > > > {};
struct coef_kw : sor< kw_en_coef, zh_before< kw_zh_coef, sor< one< '(' >, one< '{' > > > > {};
struct coef_expr : seq< tok< coef_kw >, must< expect_open_paren >, ws, must< expect_expr >, must< expect_close_paren >, ws,
                        must< expect_open_brace >, ws, star< coef_entry >, opt< coef_else >, must< expect_close_brace >, ws > {};

// interval := ( '[' | '(' ) bound ',' bound ( ']' | ')' )
struct inf_sign : u8::one< 0x221E > {  // ∞, recorded as the English `inf` (fmt writes `inf` for it)
  static constexpr KwId kw_id = KwId::kw_inf;
  static constexpr bool kw_chinese = false;
};
struct inf_bound : sor< kw_inf, inf_sign > {};                                  // inf, 无穷, ∞
struct bound : seq< opt< tok< minus_sign > >, sor< inf_bound, number > > {};
struct open_closed : one< '[' > {};
struct open_open : one< '(' > {};
struct close_closed : one< ']' > {};
struct close_open : one< ')' > {};
struct expect_bound : bound {};
struct expect_interval_comma : one< ',' > {};
struct expect_interval_close : sor< close_closed, close_open > {};
struct interval : seq< sor< open_closed, open_open >, ws, must< expect_bound >, ws, must< expect_interval_comma >, ws,
                       must< expect_bound >, ws, must< expect_interval_close > > {};
struct expect_interval : interval {};

// bands := 'bands' '(' expr ')' '{' { interval expr [','] } '}'
struct bands_entry : seq< tok< interval >, must< expect_expr >, opt< tok< one< ',' > > > > {};
struct bands_kw : sor< kw_en_bands, zh_before< kw_zh_bands, one< '(' > > > {};
struct bands_expr : seq< tok< bands_kw >, must< expect_open_paren >, ws, must< expect_expr >, must< expect_close_paren >, ws,
                         must< expect_open_brace >, ws, star< bands_entry >, must< expect_close_brace >, ws > {};

struct true_lit : kw_true {};
struct false_lit : kw_false {};

// if := 'if' expr 'then' expr 'else' expr
struct if_expr : seq< tok< kw_if >, must< expect_expr >, must< expect_then >, ws, must< expect_expr >, must< expect_else >, ws, must< expect_expr > > {};

// primary := number | string | true | false | coef | bands | call | path | '(' expr ')' | set | table
struct primary : sor< tok< number >, tok< string_lit >, tok< true_lit >, tok< false_lit >, coef_expr, bands_expr,
                      call, tok< path >, paren, table_lit, set_lit > {};

struct op_neg : seq< one< '-' >, not_at< one< '>' > > > {};
struct unary;
struct expect_operand : seq< unary > {};
// unary := '-' unary | primary
struct neg_expr : seq< tok< op_neg >, must< expect_operand > > {};
struct unary : sor< neg_expr, primary > {};

struct op_mul : sor< one< '*' >, u8::one< 0x00D7 > > {};  // * ×
struct op_div : sor< one< '/' >, u8::one< 0x00F7 > > {};  // / ÷
// mul := unary { ( '*' | '/' ) unary }
struct mul_expr : seq< unary, star< tok< sor< op_mul, op_div > >, must< expect_operand > > > {};

struct op_add : one< '+' > {};
struct op_sub : seq< one< '-' >, not_at< one< '>' > > > {};
struct expect_term : mul_expr {};
// add := mul { ( '+' | '-' ) mul }
struct add_expr : seq< mul_expr, star< tok< sor< op_add, op_sub > >, must< expect_term > > > {};

struct op_le : sor< TAO_PEGTL_STRING( "<=" ), u8::one< 0x2264 > > {};  // ≤
struct op_ge : sor< TAO_PEGTL_STRING( ">=" ), u8::one< 0x2265 > > {};  // ≥
struct op_eq : TAO_PEGTL_STRING( "==" ) {};
struct op_ne : sor< TAO_PEGTL_STRING( "!=" ), u8::one< 0x2260 > > {};  // ≠
struct op_lt : one< '<' > {};
struct op_gt : one< '>' > {};
struct kw_not_of_not_in : spelled< KwId::kw_not_in, false, TAO_PEGTL_STRING( "not" ) > {};  // `not in` records as one
struct word_in : keyword< TAO_PEGTL_STRING( "in" ) > {};
struct op_not_in : sor< seq< kw_not_of_not_in, ws, word_in >, kw_zh_not_in > {};
struct op_in : kw_in {};
struct op_any_in : kw_any_in {};
struct op_all_in : kw_all_in {};
struct cmp_op : sor< op_le, op_ge, op_eq, op_ne, op_lt, op_gt, op_not_in, op_in, op_any_in, op_all_in > {};
struct expect_comparand : add_expr {};
// cmp := add [ cmp_op add ]
struct cmp_expr : seq< add_expr, opt< tok< cmp_op >, must< expect_comparand > > > {};

struct not_expr;
struct expect_not_operand : seq< not_expr > {};
struct op_not : kw_not {};
// not := 'not' not | cmp
struct not_op_expr : seq< tok< op_not >, must< expect_not_operand > > {};
struct not_expr : sor< not_op_expr, cmp_expr > {};
struct op_and : kw_and {};
struct expect_and_operand : not_expr {};
// and := not { 'and' not }
struct and_expr : seq< not_expr, star< tok< op_and >, must< expect_and_operand > > > {};
struct op_or : kw_or {};
struct expect_or_operand : and_expr {};
// or := and { 'or' and }
struct or_expr : seq< and_expr, star< tok< op_or >, must< expect_or_operand > > > {};
// expr := if | or
struct expr : sor< if_expr, or_expr > {};

// ---- declarations ----

struct sep : opt< tok< one< ';', ',' > > > {};

// policy := 'policy' string [ 'version' string ]
struct policy_name : string_lit {};
struct policy_version : string_lit {};
struct policy_base : string_lit {};
// policy := 'policy' string [ 'version' string ] [ 'extends' string ]
struct policy_decl : seq< tok< kw_policy >, must< policy_name >, ws, opt< tok< kw_version >, must< policy_version >, ws >,
                          opt< tok< kw_extends >, must< policy_base >, ws > > {};

// subject := 'subject' ident 'key' ident
struct subject_name : ident {};
struct key_name : ident {};
struct expect_key : kw_key {};
struct period_name : ident {};
struct expect_period_name : period_name {};
// subject := 'subject' ident 'key' ident [ 'period' ident ]
struct subject_decl : seq< tok< kw_subject >, must< subject_name >, ws, must< expect_key >, ws, must< key_name >, ws,
                           opt< tok< kw_period >, must< expect_period_name >, ws > > {};

// type := 'score' [range] | 'number' [range] | 'percent' | 'count' [range] | 'money' [range]
//       | 'text' | 'bool' | 'one_of' '{' label { ',' label } '}' | 'list' '<' 'text' '>'
struct range_sep : TAO_PEGTL_STRING( ".." ) {};
struct expect_range_sep : range_sep {};
struct range_lo : signed_number {};
struct range_hi : signed_number {};
struct expect_range_hi : range_hi {};
// The `..` on the line of the low end, so that a missing `..` is reported there, not on the next line.
struct range : seq< range_lo, star< one< ' ', '\t' > >, must< expect_range_sep >, ws, must< expect_range_hi > > {};
struct type_score : kw_score {};
struct type_number : kw_number {};
struct type_percent : kw_percent {};
struct type_count : kw_count {};
struct type_money : kw_money {};
struct type_text : kw_text {};
struct type_bool : kw_bool {};
struct option_label : label {};
struct type_one_of : seq< tok< kw_one_of >, must< expect_open_brace >, ws, list< tok< option_label >, tok< one< ',' > > >, opt< tok< one< ',' > > >, must< expect_close_brace > > {};
struct expect_lt : one< '<' > {};
struct list_text : kw_text {};
struct list_number : kw_number {};
struct list_score : kw_score {};
struct expect_list_item : sor< list_text, list_number, list_score > {};
struct expect_gt : one< '>' > {};
struct list_size_range : range {};
struct expect_list_size_range : list_size_range {};
// list_size := 'size' range
struct list_size : seq< tok< kw_size >, must< expect_list_size_range > > {};
// list := 'list' '<' ( 'text' | 'number' | 'score' ) '>' [ range ] [ list_size ]
struct type_list : seq< tok< kw_list >, must< expect_lt >, ws, must< expect_list_item >, ws, must< expect_gt > > {};
struct type_spec : sor< seq< type_list, ws, opt< range >, ws, opt< list_size > >,
                        seq< sor< type_score, type_number, type_count, type_money, type_percent >, ws, opt< range > >,
                        type_text, type_bool, type_one_of > {};
struct expect_type : type_spec {};
struct expect_colon : one< ':' > {};
struct input_name : ident {};
// input_item := ident ':' type
struct input_optional : sor< kw_en_optional, seq< kw_zh_optional, not_at< ws, one< ':' > > > > {};
// only := 'only' string   (a rolled-up policy's input given in one sub-period: `only "Q4"`)
struct expect_only_period : string_lit {};
struct input_only : seq< tok< kw_only >, must< expect_only_period > > {};
// input_item := ident ':' type [ only ] [ 'optional' ]
struct input_item : seq< tok< input_name >, must< expect_colon >, ws, must< expect_type >, ws, opt< tok< input_only > >,
                         opt< tok< input_optional > >, sep > {};
struct expect_input_close : one< '}' > {};
// input := 'input' '{' { input_item } '}'
struct input_decl : seq< tok< kw_input >, must< expect_open_brace >, ws, star< input_item >, must< expect_input_close >, ws > {};

struct decl_name : ident {};
struct expect_decl_name : decl_name {};
struct expect_equals : one< '=' > {};
// param := 'param' ident '=' expr
struct param_decl : seq< tok< kw_param >, must< expect_decl_name >, ws, must< expect_equals >, ws, must< expect_expr > > {};
// set := 'set' ident '=' set_literal
struct expect_set_lit : set_lit {};
struct set_decl : seq< tok< kw_set >, must< expect_decl_name >, ws, must< expect_equals >, ws, must< expect_set_lit > > {};
// let := 'let' ident '=' expr
struct let_decl : seq< tok< kw_let >, must< expect_decl_name >, ws, must< expect_equals >, ws, must< expect_expr > > {};

// weight := number   (the checker requires `%` or `分`)
struct weight : number {};
struct expect_weight : weight {};

// adjust := ( 'deduct' | 'bonus' ) ident expr [','] [ 'per' expr ] [','] [ 'when' expr ] [','] [ 'max' expr ]
struct adjust_amount : expr {};
struct expect_adjust_amount : adjust_amount {};
struct adjust_per : seq< tok< kw_per >, must< expect_expr > > {};
struct adjust_when : seq< tok< kw_when >, must< expect_expr > > {};
struct adjust_max : seq< tok< kw_max >, must< expect_expr > > {};
struct comma : opt< tok< one< ',' > > > {};
struct adjust_kind_deduct : sor< kw_en_deduct, zh_before< kw_zh_deduct, ident > > {};
struct adjust_kind_bonus : sor< kw_en_bonus, zh_before< kw_zh_bonus, ident > > {};
struct adjust_name : ident {};
struct expect_adjust_name : adjust_name {};
struct adjust : seq< tok< sor< adjust_kind_deduct, adjust_kind_bonus > >, must< expect_adjust_name >, ws, must< expect_adjust_amount >, comma,
                     opt< adjust_per, comma >, opt< adjust_when, comma >, opt< adjust_max > > {};
// node_cap := ( 'deductions' | 'bonuses' ) 'max' expr
struct expect_max : kw_max {};
struct deductions_max : seq< tok< sor< kw_en_deductions, zh_before< kw_zh_deductions, kw_max > > >, must< expect_max >, ws, must< expect_expr > > {};
struct bonuses_max : seq< tok< sor< kw_en_bonuses, zh_before< kw_zh_bonuses, kw_max > > >, must< expect_max >, ws, must< expect_expr > > {};

struct node_body;
struct node_name : ident {};
struct missing_zero : kw_zero {};
struct missing_peer_average : kw_peer_average {};
struct missing_reweight : kw_reweight {};
struct expect_missing_mode : sor< missing_zero, missing_peer_average, missing_reweight > {};
// missing := 'missing' ( 'zero' | 'peer_average' | 'reweight' )
struct missing_rule : seq< tok< sor< kw_en_missing, zh_before< kw_zh_missing, sor< kw_zero, kw_peer_average, kw_reweight > > > >, must< expect_missing_mode >, ws > {};
struct node_formula : seq< tok< one< '=' > >, must< expect_expr >, opt< missing_rule >, opt< node_body > > {};
struct expect_node_rest : sor< node_formula, node_body > {};
// child := ident weight ( '=' expr [ body ] | body )
struct child_node : seq< tok< node_name >, must< expect_weight >, ws, must< expect_node_rest > > {};
struct node_item : seq< sor< adjust, deductions_max, bonuses_max, child_node >, sep > {};
struct expect_node_close : one< '}' > {};
// body := '{' { adjust | node_cap | child } '}'
struct node_body : seq< tok< one< '{' > >, star< node_item >, must< expect_node_close >, ws > {};
struct expect_node_body : node_body {};
// indicator := 'indicator' ident [ weight ] body
struct indicator_decl : seq< tok< kw_indicator >, must< expect_decl_name >, ws, opt< tok< weight > >, must< expect_node_body > > {};

// effect := 'grade' [ident] ( 'at' 'most' label | 'down' integer | label )
//         | 'alert' [ident] label | 'fund' [ident] '0' | 'reason' string
struct effect_target : ident {};
struct grade_label : label {};
struct expect_grade_label : grade_label {};
struct down_steps : digits {};
struct expect_down_steps : down_steps {};
struct expect_most : kw_most {};
struct grade_cap : seq< sor< seq< tok< kw_at >, must< expect_most >, ws >, tok< kw_zh_at_most > >, must< expect_grade_label > > {};
struct grade_down : seq< tok< kw_down >, must< expect_down_steps > > {};
struct grade_change : sor< grade_cap, grade_down, grade_label > {};
struct expect_grade_change : grade_change {};
struct effect_grade : seq< tok< kw_grade >, sor< grade_cap, grade_down, seq< tok< effect_target >, grade_change >, must< expect_grade_change > > > {};
struct alert_label : label {};
struct expect_alert_label : alert_label {};
struct effect_alert : seq< tok< kw_alert >, sor< seq< tok< effect_target >, alert_label >, must< expect_alert_label > > > {};
struct fund_zero : one< '0' > {};
struct expect_fund_zero : fund_zero {};
struct effect_fund : seq< tok< kw_fund >, opt< tok< effect_target > >, must< expect_fund_zero > > {};
struct reason_text : string_lit {};
struct expect_reason_text : reason_text {};
struct effect_reason : seq< tok< kw_reason >, must< expect_reason_text > > {};
struct effect : seq< sor< effect_grade, effect_alert, effect_fund, effect_reason >, ws, sep > {};
struct expect_effect_close : one< '}' > {};
struct expect_when : kw_when {};
// veto := 'veto' ident 'when' expr '{' { effect } '}'
struct veto_decl : seq< tok< kw_veto >, must< expect_decl_name >, ws, must< expect_when >, ws, must< expect_expr >,
                        must< expect_open_brace >, ws, star< effect >, must< expect_effect_close >, ws > {};

// band := label interval [ 'deadline' integer unit ] [ string ]
struct deadline_count : digits {};
struct expect_deadline_count : deadline_count {};
struct kw_zh_days_ri : spelled< KwId::kw_days, true, TAO_PEGTL_STRING( "日" ) > {};
struct kw_zh_workdays_ge : spelled< KwId::kw_workdays, true, TAO_PEGTL_STRING( "个工作日" ) > {};
struct unit_days : sor< kw_days, kw_zh_days_ri > {};                                                // days 天 日
struct unit_workdays : sor< kw_workdays, kw_zh_workdays_ge > {};                                    // workdays [个]工作日
struct expect_deadline_unit : sor< unit_workdays, unit_days > {};
struct deadline : seq< tok< sor< kw_en_deadline, zh_before< kw_zh_deadline, pegtl::ascii::digit > > >, must< expect_deadline_count >, ws, must< expect_deadline_unit > > {};
// A band's text is a string that does not start the next band (a quoted label and its interval).
struct band_text : seq< string_lit, not_at< ws, sor< one< '[' >, one< '(' > > > > {};
struct band_label : label {};
// A band without an interval is a label that only vetoes reach (`grade 等级 { ... 解聘 }`).
struct band : seq< tok< band_label >, opt< tok< interval > >, opt< tok< deadline > >, opt< tok< band_text > >, sep > {};
struct expect_band_close : one< '}' > {};
struct expect_of : kw_of {};
// grade := 'grade' ident 'of' expr '{' { band } '}'     alert := 'alert' ident 'of' expr '{' { band } '}'
struct grade_decl : seq< tok< kw_grade >, must< expect_decl_name >, ws, must< expect_of >, ws, must< expect_expr >,
                         must< expect_open_brace >, ws, star< band >, must< expect_band_close >, ws > {};
struct alert_decl : seq< tok< kw_alert >, must< expect_decl_name >, ws, must< expect_of >, ws, must< expect_expr >,
                         must< expect_open_brace >, ws, star< band >, must< expect_band_close >, ws > {};

// mode := 'split' ( 'by' expr | 'equally' | 'among' 'top' number 'by' expr [ 'proportional' 'to' expr | 'equally' ] )
struct split_by : seq< tok< kw_by >, must< expect_expr > > {};
struct split_equally : kw_equally {};
struct top_count : number {};
struct expect_top_count : top_count {};
struct expect_top : kw_top {};
struct expect_by : kw_by {};
struct expect_to : kw_to {};
struct top_proportional : seq< sor< seq< tok< kw_proportional >, must< expect_to >, ws >, tok< kw_zh_proportional_to > >, must< expect_expr > > {};
struct top_equally : kw_equally {};
struct expect_all : kw_all {};
struct expect_eligible : kw_eligible {};
struct expect_up_down : sor< kw_up, kw_down_word > {};
// top_base := 'of' 'all' | 'of' 'eligible' | '占全部' | '占符合条件'
struct top_of_all : sor< seq< tok< kw_of_all_of >, expect_all >, kw_zh_of_all > {};
struct top_of_eligible : sor< seq< tok< kw_of_eligible_of >, expect_eligible >, kw_zh_of_eligible > {};
struct top_base : sor< top_of_all, top_of_eligible > {};
// top_rounding := 'rounded' ( 'up' | 'down' ) | '向上取整' | '向下取整'
struct top_rounded_up : sor< seq< tok< kw_rounded_up_first >, kw_up >, kw_zh_rounded_up > {};
struct top_rounded_down : sor< seq< tok< kw_rounded_down_first >, kw_down_word >, kw_zh_rounded_down > {};
struct top_rounding : sor< top_rounded_up, top_rounded_down > {};
// top := ( 'among' 'top' | '前' ) number [ top_base ] [ top_rounding ] 'by' expr [ 'proportional' 'to' expr | 'equally' ]
struct split_top : seq< sor< seq< tok< kw_among >, must< expect_top >, ws >, tok< kw_zh_among_top > >, must< expect_top_count >, ws,
                        opt< tok< top_base > >, opt< tok< top_rounding > >, must< expect_by >, ws, must< expect_expr >,
                        opt< sor< top_proportional, tok< top_equally > > > > {};
struct split_mode : sor< split_by, tok< split_equally >, split_top > {};
struct expect_split : kw_split {};
struct expect_split_mode : split_mode {};
struct track_when : seq< tok< kw_when >, must< expect_expr > > {};
struct track_name : ident {};
struct expect_track_name : track_name {};
// track := 'track' ident weight mode [ 'when' expr ]
struct track : seq< tok< kw_track >, must< expect_track_name >, ws, must< expect_weight >, ws, must< expect_split >, ws,
                    must< expect_split_mode >, comma, opt< track_when > > {};
struct expect_fen : kw_fen {};
struct rounding : sor< seq< tok< kw_rounding >, must< expect_fen >, ws >, tok< kw_zh_rounding_fen > > {};
struct tie_desc : kw_desc {};
struct tie_asc : kw_asc {};
struct tie_key : seq< tok< path >, opt< tok< sor< tie_desc, tie_asc > > > > {};
struct expect_tie_key : tie_key {};
// ties := 'ties' 'by' key { ',' key }
struct ties : seq< tok< kw_ties >, must< expect_by >, ws, must< expect_tie_key >, star< tok< one< ',' > >, must< expect_tie_key > > > {};
struct fund_item : seq< sor< track, rounding, ties >, sep > {};
struct fund_per : seq< tok< kw_per >, must< expect_expr > > {};
struct expect_pool : kw_pool {};
struct expect_fund_close : one< '}' > {};
// fund := 'fund' ident 'pool' expr [ 'per' expr ] '{' { track | rounding | ties } '}'
struct fund_decl : seq< tok< kw_fund >, must< expect_decl_name >, ws, must< expect_pool >, ws, must< expect_expr >, opt< fund_per >,
                        must< expect_open_brace >, ws, star< fund_item >, must< expect_fund_close >, ws > {};

// output := 'output' path { ',' path }
struct output_item : path {};
struct expect_output_item : output_item {};
struct output_decl : seq< tok< kw_output >, must< expect_output_item >, ws, star< tok< one< ',' > >, must< expect_output_item >, ws > > {};

// precision := 'precision' integer
struct precision_places : digits {};
struct expect_precision_places : precision_places {};
struct precision_decl : seq< tok< kw_precision >, must< expect_precision_places >, ws > {};

// import := 'import' ident { ',' ident } 'from' string
struct import_name : ident {};
struct expect_import_name : import_name {};
struct expect_from : kw_from {};
struct import_source : string_lit {};
struct expect_import_source : import_source {};
struct import_decl : seq< tok< kw_import >, must< expect_import_name >, ws, star< tok< one< ',' > >, must< expect_import_name >, ws >,
                          must< expect_from >, ws, must< expect_import_source >, ws > {};

// override := 'override' path ( 'weight' weight | '=' expr | 'coef' '{' ... '}' | band_change )
// band_change := [ interval ] [ deadline ] [ string ]   (at least one)
struct override_target : path {};
struct expect_override_target : override_target {};
struct override_weight : seq< tok< kw_weight >, must< expect_weight > > {};
struct override_formula : seq< tok< one< '=' > >, must< expect_expr > > {};
struct override_coef : seq< tok< coef_kw >, must< expect_open_brace >, ws, star< coef_entry >, opt< coef_else >, must< expect_close_brace >, ws > {};
struct override_text : string_lit {};
struct override_band : sor< seq< tok< interval >, opt< tok< deadline > >, opt< tok< override_text > > >,
                            seq< tok< deadline >, opt< tok< override_text > > >,
                            tok< override_text > > {};
struct override_change : sor< override_weight, override_formula, override_coef, override_band > {};
struct expect_override_change : override_change {};
struct override_decl : seq< tok< kw_override >, must< expect_override_target >, ws, must< expect_override_change >, sep > {};
// remove := 'remove' path
struct remove_decl : seq< tok< kw_remove >, must< expect_override_target >, ws, sep > {};
// add := 'add' path body
struct add_decl : seq< tok< kw_add >, must< expect_override_target >, ws, must< expect_node_body > > {};

// rollup := 'rollup' ident ( set_literal | table ) [ 'missing' 'reweight' ]
// (the table maps each sub-period to its coarse period's suffix: `{ "-01": "Q1", ... }`)
struct expect_rollup_reweight : kw_reweight {};
struct rollup_missing : seq< tok< kw_missing >, must< expect_rollup_reweight >, ws > {};
struct rollup_decl : seq< tok< kw_rollup >, must< expect_decl_name >, ws, sor< table_lit, must< expect_set_lit > >, opt< rollup_missing >, sep > {};

// segment := 'segment' ident 'when' expr '{' { override | remove | add } '}'
struct segment_item : seq< sor< override_decl, remove_decl, add_decl >, ws > {};
struct expect_segment_close : one< '}' > {};
struct segment_decl : seq< tok< kw_segment >, must< expect_decl_name >, ws, must< expect_when >, ws, must< expect_expr >,
                           must< expect_open_brace >, ws, star< segment_item >, must< expect_segment_close >, ws > {};

struct decl : sor< policy_decl, subject_decl, rollup_decl, input_decl, param_decl, set_decl, let_decl, indicator_decl,
                   veto_decl, grade_decl, alert_decl, fund_decl, output_decl, precision_decl, import_decl,
                   override_decl, remove_decl, add_decl, segment_decl > {};
struct expect_decl_or_eof : eof {};
struct bom : opt< u8::bom > {};
// file := { decl } eof
struct file : seq< bom, ws, star< decl, ws >, must< expect_decl_or_eof > > {};

// clang-format on

}  // namespace jixiao::dsl::grammar
