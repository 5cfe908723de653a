"""`jixiao eval --out r.xlsx` read back by an independent reader (openpyxl): the four sheets, the
results cell by cell against the CSV results (values, types, number formats), the frozen pane,
the alert fills, 汇总 against the CSV, 资金 paid == pool, 说明's SHA-256 of the data; a second run
gives the same bytes; an audit record of the workbook (and of CSV with --bom / --out-encoding gbk)
verifies. Usage: check_workbook.py JIXIAO SOURCE_DIR WORK_DIR (docs/data-formats.md, "Excel")."""
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from decimal import Decimal

import openpyxl

jixiao, source, work = (os.path.abspath(a) for a in sys.argv[1:4])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
example = os.path.join(source, "examples", "3x")
policy = os.path.join(work, "policy.jx")
data = os.path.join(work, "communities.csv")
shutil.copy(os.path.join(example, "policy.jx"), policy)
shutil.copy(os.path.join(example, "data", "communities.csv"), data)
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


def run(*args, code=0):
    p = subprocess.run([jixiao, *args], cwd=work, capture_output=True)
    if p.returncode != code:
        sys.exit(f"`jixiao {' '.join(args)}` exited {p.returncode}, not {code}:\n{p.stderr.decode()}")
    return p


run("eval", "policy.jx", "--data", "communities.csv", "--out", "r.csv")
run("eval", "policy.jx", "--data", "communities.csv", "--out", "r.xlsx", "--group-by", "所属街道",
    "--record", "r.record.toml")
first = open(os.path.join(work, "r.xlsx"), "rb").read()
run("eval", "policy.jx", "--data", "communities.csv", "--out", "r.xlsx", "--group-by", "所属街道")
check(open(os.path.join(work, "r.xlsx"), "rb").read() == first, "two runs give the same bytes")
run("verify", "r.record.toml")

with open(os.path.join(work, "r.csv"), encoding="utf-8", newline="") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
wb = openpyxl.load_workbook(os.path.join(work, "r.xlsx"))
check(wb.sheetnames == ["结果", "汇总", "资金", "说明"], f"sheets {wb.sheetnames}")

# ---- 结果: the CSV cell by cell ----
ws = wb["结果"]
got = [[c for c in r] for r in ws.iter_rows()]
check([c.value for c in got[0]] == header, "结果 has the CSV's header")
check(len(got) == len(rows), f"结果 has {len(got) - 1} rows, the CSV {len(body)}")
check(ws.freeze_panes == "B2", f"frozen pane {ws.freeze_panes}")
money = {h for h in header if h.startswith("运营补助")}
scores = {h for h in header if h.startswith("总分")}
fills = {"red": "FFFF0000", "yellow": "FFFFFF00", "blue": "FF00B0F0"}
vetoed_marked = 0
for r, (csv_row, cells) in enumerate(zip(body, got[1:]), start=2):
    for name, text, cell in zip(header, csv_row, cells):
        where = f"结果!{cell.coordinate} ({name})"
        if text == "":
            check(cell.value is None, f"{where} is empty as in the CSV, not {cell.value!r}")
        elif name in money or name in scores:
            check(isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool), f"{where} is a number")
            check(Decimal(repr(float(cell.value))) == Decimal(repr(float(text))), f"{where} {cell.value!r} != {text}")
            fmt = "#,##0.00" if name in money else "0.00"
            check(cell.number_format == fmt, f"{where} format {cell.number_format!r}, not {fmt!r}")
        else:
            check(cell.value == text, f"{where} {cell.value!r} != {text!r}")
        if name == "预警":
            check(cell.fill.fgColor.rgb == fills[text], f"{where} fill {cell.fill.fgColor.rgb} for {text}")
        if name == "触发规则" and "否决:" in text:
            check(cell.fill.fgColor.rgb == "FFFFC7CE", f"{where}: a vetoed row's reasons are filled light red")
            vetoed_marked += 1
check(vetoed_marked == sum("否决:" in r[-1] for r in body) > 0, "every vetoed row is marked")

# ---- 汇总: counts per grade and alert, and per 街道 ----
values = [list(r) for r in wb["汇总"].iter_rows(values_only=True)]


def table(title):
    start = next(i for i, r in enumerate(values) if r[0] == title and r[1] == "社区数")
    out = {}
    for r in values[start + 1:]:
        if r[0] is None:
            break
        out[r[0]] = r
    return values[start], out


for column in ("等级", "预警"):
    _, counts = table(column)
    expected = Counter(r[header.index(column)] for r in body)
    for label, n in expected.items():
        check(counts[label][1] == n, f"汇总 {column} {label}: {counts[label][1]} != {n}")
    check(counts["合计"][1] == len(body), f"汇总 {column} 合计")
head, groups = table("所属街道")
street = header.index("所属街道")
by_street = defaultdict(list)
for r in body:
    by_street[r[street]].append(r)
for name, members in by_street.items():
    g = dict(zip(head, groups[name]))
    check(g["社区数"] == len(members), f"汇总 {name} 社区数")
    for grade in "ABCD":
        check(g[f"等级 {grade}"] == sum(r[header.index("等级")] == grade for r in members), f"汇总 {name} 等级 {grade}")
    paid = sum(Decimal(r[header.index("运营补助")]) for r in members)
    check(Decimal(repr(float(g["运营补助（元）"]))) == paid, f"汇总 {name} money {g['运营补助（元）']} != {paid}")
    # The mean of the exact scores rounded to 2 places: within half a cent of the mean of the rounded ones.
    mean = sum(Decimal(r[header.index("总分")]) for r in members) / len(members)
    check(abs(Decimal(repr(float(g["总分 平均"]))) - mean) <= Decimal("0.01"), f"汇总 {name} mean {g['总分 平均']} ~ {mean}")
check(groups["合计"][1] == len(body), "汇总 groups' 合计")

# ---- 资金: paid == pool, 是 ----
funds = list(wb["资金"].iter_rows(values_only=True))
check(funds[0][:5] == ("资金", "分配方式", "分组", "资金池（元）", "已分配（元）"), f"资金 header {funds[0]}")
check(len(funds) > 1, "资金 lists the fund")
for r in funds[1:]:
    check(r[3] == r[4] and r[7] == "是", f"资金 row {r}: paid == pool")
total = sum(Decimal(r[header.index("运营补助")]) for r in body)
check(Decimal(repr(float(funds[1][4]))) == total, f"资金 paid {funds[1][4]} == the results' sum {total}")

# ---- 说明: the data's SHA-256 ----
about = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True) if r[0]}
digest = hashlib.sha256(open(data, "rb").read()).hexdigest()
check(about.get("数据文件 SHA-256") == digest, "说明 has the data's SHA-256")
check(about.get("数据文件") == "communities.csv", "说明 names the data file")
check(about.get("参数 资金池") == "20,000,000.00元", f"说明 param {about.get('参数 资金池')}")

# ---- CSV for Excel: records of --bom and --out-encoding gbk verify ----
plain = open(os.path.join(work, "r.csv"), "rb").read()
run("eval", "policy.jx", "--data", "communities.csv", "--out", "bom.csv", "--bom", "--record", "bom.record.toml")
check(open(os.path.join(work, "bom.csv"), "rb").read() == b"\xef\xbb\xbf" + plain, "--bom: a BOM, then the same bytes")
run("verify", "bom.record.toml")
run("eval", "policy.jx", "--data", "communities.csv", "--out", "gbk.csv", "--out-encoding", "gbk", "--record", "gbk.record.toml")
check(open(os.path.join(work, "gbk.csv"), "rb").read() == plain.decode("utf-8").encode("gb18030"), "--out-encoding gbk: GB18030")
run("verify", "gbk.record.toml")
# A record whose options were removed no longer verifies: they are part of the bytes.
record = open(os.path.join(work, "gbk.record.toml"), encoding="utf-8").read()
open(os.path.join(work, "gbk.record.toml"), "w", encoding="utf-8").write(record.replace("out_encoding = 'gb18030'\n", ""))
run("verify", "gbk.record.toml", code=1)

if failures:
    sys.exit(f"{len(failures)} checks failed")
print("workbook checked:", len(body), "rows")
