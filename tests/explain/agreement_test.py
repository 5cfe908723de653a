#!/usr/bin/python3
"""Every line `jixiao explain` prints agrees with the engine: a property test over every row of
every example (docs/explain.md, "One semantics").

Usage: agreement_test.py --jixiao BIN POLICY DATA [POLICY DATA ...]

`jixiao eval --format json` gives the engine's results for each data file (with a period column,
those of the latest period); for every row of them, `jixiao explain` gives the derivation as JSON
and as text. Checked, with exact decimals:

- results: every indicator score eval reports, each grade and alert, each fund track's amount and
  each fund's total, and the rules that fired, are eval's;
- steps: each step of the derivation follows from the ones before it by the engine's rules
  (docs/language.md: operations at 6 decimals, points at the policy's precision, both rounded half
  away from zero): a leaf's clamping, scaling and rounding; a group's sum and reweighting; each
  adjustment's amount and cap; the totals and their caps; a node's result; a band's label through
  its veto effects; a fund share's exact value, whole fen and remainder, and the amount paid;
- text: the text shows the same numbers: every indicator's 得分, each band's label, each track's 实得
  and each fund's 合计, in the same order; and each arithmetic line holds exactly or says where it
  was rounded (arithmetic_test.check_text).

Fails with the first rows that do not agree."""
import json
import re
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

from arithmetic_test import check_text, finish, parse_args, rounded

SIX = Decimal("0.000001")


def six(fraction):
    """A Fraction at 6 decimals, as the engine's operations round."""
    return rounded(Decimal(fraction.numerator) / Decimal(fraction.denominator), 6) if fraction.denominator != 1 \
        else Decimal(fraction.numerator)


def dec(x):
    return None if x is None else Decimal(str(x))


def fen(yuan):
    return int(Decimal(str(yuan)) * 100)


class Row:
    """The checks of one row: `problems` collects what does not agree."""

    def __init__(self, where, result, x, text, precision):
        self.where, self.result, self.x, self.text, self.p = where, result, x, text, precision
        self.problems = []

    def expect(self, ok, what):
        if not ok:
            self.problems.append("%s: %s" % (self.where, what))

    # ---- indicators ----

    def node(self, n):
        """Checks node `n` (and its sub-indicators); returns its score (None when absent)."""
        full = dec(n["full_marks"])
        path = n["path"]
        if "children" not in n:
            base = self.leaf(n, full)
        else:
            scores = [self.node(c) for c in n["children"]]
            present = sum(s for c, s in zip(n["children"], scores) if not c["absent"])
            self.expect(dec(n["sum"]) == present, "%s: sum %s, but the sub-indicators add up to %s" % (path, n["sum"], present))
            base = dec(n["sum"])
            if n["reweighted"] is not None:
                absent_full = sum(dec(c["full_marks"]) for c in n["children"] if c["absent"])
                rw = n["reweighted"]
                self.expect(dec(rw["absent_full_marks"]) == absent_full,
                            "%s: absent full marks %s, the absent sub-indicators' are %s" % (path, rw["absent_full_marks"], absent_full))
                expected = Decimal(0) if full <= absent_full else rounded(six(Fraction(base) * Fraction(full) / Fraction(full - absent_full)), self.p)
                self.expect(dec(rw["points"]) == expected, "%s: reweighted %s, expected %s" % (path, rw["points"], expected))
                base = dec(rw["points"])
        if base is None:
            return None if n["absent"] else dec(n["score"])
        score = self.adjusted(n, base)
        if n["absent"]:
            self.expect(n["score"] is None, "%s: absent but scored %s" % (path, n["score"]))
            score = None
        else:
            self.expect(dec(n["score"]) == score, "%s: score %s, its steps give %s" % (path, n["score"], score))
        if path in self.result:
            shown = self.result[path]
            self.expect((shown is None or shown == "") if score is None else dec(shown) == score,
                        "%s: explain says %s, eval %s" % (path, n["score"], shown))
        return score

    def leaf(self, n, full):
        path = n["path"]
        if n["missing"] is not None:
            return None if n["missing"]["rule"] == "peer_average" else Decimal(0)
        value = dec(n["formula"]["value"])
        points = n["weight"] is not None and n["weight"].endswith("分")
        limit = full if points else Decimal(100)
        clamped = min(max(value, Decimal(0)), limit)
        self.expect(dec(n["clamped_value"]) == clamped, "%s: clamped %s, but clamp(%s, 0, %s) is %s" % (path, n["clamped_value"], value, limit, clamped))
        flag = "to_zero" if value < 0 else "to_maximum" if value > limit else None
        self.expect(n["clamped"] == flag, "%s: clamped %s, expected %s" % (path, n["clamped"], flag))
        scaled = clamped if points else six(Fraction(clamped) * Fraction(full) / 100)
        self.expect(dec(n["unrounded_points"]) == scaled, "%s: points %s before rounding, expected %s" % (path, n["unrounded_points"], scaled))
        expected = rounded(scaled, self.p)
        self.expect(dec(n["points"]) == expected, "%s: points %s, %s rounded is %s" % (path, n["points"], scaled, expected))
        return dec(n["points"])

    def adjusted(self, n, base):
        if "deductions" not in n:
            return base
        path = n["path"]
        totals = {"deduct": Decimal(0), "bonus": Decimal(0)}
        for a in n["adjustments"]:
            amount = dec(a["amount"]["value"])
            if a["per"] is not None:
                amount = six(Fraction(amount) * Fraction(dec(a["per"]["value"])))
            if a["when"] is not None and a["when"]["value"] is False:
                amount = Decimal(0)
            computed = max(amount, Decimal(0))
            self.expect(dec(a["computed"]) == computed, "%s %s: computed %s, expected %s" % (path, a["name"], a["computed"], computed))
            cap = dec(a["cap"])
            applied = computed if cap is None else min(computed, cap)
            self.expect(dec(a["applied"]) == applied, "%s %s: applied %s, expected %s" % (path, a["name"], a["applied"], applied))
            self.expect(a["capped"] == (cap is not None and computed > cap), "%s %s: capped %s" % (path, a["name"], a["capped"]))
            totals[a["kind"]] += dec(a["applied"])
        taken = {}
        for kind, key in (("deduct", "deductions"), ("bonus", "bonuses")):
            t = n[key]
            self.expect(dec(t["total"]) == totals[kind], "%s: %s total %s, the %s applied add up to %s" % (path, key, t["total"], key, totals[kind]))
            cap = dec(t["cap"])
            applied = dec(t["total"]) if cap is None else min(dec(t["total"]), cap)
            self.expect(dec(t["applied"]) == applied, "%s: %s applied %s, expected %s" % (path, key, t["applied"], applied))
            self.expect(t["capped"] == (cap is not None and dec(t["total"]) > cap), "%s: %s capped %s" % (path, key, t["capped"]))
            taken[kind] = dec(t["applied"])
        return rounded(max(base - taken["deduct"], Decimal(0)) + taken["bonus"], self.p)

    # ---- grades, alerts, funds, reasons ----

    def band(self, b):
        self.expect(b["label"] == self.result.get(b["name"]), "%s: explain says %s, eval %s" % (b["name"], b["label"], self.result.get(b["name"])))
        label = b["band"]["label"] if b["band"] else None
        for e in b["effects"]:
            self.expect(e["from"] == label, "%s: veto %s from %s, but the label was %s" % (b["name"], e["veto"], e["from"], label))
            label = e["to"]
        self.expect(label == b["label"], "%s: the effects end at %s, the label is %s" % (b["name"], label, b["label"]))
        self.expect(sorted(b["changed_by"]) == sorted({e["veto"] for e in b["effects"] if e["from"] != e["to"]}),
                    "%s: changed by %s" % (b["name"], b["changed_by"]))

    def fund(self, f):
        paid = 0
        for t in f["tracks"]:
            name = f["name"] + "." + t["name"]
            amount = fen(t["amount"])
            if name in self.result:
                self.expect(amount == fen(self.result[name]), "%s: explain says %s, eval %s" % (name, t["amount"], self.result[name]))
            paid += amount
            if not t["in_split"] or "exact_share_fen" not in t:
                self.expect(t["in_split"] or amount == 0, "%s: not in the split but paid %s" % (name, t["amount"]))
                continue
            share = Fraction(t["exact_share_fen"])
            weight, total = Fraction(str(t["weight"])), Fraction(str(t["total_weight"]))
            self.expect(share == fen(t["pool"]) * weight / total,
                        "%s: exact share %s fen, but pool × weight ÷ total weight is %s" % (name, share, fen(t["pool"]) * weight / total))
            whole = int(t["whole_fen"])
            self.expect(whole == share.numerator // share.denominator, "%s: whole fen %s of %s" % (name, whole, share))
            self.expect(Fraction(t["remainder_fen"]) == share - whole, "%s: remainder %s of %s" % (name, t["remainder_fen"], share))
            self.expect(amount == whole + (1 if t["extra_fen"] else 0), "%s: paid %s fen, whole %s + extra %s" % (name, amount, whole, t["extra_fen"]))
            self.expect(not t["extra_fen"] or Fraction(t["remainder_fen"]) > 0, "%s: an extra fen without a remainder" % name)
            self.expect(0 <= t["leftover_fen"] < max(t["recipients"], 1), "%s: %s fen left over among %s" % (name, t["leftover_fen"], t["recipients"]))
        self.expect(paid == fen(f["total"]), "%s: the tracks pay %s fen, the total is %s" % (f["name"], paid, f["total"]))
        if f["name"] in self.result:
            self.expect(fen(f["total"]) == fen(self.result[f["name"]]), "%s: explain says %s, eval %s" % (f["name"], f["total"], self.result[f["name"]]))

    # ---- the text ----

    def text_agrees(self):
        def walk(n):
            yield n
            for c in n.get("children", []):
                yield from walk(c)
        nodes = [n for root in self.x["indicators"] for n in walk(root)]
        heads = re.findall(r"^ *(\S+)  (?:权重 \S+  )?满分 \S+  得分 (不计 \(缺项\)|\S+分)$", self.text, re.M)
        self.expect(len(heads) == len(nodes), "text shows %d indicators, the JSON %d" % (len(heads), len(nodes)))
        for (name, shown), n in zip(heads, nodes):
            expected = "不计 (缺项)" if n["absent"] else "%s分" % rounded(dec(n["score"]), self.p)
            self.expect(name == n["name"] and shown == expected, "text: %s 得分 %s, the JSON %s %s" % (name, shown, n["name"], expected))
        labels = re.findall(r"^  (\S+): (\S+)\n    评定依据", self.text, re.M)
        self.expect(labels == [(b["name"], b["label"]) for b in self.x["bands"]], "text: bands %s" % labels)
        paid = re.findall(r"^      实得: (\S+)元", self.text, re.M)
        tracks = ["{:,.2f}".format(Decimal(str(t["amount"]))) for f in self.x["funds"] for t in f["tracks"]]
        self.expect(paid == tracks, "text: 实得 %s, the JSON %s" % (paid, tracks))
        totals = re.findall(r"^    (\S+) 合计: (\S+)元$", self.text, re.M)
        self.expect(totals == [(f["name"], "{:,.2f}".format(Decimal(str(f["total"])))) for f in self.x["funds"]], "text: totals %s" % totals)

    def check(self):
        for root in self.x["indicators"]:
            self.node(root)
        for b in self.x["bands"]:
            self.band(b)
        for f in self.x["funds"]:
            self.fund(f)
        reasons = [r["text"] for r in self.x["reasons"]]
        self.expect(reasons == [r["text"] for r in self.result.get("触发规则", [])], "reasons %s, eval %s" % (reasons, self.result.get("触发规则")))
        self.text_agrees()
        self.problems += ["%s: %s" % (self.where, p) for p in check_text(self.text)[1]]
        return self.problems


def run(args):
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s exited with %d\n%s" % (" ".join(args), r.returncode, r.stderr))
    return r.stdout


def main():
    a = parse_args()
    rows, failures = 0, []
    for policy, data in zip(a.pairs[::2], a.pairs[1::2]):
        evaluated = json.loads(run([a.jixiao, "eval", policy, "--data", data, "--format", "json"]))
        key_column = None
        for result in evaluated["results"]:
            key_column = key_column or next(iter(result))
            key = result[key_column]
            x = json.loads(run([a.jixiao, "explain", policy, "--data", data, "--id", key, "--format", "json"]))
            text = run([a.jixiao, "explain", policy, "--data", data, "--id", key])
            heads = re.search(r"得分 \d+\.?(\d*)分", text)
            precision = len(heads.group(1)) if heads else 2
            failures += Row("%s %s" % (policy, key), result, x, text, precision).check()
            rows += 1
    # The checks must be able to fail, or passing proves nothing: a score one hundredth off is caught.
    probe = {"path": "t", "name": "t", "full_marks": 10, "weight": "10%", "formula": {"value": 50}, "missing": None,
             "clamped": None, "clamped_value": 50, "unrounded_points": 5, "points": 5, "absent": False, "adjustments": [], "score": 5.01}
    wrong = Row("probe", {}, {}, "", 2)
    wrong.node(probe)
    assert wrong.problems, "a wrong score must be caught"
    return finish(rows, "rows", failures, "disagreements")


if __name__ == "__main__":
    sys.exit(main())
