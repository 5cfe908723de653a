// The built-in functions of the policy language, registered once (functions.def): per function an
// id, its name, its kind, its signature and how a call is written. The checker resolves every call
// to its id (CheckedPolicy::builtin); the compiler, the fund weights, the roll-up, explain and
// `jixiao lsp` (completion, hover and signature help, docs/editor.md) work from the id and this
// table, never from the callee's name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace jixiao::dsl {

/// What a builtin reads and where it is computed.
enum class BuiltinKind : std::uint8_t {
  kScalar,     ///< a value of the row from values of the row (min, clamp, round, count, ...)
  kScoring,    ///< a score from a value of the row (ratio, interpolate, shortfall, excess)
  kList,       ///< the items of a list input (count_in, size, trimmed_mean)
  kMissing,    ///< answers for missing values of optional inputs (present, fill)
  kHistory,    ///< earlier periods of the same subject: a global operation (prev, avg_prev, streak)
  kPeer,       ///< the rows of the same period and group: a global operation (rank, percentile, peer_avg)
  kSubPeriod,  ///< the sub-periods of a rolled-up row, computed by the roll-up (sub_mean, ...)
};

/// The named arguments builtins accept (`target:`, `within:`, ...), in kNamedArgNames' order.
enum class NamedArg : std::uint8_t { kTarget, kCap, kBetter, kAtZero, kStep, kPartial, kTrim, kAbove, kDefault, kWithin, kOrder, kTies };
inline constexpr std::string_view kNamedArgNames[] = {"target", "cap",  "better",  "at_zero", "step",  "partial",
                                                      "trim",   "above", "default", "within",  "order", "ties"};

/// The named argument spelled `name`, or nullopt.
constexpr std::optional<NamedArg> named_arg(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kNamedArgNames); ++i) {
    if (kNamedArgNames[i] == name) return static_cast<NamedArg>(i);
  }
  return std::nullopt;
}

/// A set of named arguments, one bit each.
constexpr std::uint32_t arg_bits(std::uint32_t bits) { return bits; }
constexpr std::uint32_t arg_bits(NamedArg a) { return 1u << static_cast<unsigned>(a); }
constexpr std::uint32_t operator|(NamedArg a, NamedArg b) { return arg_bits(a) | arg_bits(b); }
constexpr std::uint32_t operator|(std::uint32_t bits, NamedArg b) { return bits | arg_bits(b); }

/// A builtin function, by its line in functions.def.
enum class Builtin : std::uint8_t {
#define JIXIAO_BUILTIN(id, name, kind, min_args, max_args, named, usage) id,
#include "jixiao/dsl/functions.def"
#undef JIXIAO_BUILTIN
};
/// No builtin: an expression that is not a call, or a call the checker rejected.
inline constexpr Builtin kNoBuiltin{0xFF};

/// `BuiltinInfo::max_args` of a function that takes any number of positional arguments.
inline constexpr std::uint8_t kAnyArgs = 0xFF;

struct BuiltinInfo {
  Builtin id;
  std::string_view name;
  BuiltinKind kind;
  std::uint8_t min_args;  ///< positional arguments, at least
  std::uint8_t max_args;  ///< positional arguments, at most (kAnyArgs: no limit)
  std::uint32_t named;    ///< the named arguments it accepts (arg_bits)
  std::string_view usage; ///< a call as it is written, e.g. `clamp(x, lo, hi)`

  [[nodiscard]] constexpr bool accepts(NamedArg a) const { return (named & arg_bits(a)) != 0; }
  /// Whether a named argument spelled `spelled` is one of this function's.
  [[nodiscard]] constexpr bool accepts_named(std::string_view spelled) const {
    const std::optional<NamedArg> a = named_arg(spelled);
    return a && accepts(*a);
  }
};

namespace builtin_table {
using enum BuiltinKind;
using enum NamedArg;
inline constexpr BuiltinInfo kAll[] = {
#define JIXIAO_BUILTIN(id, name, kind, min_args, max_args, named, usage) \
  {Builtin::id, name, kind, min_args, max_args, arg_bits(named), usage},
#include "jixiao/dsl/functions.def"
#undef JIXIAO_BUILTIN
};
}  // namespace builtin_table

/// Every builtin, indexed by its Builtin id.
inline constexpr const auto& kBuiltins = builtin_table::kAll;

constexpr const BuiltinInfo& builtin_info(Builtin b) { return kBuiltins[static_cast<std::size_t>(b)]; }

/// Whether `b` reads other rows (history or peers): computed over whole columns, between programs.
constexpr bool reads_other_rows(Builtin b) {
  return b != kNoBuiltin && (builtin_info(b).kind == BuiltinKind::kHistory || builtin_info(b).kind == BuiltinKind::kPeer);
}

/// The builtin called `name`, or null.
constexpr const BuiltinInfo* find_builtin(std::string_view name) {
  for (const BuiltinInfo& f : kBuiltins) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace jixiao::dsl
