#!/usr/bin/python3
"""The 3+X example from an Excel copy of its data gives byte-identical results to its CSV.

Writes examples/3x/data/communities.csv into a workbook with openpyxl (numbers stored as
numbers, a title row "2024年度社区绩效评价表" merged above the header), runs
`jixiao eval examples/3x/policy.jx --data copy.xlsx --header-row 2 --out r.csv`, and compares
r.csv with examples/3x/expected/results.csv, the committed results of the CSV input.

    same_results_3x.py --jixiao build/cli/jixiao --source . --work build/tests/xlsx-3x
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys

import openpyxl


def as_stored(v):
    """A CSV cell as a spreadsheet holds it: a number as a number, a code with leading zeros as text."""
    if v == "":
        return None
    try:
        if v.lstrip("-").isdigit():
            return v if len(v.lstrip("-")) > 1 and v.lstrip("-").startswith("0") else int(v)
        return float(v)
    except ValueError:
        return v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jixiao", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    example = os.path.join(a.source, "examples", "3x")
    with open(os.path.join(example, "data", "communities.csv"), encoding="utf-8") as f:
        rows = list(csv.reader(f))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "社区数据"
    ws.append(["2024年度社区绩效评价表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    ws.append(rows[0])
    numbers = 0
    for r in rows[1:]:
        cells = [as_stored(v) for v in r]
        numbers += sum(isinstance(c, (int, float)) for c in cells)
        ws.append(cells)
    assert numbers > 1000, "the numbers are stored as numbers"
    book = os.path.join(a.work, "copy.xlsx")
    wb.save(book)
    out = os.path.join(a.work, "r.csv")
    p = subprocess.run([a.jixiao, "eval", os.path.join(example, "policy.jx"), "--data", book, "--header-row", "2",
                        "--out", out, "--color=never"], capture_output=True, timeout=120)
    if p.returncode != 0:
        print(p.stderr.decode("utf-8", "replace"))
        return 1
    with open(out, "rb") as f:
        actual = f.read()
    with open(os.path.join(example, "expected", "results.csv"), "rb") as f:
        expected = f.read()
    if actual != expected:
        print(f"{out} differs from examples/3x/expected/results.csv")
        return 1
    print(f"{len(rows) - 1} rows from the workbook: results identical to the CSV's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
