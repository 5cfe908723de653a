// Static ranges of numbers and the band tiling check (gaps, overlaps, uncovered values).
#include <algorithm>

#include "checker.hpp"
#include "jixiao/dsl/decimal.hpp"

namespace jixiao::dsl::check_detail {
namespace {

// A bound as an extended value: -inf < finite < +inf.
struct Ext {
  Int128 v = 0;
  int inf = 0;  // -1, 0, +1
};

Ext lo_of(const NumRange& r) { return r.lo_inf ? Ext{0, -1} : Ext{r.lo, 0}; }
Ext hi_of(const NumRange& r) { return r.hi_inf ? Ext{0, +1} : Ext{r.hi, 0}; }

bool less(const Ext& a, const Ext& b) {
  if (a.inf != b.inf) return a.inf < b.inf;
  return a.inf == 0 && a.v < b.v;
}

NumRange from_ext(Ext lo, Ext hi) {
  NumRange r;
  r.lo_inf = lo.inf != 0 || lo.v < INT64_MIN || lo.v > INT64_MAX;
  r.hi_inf = hi.inf != 0 || hi.v < INT64_MIN || hi.v > INT64_MAX;
  r.lo = r.lo_inf ? 0 : static_cast<std::int64_t>(lo.v);
  r.hi = r.hi_inf ? 0 : static_cast<std::int64_t>(hi.v);
  return r;
}

Ext mul_ext(const Ext& a, const Ext& b, std::int64_t scale) {
  if (a.inf == 0 && b.inf == 0) return {decimal::div_round(a.v * b.v, scale), 0};
  // 0 × ∞ = 0 here: a range end of zero times an unbounded one stays at zero.
  const int sa = a.inf != 0 ? a.inf : (a.v > 0) - (a.v < 0);
  const int sb = b.inf != 0 ? b.inf : (b.v > 0) - (b.v < 0);
  if (sa == 0 || sb == 0) return {0, 0};
  return {0, sa * sb};
}

}  // namespace

NumRange range_add(const NumRange& a, const NumRange& b) {
  Ext lo = lo_of(a).inf || lo_of(b).inf ? Ext{0, -1} : Ext{Int128{a.lo} + b.lo, 0};
  Ext hi = hi_of(a).inf || hi_of(b).inf ? Ext{0, +1} : Ext{Int128{a.hi} + b.hi, 0};
  return from_ext(lo, hi);
}

NumRange range_neg(const NumRange& a) {
  NumRange r;
  r.lo_inf = a.hi_inf;
  r.hi_inf = a.lo_inf;
  r.lo = a.hi_inf ? 0 : -a.hi;
  r.hi = a.lo_inf ? 0 : -a.lo;
  return r;
}

NumRange range_sub(const NumRange& a, const NumRange& b) { return range_add(a, range_neg(b)); }

NumRange range_mul(const NumRange& a, const NumRange& b, std::int64_t scale) {
  const Ext c[4] = {mul_ext(lo_of(a), lo_of(b), scale), mul_ext(lo_of(a), hi_of(b), scale),
                    mul_ext(hi_of(a), lo_of(b), scale), mul_ext(hi_of(a), hi_of(b), scale)};
  Ext lo = c[0];
  Ext hi = c[0];
  for (const Ext& e : c) {
    if (less(e, lo)) lo = e;
    if (less(hi, e)) hi = e;
  }
  return from_ext(lo, hi);
}

NumRange range_div(const NumRange& a, const NumRange& b, std::int64_t scale) {
  // A divisor range that reaches zero makes the quotient unbounded.
  const bool b_has_zero = (b.lo_inf || b.lo <= 0) && (b.hi_inf || b.hi >= 0);
  if (b_has_zero || b.lo_inf || b.hi_inf) return NumRange::unbounded();
  auto q = [&](const Ext& n, std::int64_t d) -> Ext {
    if (n.inf != 0) return {0, d > 0 ? n.inf : -n.inf};
    return {decimal::div_round(n.v * scale, d), 0};
  };
  const Ext c[4] = {q(lo_of(a), b.lo), q(lo_of(a), b.hi), q(hi_of(a), b.lo), q(hi_of(a), b.hi)};
  Ext lo = c[0];
  Ext hi = c[0];
  for (const Ext& e : c) {
    if (less(e, lo)) lo = e;
    if (less(hi, e)) hi = e;
  }
  return from_ext(lo, hi);
}

NumRange range_union(const NumRange& a, const NumRange& b) {
  const Ext lo = less(lo_of(a), lo_of(b)) ? lo_of(a) : lo_of(b);
  const Ext hi = less(hi_of(a), hi_of(b)) ? hi_of(b) : hi_of(a);
  return from_ext(lo, hi);
}

NumRange range_min(const NumRange& a, const NumRange& b) {
  const Ext lo = less(lo_of(a), lo_of(b)) ? lo_of(a) : lo_of(b);
  const Ext hi = less(hi_of(a), hi_of(b)) ? hi_of(a) : hi_of(b);
  return from_ext(lo, hi);
}

NumRange range_max(const NumRange& a, const NumRange& b) {
  const Ext lo = less(lo_of(a), lo_of(b)) ? lo_of(b) : lo_of(a);
  const Ext hi = less(hi_of(a), hi_of(b)) ? hi_of(b) : hi_of(a);
  return from_ext(lo, hi);
}

std::string range_text(const NumRange& r) {
  const std::string lo = r.lo_inf ? "-∞" : decimal::to_string(r.lo);
  const std::string hi = r.hi_inf ? "∞" : decimal::to_string(r.hi);
  return (r.lo_inf ? "(" : "[") + lo + ", " + hi + (r.hi_inf ? ")" : "]");
}

namespace {

std::string bound_text(const ast::Interval& iv, bool upper) {
  if (upper) return iv.hi_inf ? "∞" : decimal::to_string(iv.hi);
  return iv.lo_inf ? "-∞" : decimal::to_string(iv.lo);
}

// Interval text from a lower end (value, closed) and an upper end (value, closed).
Message interval_text(const std::string& lo, bool lo_closed, const std::string& hi, bool hi_closed) {
  if (lo == hi && lo_closed && hi_closed) return msg::interval_value(lo);
  return msg::interval(std::string(lo_closed ? "[" : "(") + lo + ", " + hi + (hi_closed ? "]" : ")"));
}

// Compares lower ends: -inf first; at equal values a closed end comes first.
bool lower_end_before(const ast::Interval& a, const ast::Interval& b) {
  if (a.lo_inf != b.lo_inf) return a.lo_inf;
  if (a.lo_inf) return false;
  if (a.lo != b.lo) return a.lo < b.lo;
  return a.lo_closed && !b.lo_closed;
}

}  // namespace

void check_tiling(std::vector<BandRef> bands, const NumRange& covered, const Message& what,
                  DiagnosticSink& sink) {
  std::vector<BandRef> usable;
  for (BandRef& b : bands) {
    const ast::Interval& iv = b.interval;
    if (iv.empty()) {
      sink.report(diagnose(
          DiagCode::band_empty, iv.span,
          msg::band_empty(b.label, what,
                          interval_text(bound_text(iv, false), iv.lo_closed, bound_text(iv, true), iv.hi_closed)),
          iv.lo > iv.hi ? msg::hint_band_lower_first() : msg::hint_band_close_one_end()));
      continue;
    }
    usable.push_back(std::move(b));
  }
  if (usable.empty()) return;
  std::stable_sort(usable.begin(), usable.end(), [](const BandRef& a, const BandRef& b) {
    return lower_end_before(a.interval, b.interval);
  });

  // Gaps and overlaps between neighbours (in order of their lower ends).
  for (std::size_t i = 0; i + 1 < usable.size(); ++i) {
    const ast::Interval& a = usable[i].interval;
    const ast::Interval& b = usable[i + 1].interval;
    if (a.hi_inf) {
      Diagnostic d = diagnose(
          DiagCode::band_overlap, b.span,
          msg::band_overlap(usable[i].label, usable[i + 1].label, what,
                            interval_text(bound_text(b, false), b.lo_closed, bound_text(b, true), b.hi_closed)),
          msg::hint_band_exactly_one());
      d.notes.push_back(Note{a.span, msg::note_band_here(usable[i].label)});
      sink.report(std::move(d));
      continue;
    }
    // Where a ends and b starts: a gap when the values between, or the one they share, lie in
    // neither; an overlap when that one lies in both, or when both start at -inf.
    if (!b.lo_inf && (a.hi < b.lo || (a.hi == b.lo && !a.contains(a.hi) && !b.contains(b.lo)))) {
      const Message gap =
          interval_text(decimal::to_string(a.hi), !a.hi_closed, decimal::to_string(b.lo), !b.lo_closed);
      Diagnostic d = diagnose(
          DiagCode::band_gap, b.span, msg::band_gap_between(what, gap, usable[i].label, usable[i + 1].label),
          msg::hint_band_meet(usable[i].label, decimal::to_string(b.lo) + (b.lo_closed ? ")" : "]"), usable[i + 1].label,
                              (a.hi_closed ? "(" : "[") + decimal::to_string(a.hi)));
      d.notes.push_back(Note{a.span, msg::note_band_ends_here(usable[i].label)});
      sink.report(std::move(d));
    } else if (b.lo_inf || a.hi > b.lo || (a.hi == b.lo && a.contains(a.hi) && b.contains(b.lo))) {
      const bool end_is_b = !b.hi_inf && (b.hi < a.hi || (b.hi == a.hi && !(a.hi_closed && !b.hi_closed)));
      const Message overlap =
          end_is_b ? interval_text(bound_text(b, false), b.lo_closed, bound_text(b, true), b.hi_closed)
                   : interval_text(bound_text(b, false), b.lo_closed, decimal::to_string(a.hi), a.hi_closed);
      Diagnostic d = diagnose(DiagCode::band_overlap, b.span,
                              msg::band_overlap(usable[i].label, usable[i + 1].label, what, overlap),
                              msg::hint_band_exactly_one_eg());
      d.notes.push_back(Note{a.span, msg::note_band_here(usable[i].label)});
      sink.report(std::move(d));
    }
  }

  // The values the banded expression can take must be covered at both ends.
  const ast::Interval& first = usable.front().interval;
  if (!first.lo_inf) {
    const bool gap_below = covered.lo_inf || first.starts_after(covered.lo);
    if (gap_below) {
      const Message gap = interval_text(covered.lo_inf ? "-∞" : decimal::to_string(covered.lo), !covered.lo_inf,
                                            decimal::to_string(first.lo), !first.lo_closed);
      sink.report(diagnose(
          DiagCode::band_gap, first.span, msg::band_gap_below(what, gap, usable.front().label),
          msg::hint_band_extend_down(range_text(covered), covered.lo_inf ? std::string("`-inf`")
                                                                         : "`[" + decimal::to_string(covered.lo) + ", ...`")));
    }
  }
  ast::Interval last = usable.front().interval;
  std::string last_label = usable.front().label;
  for (const BandRef& b : usable) {
    if (b.interval.hi_inf || (!last.hi_inf && (b.interval.hi > last.hi || (b.interval.hi == last.hi && b.interval.hi_closed)))) {
      last = b.interval;
      last_label = b.label;
    }
  }
  if (!last.hi_inf) {
    const bool gap_above = covered.hi_inf || last.ends_before(covered.hi);
    if (gap_above) {
      const Message gap = interval_text(decimal::to_string(last.hi), !last.hi_closed,
                                            covered.hi_inf ? "∞" : decimal::to_string(covered.hi), !covered.hi_inf);
      sink.report(diagnose(
          DiagCode::band_gap, last.span, msg::band_gap_above(what, gap, last_label),
          msg::hint_band_extend_up(range_text(covered), covered.hi_inf ? std::string("`inf`")
                                                                      : "`..., " + decimal::to_string(covered.hi) + "]`")));
    }
  }
}

}  // namespace jixiao::dsl::check_detail
