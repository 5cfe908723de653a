#!/usr/bin/python3
"""Every arithmetic line `jixiao explain` prints is exactly true, or says where it was rounded.

Usage: arithmetic_test.py --jixiao BIN POLICY DATA [POLICY DATA ...]
For every community of each data file (the key is the first column; with a period column, the
communities of the latest period: the others are refused as `unknown-key`), runs `jixiao explain`
and redoes, with exact decimals, each line of the
forms

  折算: a × b分 ÷ 100 = c分 | = c → d分 (四舍五入到 P 位小数) | ≈ c (保留 6 位小数) [→ d分 (...)]
  重新加权: s × f ÷ (f − g) (same endings)
  合计: s1 + s2 + ... = t分
  结果: b − 扣分 d [→ 0 (扣完为止)] [+ 加分 a] (same endings)
  扣分 NAME: a × per (n) = c分 | ≈ c (保留 6 位小数) [→ 0分 (负数按 0 计)]

`=` must hold exactly; `≈ c (保留 6 位小数)` must be the exact value rounded half away from zero
to 6 places (and differ from it); `→ d分 (四舍五入到 P 位小数)` must be c rounded to P places.
Fails with the first lines that do not hold. (docs/explain.md, "Every line holds")"""
import argparse
import csv
import re
import subprocess
import sys
from decimal import Decimal, ROUND_HALF_UP

NUM = r"-?\d+(?:\.\d+)?"
ENDING = re.compile(r"^ (=|≈) (" + NUM + r")(分)?( \(保留 (\d+) 位小数\))?(?: → (" + NUM + r")分 \(四舍五入到 (\d+) 位小数\))?$")
SCALE = re.compile(r"^折算: (" + NUM + r") × (" + NUM + r")分 ÷ 100(.*)$")
REWEIGHT = re.compile(r"^重新加权: (" + NUM + r") × (" + NUM + r") ÷ \((" + NUM + r") − (" + NUM + r")\)(.*)$")
TOTAL = re.compile(r"^合计: ((?:" + NUM + r")(?: \+ " + NUM + r")*) = (" + NUM + r")分")
RESULT = re.compile(r"^结果: (" + NUM + r")(?: − 扣分 (" + NUM + r")( → 0 \(扣完为止\))?)?(?: \+ 加分 (" + NUM + r"))?( [=≈] .*)$")
PRODUCT = re.compile(r"^(?:扣分|加分) .*?: (?:条件 .* 成立; )?(" + NUM + r") × .* \((" + NUM + r")\) (=|≈) (" + NUM + r")"
                     r"( \(保留 (\d+) 位小数\))?(?: → (" + NUM + r")分 \(负数按 0 计\)|分)")


def rounded(value, places):
    """`value` rounded half away from zero to `places` decimals."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def check_ending(exact, ending):
    """None if the ending of a line whose exact value is `exact` holds, else what is wrong."""
    m = ENDING.match(ending)
    if not m:
        return "cannot read the ending %r" % ending
    sign, shown, _, kept, kept_places, final, final_places = m.groups()
    shown = Decimal(shown)
    if sign == "=":
        if kept or shown != exact:
            return "`= %s` but the exact value is %s" % (shown, exact)
    else:
        if not kept:
            return "`≈ %s` without saying where it was rounded" % shown
        if shown != rounded(exact, int(kept_places)) or shown == exact:
            return "`≈ %s (保留 %s 位小数)` but the exact value is %s" % (shown, kept_places, exact)
    if final is not None and Decimal(final) != rounded(shown, int(final_places)):
        return "`→ %s` is not %s rounded to %s places" % (final, shown, final_places)
    return None


def check_text(text):
    problems, lines = [], 0
    for raw in text.splitlines():
        line = raw.strip().removeprefix("· ")
        if m := SCALE.match(line):
            exact = Decimal(m.group(1)) * Decimal(m.group(2)) / 100
            problem = check_ending(exact, m.group(3)) if m.group(3).startswith((" =", " ≈")) else "no result"
        elif m := REWEIGHT.match(line):
            s, f, f2, g = (Decimal(m.group(i)) for i in range(1, 5))
            problem = check_ending(s * f / (f2 - g), m.group(5)) if f2 != g else "divides by 0"
            # A quotient with no finite expansion is compared at 30 digits: enough to see `=` is false.
        elif m := RESULT.match(line):
            base, taken, floored, added = Decimal(m.group(1)), Decimal(m.group(2) or 0), m.group(3), Decimal(m.group(4) or 0)
            kept = base - taken
            problem = "`扣完为止` is %s but %s − %s is %s" % (bool(floored), base, taken, kept) if bool(floored) != (kept < 0) \
                else check_ending(max(kept, Decimal(0)) + added, m.group(5))
        elif m := PRODUCT.match(line):
            a, n, sign, shown, kept, places, final = m.groups()
            exact, shown = Decimal(a) * Decimal(n), Decimal(shown)
            problem = None
            if sign == "=" and (kept or shown != exact):
                problem = "`= %s` but the exact product is %s" % (shown, exact)
            elif sign == "≈" and (not kept or shown != rounded(exact, int(places)) or shown == exact):
                problem = "`≈ %s` but the exact product is %s" % (shown, exact)
            elif (final is not None) != (shown < 0) or (final is not None and Decimal(final) != 0):
                problem = "a negative amount counts as 0, a positive one as itself"
        elif m := TOTAL.match(line):
            parts = [Decimal(p) for p in m.group(1).split(" + ")]
            problem = None if sum(parts) == Decimal(m.group(2)) else "the parts add up to %s" % sum(parts)
        else:
            continue
        lines += 1
        if problem:
            problems.append("%s\n    %s" % (raw.strip(), problem))
    return lines, problems


def parse_args():
    """The command line both tests take: --jixiao PATH, then POLICY DATA pairs."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--jixiao", required=True)
    ap.add_argument("pairs", nargs="+")
    a = ap.parse_args()
    if len(a.pairs) % 2:
        ap.error("give POLICY DATA pairs")
    return a


def main():
    a = parse_args()
    checked, failures = 0, []
    for policy, data in zip(a.pairs[::2], a.pairs[1::2]):
        with open(data, encoding="utf-8-sig", newline="") as f:
            keys = sorted({row[0] for row in list(csv.reader(f))[1:] if row})
        for key in keys:
            r = subprocess.run([a.jixiao, "explain", policy, "--data", data, "--id", key],
                               capture_output=True, text=True)
            if r.returncode == 1 and "[unknown-key]" in r.stderr and "--period" in r.stderr:
                continue  # not in the latest period
            if r.returncode != 0:
                failures.append("%s %s: explain exited with %d\n%s" % (policy, key, r.returncode, r.stderr))
                continue
            lines, problems = check_text(r.stdout)
            checked += lines
            failures += ["%s %s: %s" % (policy, key, p) for p in problems]
    # The checker must be able to fail, or passing proves nothing.
    assert check_text("折算: 3.407667 × 4分 ÷ 100 = 0.136307分")[1], "a false `=` must be caught"
    assert check_text("合计: 1.10 + 2.20 = 3.31分")[1], "a wrong sum must be caught"
    assert check_text("结果: 86.35 − 扣分 5 = 81.36分")[1], "a wrong result must be caught"
    assert check_text("结果: 3 − 扣分 5 → 0 (扣完为止) + 加分 1.125 = 1.125 → 1.13分 (四舍五入到 2 位小数)")[1] == []
    assert check_text("扣分 投诉: 0.333333 × 有效投诉次数 (3) = 1分")[1], "a rounded product must say so"
    assert not check_text("扣分 投诉: 0.333333 × 有效投诉次数 (3) = 0.999999分")[1]
    assert not check_text("折算: 3.407667 × 4分 ÷ 100 ≈ 0.136307 (保留 6 位小数) → 0.14分 (四舍五入到 2 位小数)")[1]
    return finish(checked, "arithmetic lines", failures, "lines do not hold")


def finish(checked, what, failures, failed):
    """Prints what was checked and the first failures; the exit status (1 when none was checked)."""
    print("%d %s checked" % (checked, what))
    if failures:
        print("\n".join(failures[:20]))
        print("%d %s" % (len(failures), failed))
        return 1
    return 0 if checked > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
