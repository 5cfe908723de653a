"""What the benchmark's pandas scripts (policy_3x.py, policy_newcomer.py) share.

Exact integers throughout, as jixiao computes (docs/language.md §10): numbers are kept × 10^6
("raw") in int64, money in fen, scores in hundredths; floating point only where pandas reads a
number, whose exact value is recovered at once (`decimal`). The cells are taken to be valid: these
scripts do not check the data as jixiao does.
"""

import argparse
import sys

import numpy as np
import pandas as pd

ONE = 1_000_000
HUNDRED = 100 * ONE

NEGATIVE_LIST = frozenset(["挪用专项资金", "虚报服务数据", "违规发包", "截留克扣补助", "超范围列支",
                           "以拨代支", "套取财政资金", "违规收费", "拒不整改"])


def arguments(description):
    """--data FILE --out FILE."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", required=True, help="the data CSV (UTF-8)")
    parser.add_argument("--out", required=True, help="the results CSV to write")
    return parser.parse_args()


def read(path, text_columns):
    """The data file in file order: `text_columns` as text (an empty cell is ''), the others as
    pandas reads them (numbers, or text where a cell has `%`)."""
    return pd.read_csv(path, dtype={name: str for name in text_columns}, keep_default_na=False, thousands=",",
                       encoding="utf-8")


def decimal(column, places):
    """A number column (`85.5`, `85.5%`) as integers × 10^places, exactly: a decimal with at most
    `places` decimals is the nearest integer to its binary value × 10^places while that is well
    below 2^53 (checked: a larger value is an error, not a wrong one)."""
    if column.dtype == object:
        column = pd.to_numeric(column.str.strip().str.rstrip("%"))
    x = column.to_numpy(dtype=np.float64) * 10**places
    if np.abs(x).max(initial=0) >= 2**50:
        sys.exit("pandas: error: a number is too large for this script's exact reading")
    return np.rint(x).astype(np.int64)


def raw(column):
    """A number cell (score, percent, count, number) × 10^6."""
    return decimal(column, 6)


def fen(column):
    """An amount in 元 as fen."""
    return decimal(column, 2)


def div_round(n, d):
    """n / d rounded half away from zero (四舍五入); d > 0."""
    return np.sign(n) * ((2 * np.abs(n) + d) // (2 * d))


def leaf(v, full_points):
    """Points of a `%` leaf in hundredths: v (raw) clamped into [0, 100], scaled to the leaf's full
    marks and rounded to 6 decimals, then to 2."""
    return div_round(div_round(np.clip(v, 0, HUNDRED) * full_points * ONE, HUNDRED), 10_000)


def money_percent(a, b):
    """`a / b * 100` for amounts in fen: the quotient rounded to 6 decimals, then × 100. An amount
    whose × 10^6 would not fit in 64 bits is an error (numpy would wrap it silently)."""
    if np.abs(a).max(initial=0) > np.iinfo(np.int64).max // ONE:
        sys.exit("pandas: error: an amount is too large for this script's 64-bit arithmetic")
    return div_round(a * ONE, b) * 100


def any_in(column, items):
    """`list any_in set`: items separated by ; ； 、 or |, trimmed, empty items dropped."""
    return column.str.split(r"[;；、|]", regex=True).map(lambda xs: any(x.strip() in items for x in xs)).to_numpy()


def grade(total, vetoed):
    """grade 等级 of 总分 { A [90, 100]  B [75, 90)  C [60, 75)  D [0, 60) }; the veto forces D."""
    g = np.select([total >= 9000, total >= 7500, total >= 6000], ["A", "B", "C"], "D")
    return np.where(vetoed, "D", g)


def largest_remainder(pool, weights, keys, track):
    """Splits `pool` fen in proportion to `weights` (non-negative integers; pool × weight below 2^64)
    by the largest-remainder method (docs/allocation.md): each gets floor(pool × w / W), the fen
    left over go one each to the largest remainders, equal remainders by the key in byte order."""
    w = weights.astype(np.uint64)
    total = int(w.sum())
    if total == 0:
        sys.exit(f"pandas: error: track `{track}` cannot pay out its pool: the weights add up to 0")
    product = np.uint64(pool) * w
    share = (product // np.uint64(total)).astype(np.int64)
    remainder = product % np.uint64(total)
    left = pool - int(share.sum())
    if left > 0:
        order = pd.DataFrame({"remainder": remainder, "key": keys}).sort_values(
            ["remainder", "key"], ascending=[False, True], kind="stable")
        share[order.index[:left]] += 1
    return share


def top_percent(values, keys, percent):
    """The positions of the top `percent`% by `values`, equal values by the key: floor(n × p / 100)
    rows, at least one."""
    n = len(values)
    top = max(n * percent // 100, 1) if n > 0 else 0
    order = pd.DataFrame({"value": values, "key": keys}).sort_values(
        ["value", "key"], ascending=[False, True], kind="stable")
    return order.index[:top].to_numpy()


def dual_track(pool, base, grades, eligible, top_value, keys, names):
    """杭州余杭's dual-track fund as both policies write it: 70% of `pool` split by
    基础额度 × coef(等级) { A 0.9, B 0.65, C 0.4, D 0 } (exactly, in twentieths of a fen), 30% among
    the top 10% by `top_value` in proportion to it; rows not `eligible` (the veto's fund 0) get
    nothing. Returns the two tracks' fen per row."""
    performance_pool = pool * 70 // 100
    rows = np.flatnonzero(eligible)
    coef = pd.Series(grades).map({"A": 18, "B": 13, "C": 8, "D": 0}).to_numpy()
    performance = np.zeros(len(base), dtype=np.int64)
    performance[rows] = largest_remainder(performance_pool, base[rows] * coef[rows], keys[rows], names[0])
    top = rows[top_percent(top_value[rows], keys[rows], 10)]
    reward = np.zeros(len(base), dtype=np.int64)
    reward[top] = largest_remainder(pool - performance_pool, top_value[top], keys[top], names[1])
    return performance, reward


def hundredths(v):
    """Hundredths (scores, fen) as text with two decimals, as jixiao writes them: 7533 → 75.33."""
    s = pd.Series(v)
    return (s // 100).astype(str) + "." + (s % 100).astype(str).str.zfill(2)


def reasons(rules):
    """The 触发规则 column: the names of the rules that fired (`rules`: (fired, name) in the order the
    policy writes them), separated by `;`."""
    parts = [pd.Series(np.where(fired, name, "")) for fired, name in rules]
    joined = parts[0]
    for p in parts[1:]:
        joined = joined.str.cat(p, sep=";")
    return joined.str.replace(r";+", ";", regex=True).str.strip(";")


def write(path, columns):
    """The results CSV: a header, a line per row, quoted only where a cell needs it."""
    pd.DataFrame(columns).to_csv(path, index=False, lineterminator="\n")
