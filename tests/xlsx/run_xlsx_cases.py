#!/usr/bin/python3
"""Golden cases for Excel workbooks as data (docs/data-formats.md, "Excel workbooks").

Each case builds a workbook with openpyxl (the library Excel users' scripts use; never one
jixiao wrote), or a broken archive with zipfile, in a scratch directory of the build tree,
runs `jixiao` on it in Chinese and in English, and compares stderr with
tests/xlsx/cases/NAME/expected.err and expected.en.err, and the exit code with the case's.
Cases that succeed also compare the results (`--out r.csv`) with cases/NAME/expected.csv.

    run_xlsx_cases.py --jixiao build/cli/jixiao --work build/tests/xlsx-cases [--update] [NAME...]

--update (or JIXIAO_UPDATE_GOLDEN=1) rewrites the expected files; review the diff.
"""
import argparse
import datetime
import os
import shutil
import subprocess
import sys
import zipfile

import openpyxl

HERE = os.path.dirname(os.path.abspath(__file__))
POLICY = os.path.join(HERE, "..", "golden", "eval", "_shared", "policy.jx")  # one input of each kind

HEADER = ["编码", "街道", "类型", "覆盖率", "得分", "投诉", "达标", "事项", "支出", "系数"]
ROWS = [
    ["A1", "东街", "城市", 80, 90, 1, "是", None, 1000, 1],
    ["A2", "西街", "农村", 85.5, 70, 0, "否", None, 2000, 1.5],
    ["A3", "南街", "城市", 60, 75, 3, "是", "挪用资金", 3000, 2],
]


def workbook(rows=None, header=HEADER, title=None, sheet="数据"):
    """A workbook whose first sheet `sheet` holds an optional title row, the header and rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title is not None:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for r in rows if rows is not None else ROWS:
        ws.append(r)
    return wb, ws


def with_cell(column, row, value, number_format=None):
    """The default rows with one cell (column name, 0-based data row) replaced."""
    rows = [list(r) for r in ROWS]
    rows[row][HEADER.index(column)] = value
    wb, ws = workbook(rows)
    if number_format:
        ws.cell(row=row + 2, column=HEADER.index(column) + 1).number_format = number_format
    return wb


def rewrite(path, part, change):
    """Rewrites the archive `path` with `change(text)` applied to part `part` (None: drop it)."""
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == part:
                new = change(data.decode("utf-8"))
                if new is None:
                    continue
                data = new.encode("utf-8")
            z.writestr(info.filename, data)


def patch_once(old, new):
    def change(text):
        assert old in text, (old, text[:2000])
        return text.replace(old, new, 1)
    return change


SHEET = "xl/worksheets/sheet1.xml"


def ent(text):
    """`text` as openpyxl writes it in a sheet: characters beyond ASCII as character references."""
    return "".join(c if ord(c) < 128 else f"&#{ord(c)};" for c in text)


# ---- the cases: each writes data.xlsx (or another file) into `d` and returns jixiao's arguments ----

def case_div0(d):
    with_cell("得分", 1, "#DIV/0!").save(f"{d}/data.xlsx")


def case_na_in_text(d):
    with_cell("街道", 2, "#N/A").save(f"{d}/data.xlsx")


def case_date_in_number(d):
    with_cell("支出", 0, datetime.date(2024, 3, 1)).save(f"{d}/data.xlsx")


def case_text_in_number(d):
    with_cell("得分", 0, "八十").save(f"{d}/data.xlsx")


def case_ok_15_digits(d):
    # Stored as Excel stores them: 85.299999999999997 is 85.3, 0.1+0.2 is 0.3; exponents exact.
    rows = [list(r) for r in ROWS]
    rows[0][HEADER.index("得分")] = 85.3
    rows[1][HEADER.index("系数")] = 0.1 + 0.2
    rows[2][HEADER.index("支出")] = 123450.0
    rows[0][HEADER.index("系数")] = 0.001
    wb, _ = workbook(rows)
    wb.save(f"{d}/data.xlsx")
    rewrite(f"{d}/data.xlsx", SHEET, lambda t: t.replace("<v>85.3</v>", "<v>85.299999999999997</v>")
            .replace("<v>123450</v>", "<v>1.2345E+5</v>").replace("<v>0.001</v>", "<v>1E-3</v>")
            .replace("<v>0.3</v>", "<v>0.30000000000000004</v>")
            .replace('<c r="J4" t="n"><v>2</v>', '<c r="J4" t="n"><v>2.0000000000000004</v>'))  # (openpyxl writes 0.1+0.2 shorter than Excel)
    with zipfile.ZipFile(f"{d}/data.xlsx") as z:
        sheet = z.read(SHEET).decode()
        for stored in ("85.299999999999997", "0.30000000000000004", "1.2345E+5", "1E-3", "2.0000000000000004"):
            assert f"<v>{stored}</v>" in sheet, stored


def case_too_many_decimals(d):
    with_cell("系数", 0, 1.0000001).save(f"{d}/data.xlsx")


def case_money_three_decimals(d):
    with_cell("支出", 1, 3000.123).save(f"{d}/data.xlsx")


def case_out_of_range(d):
    with_cell("得分", 2, 120).save(f"{d}/data.xlsx")


def case_missing_column(d):
    header = list(HEADER)
    header[HEADER.index("覆盖率")] = "设施覆盖率"
    workbook(header=header)[0].save(f"{d}/data.xlsx")


def case_unknown_sheet(d):
    wb, _ = workbook()
    wb.create_sheet("说明").append(["本表由街道填报"])
    wb.save(f"{d}/data.xlsx")
    return ["--sheet", "数剧"]


def case_header_row_past(d):
    workbook()[0].save(f"{d}/data.xlsx")
    return ["--header-row", "40"]


def case_title_row(d):
    # A title above the header, without --header-row: the hint names it.
    workbook(title="2024年度社区绩效评价表")[0].save(f"{d}/data.xlsx")


def case_negative_weight_title_row(d):
    # An error found while splitting the fund (a negative weight in the first community), in a
    # sheet with a title row: the message numbers the row as the sheet does (row 3), like the
    # loader's messages, not as the first data row.
    rows = [list(r) for r in ROWS]
    rows[0][HEADER.index("系数")] = -1.5
    workbook(rows, title="2024年度社区绩效评价表")[0].save(f"{d}/data.xlsx")
    return ["--header-row", "2"]


def case_ok_merged_header(d):
    # Row 1 a title merged across; rows 2-3 a two-level header: 编码 and 街道 merged down over
    # both rows, 得分 and 覆盖率 under a merged 指标 group; then the rows. --header-row 3.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(["2024年度社区绩效评价表"])
    ws.merge_cells("A1:J1")
    top = list(HEADER)
    top[HEADER.index("覆盖率")] = "指标"
    top[HEADER.index("得分")] = None
    ws.append(top)
    ws.append([None, None, "类型", "覆盖率", "得分", "投诉", "达标", "事项", "支出", "系数"])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    ws.merge_cells("D2:E2")
    for c in "CFGHIJ":
        ws[f"{c}2"] = None
    for r in ROWS:
        ws.append(r)
    wb.save(f"{d}/data.xlsx")
    return ["--header-row", "3"]


def case_empty_sheet(d):
    wb = openpyxl.Workbook()
    wb.active.title = "空表"
    wb.save(f"{d}/data.xlsx")


def case_not_zip(d):
    with open(f"{d}/data.xlsx", "w", encoding="utf-8") as f:
        f.write(",".join(HEADER) + "\n")


def case_truncated(d):
    workbook()[0].save(f"{d}/data.xlsx")
    with open(f"{d}/data.xlsx", "rb") as f:
        data = f.read()
    with open(f"{d}/data.xlsx", "wb") as f:
        f.write(data[: len(data) // 2])


def patch_entry_headers(path, part, change):
    """Calls change(data, at, local) on the local header and the central directory entry of `part`
    in the archive `path` (data a bytearray, `at` the header's offset), and writes the result."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    name = part.encode()
    patched = 0
    for sig, name_len_at, name_at in ((b"PK\x03\x04", 26, 30), (b"PK\x01\x02", 28, 46)):
        at = data.find(sig)
        while at >= 0:
            n = int.from_bytes(data[at + name_len_at: at + name_len_at + 2], "little")
            if bytes(data[at + name_at: at + name_at + n]) == name:
                change(data, at, sig == b"PK\x03\x04")
                patched += 1
            at = data.find(sig, at + 4)
    assert patched == 2
    with open(path, "wb") as f:
        f.write(data)


def case_zip_bomb(d):
    # A small sheet part whose headers declare 1 GiB unpacked: refused before anything is inflated.
    workbook()[0].save(f"{d}/data.xlsx")

    def declare_huge(data, at, local):
        size_at = at + (22 if local else 24)
        data[size_at: size_at + 4] = (1 << 30).to_bytes(4, "little")
    patch_entry_headers(f"{d}/data.xlsx", SHEET, declare_huge)


def case_zip_bomb_undeclared(d):
    # A sheet part that inflates to over 256 MiB (a root element full of spaces, about 300 KB
    # deflated) while both its headers declare 1,000 bytes unpacked: the reader counts what it
    # inflates and stops at its cap, in fixed memory, whatever the headers say.
    workbook()[0].save(f"{d}/data.xlsx")
    with zipfile.ZipFile(f"{d}/data.xlsx") as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(f"{d}/data.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            if name != SHEET:
                z.writestr(name, data)
                continue
            with z.open(name, "w") as f:
                f.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
                spaces = b" " * (1 << 20)
                for _ in range(270):
                    f.write(spaces)
                f.write(b"</worksheet>")

    def declare_small(data, at, local):
        size_at = at + (22 if local else 24)
        data[size_at: size_at + 4] = (1000).to_bytes(4, "little")
    patch_entry_headers(f"{d}/data.xlsx", SHEET, declare_small)


def case_encrypted_entry(d):
    # The sheet part flagged as encrypted (traditional PKWARE encryption) in both headers.
    workbook()[0].save(f"{d}/data.xlsx")

    def flag_encrypted(data, at, local):
        data[at + (6 if local else 8)] |= 1
    patch_entry_headers(f"{d}/data.xlsx", SHEET, flag_encrypted)


def case_no_shared_strings(d):
    # A cell that refers to a shared string, in a workbook without the shared strings part.
    workbook()[0].save(f"{d}/data.xlsx")
    rewrite(f"{d}/data.xlsx", SHEET, patch_once(f'<c r="B3" t="inlineStr"><is><t>{ent("西街")}</t></is></c>', '<c r="B3" t="s"><v>0</v></c>'))


def case_ok_shared_strings(d):
    # Shared strings as Excel writes them, one a rich-text run with a phonetic guide.
    workbook()[0].save(f"{d}/data.xlsx")
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">'
           '<si><t>东街</t></si>'
           '<si><r><t>西</t></r><r><rPr><b/></rPr><t xml:space="preserve">街</t></r><rPh sb="0" eb="1"><t>xi</t></rPh></si>'
           '</sst>')
    rewrite(f"{d}/data.xlsx", SHEET, lambda t: t
            .replace(f'<c r="B2" t="inlineStr"><is><t>{ent("东街")}</t></is></c>', '<c r="B2" t="s"><v>0</v></c>')
            .replace(f'<c r="B3" t="inlineStr"><is><t>{ent("西街")}</t></is></c>', '<c r="B3" t="s"><v>1</v></c>'))
    rewrite(f"{d}/data.xlsx", "xl/_rels/workbook.xml.rels", patch_once(
        "</Relationships>",
        '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml" Id="rId9"/></Relationships>'))
    with zipfile.ZipFile(f"{d}/data.xlsx", "a") as z:
        z.writestr("xl/sharedStrings.xml", sst)


def case_missing_sheet_part(d):
    workbook()[0].save(f"{d}/data.xlsx")
    rewrite(f"{d}/data.xlsx", SHEET, lambda t: None)


def case_malformed_xml(d):
    workbook()[0].save(f"{d}/data.xlsx")
    rewrite(f"{d}/data.xlsx", SHEET, lambda t: t.replace("<row ", "\n<row ").replace("</c></row>", "</c></rov>", 2))


def case_duplicate_key(d):
    rows = [list(r) for r in ROWS]
    rows[2][0] = "A1"
    workbook(rows)[0].save(f"{d}/data.xlsx")


def case_ok_formula_cached(d):
    # Formulas with the values Excel stored when it last calculated them (a percentage format too:
    # 0.85 shown as 85% is 85 for a percent input).
    workbook()[0].save(f"{d}/data.xlsx")
    rewrite(f"{d}/data.xlsx", SHEET, lambda t: t
            .replace('<c r="E2" t="n"><v>90</v></c>', '<c r="E2"><f>45*2</f><v>90</v></c>')
            .replace(f'<c r="C3" t="inlineStr"><is><t>{ent("农村")}</t></is></c>', '<c r="C3" t="str"><f>"农"&amp;"村"</f><v>农村</v></c>'))
    with zipfile.ZipFile(f"{d}/data.xlsx") as z:
        sheet = z.read(SHEET).decode()
        assert "<f>45*2</f>" in sheet and "&amp;" in sheet


def case_formula_uncomputed(d):
    rows = [list(r) for r in ROWS]
    rows[1][HEADER.index("得分")] = "=E2-10"
    workbook(rows)[0].save(f"{d}/data.xlsx")


def case_ok_percent_format(d):
    wb = with_cell("覆盖率", 0, 0.853, "0.0%")
    wb.save(f"{d}/data.xlsx")


def case_csv_with_sheet(d):
    with open(f"{d}/data.csv", "w", encoding="utf-8") as f:
        f.write(",".join(HEADER) + "\n")
    return ["--sheet", "数据"]


CASES = {
    "div0": (case_div0, 1),
    "na_in_text": (case_na_in_text, 1),
    "date_in_number": (case_date_in_number, 1),
    "text_in_number": (case_text_in_number, 1),
    "ok_15_digits": (case_ok_15_digits, 0),
    "too_many_decimals": (case_too_many_decimals, 1),
    "money_three_decimals": (case_money_three_decimals, 1),
    "out_of_range": (case_out_of_range, 1),
    "missing_column": (case_missing_column, 1),
    "unknown_sheet": (case_unknown_sheet, 2),
    "header_row_past": (case_header_row_past, 2),
    "title_row": (case_title_row, 1),
    "negative_weight_title_row": (case_negative_weight_title_row, 1),
    "ok_merged_header": (case_ok_merged_header, 0),
    "empty_sheet": (case_empty_sheet, 1),
    "not_zip": (case_not_zip, 1),
    "truncated": (case_truncated, 1),
    "zip_bomb": (case_zip_bomb, 1),
    "zip_bomb_undeclared": (case_zip_bomb_undeclared, 1),
    "encrypted_entry": (case_encrypted_entry, 1),
    "no_shared_strings": (case_no_shared_strings, 1),
    "ok_shared_strings": (case_ok_shared_strings, 0),
    "missing_sheet_part": (case_missing_sheet_part, 1),
    "malformed_xml": (case_malformed_xml, 1),
    "duplicate_key": (case_duplicate_key, 1),
    "ok_formula_cached": (case_ok_formula_cached, 0),
    "formula_uncomputed": (case_formula_uncomputed, 1),
    "ok_percent_format": (case_ok_percent_format, 0),
    "csv_with_sheet": (case_csv_with_sheet, 2),
}


def compare(path, actual, update):
    """True when the file at `path` holds `actual` (or it was written, with update)."""
    expected = None
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            expected = f.read()
    if expected == actual:
        return True
    if update:
        with open(path, "w", encoding="utf-8") as f:
            f.write(actual)
        print(f"updated {os.path.relpath(path, HERE)}")
        return True
    print(f"--- {os.path.relpath(path, HERE)} (expected)\n{expected}\n+++ actual\n{actual}")
    return False


# Cases whose point is fixed memory: how much more resident memory (MiB) jixiao may take than the
# same program checking the policy alone, far below what reading the part whole would take (over
# 256 MiB). Relative, because the program's own pages differ by build: 10 MiB for the release
# build, over 120 MiB for the sanitizer build (its binary is mostly instrumentation data).
MAX_EXTRA_MEMORY_MIB = {"zip_bomb_undeclared": 64}


def run_measured(args, cwd):
    """Runs `args` in `cwd`: its exit code, stderr and peak resident memory in MiB."""
    with open(os.path.join(cwd, "stderr.txt"), "wb") as err:
        p = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            p.returncode = 0  # reaped by wait4: keep Popen from waiting again
    with open(os.path.join(cwd, "stderr.txt"), "rb") as f:
        stderr = f.read().decode("utf-8", "replace")
    os.remove(os.path.join(cwd, "stderr.txt"))
    return os.waitstatus_to_exitcode(status), stderr, usage.ru_maxrss // 1024


def run_case(name, jixiao, work, update):
    build, exit_code = CASES[name]
    d = os.path.join(work, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    shutil.copy(POLICY, os.path.join(d, "policy.jx"))
    extra = build(d) or []
    data = "data.csv" if os.path.exists(os.path.join(d, "data.csv")) else "data.xlsx"
    golden = os.path.join(HERE, "cases", name)
    os.makedirs(golden, exist_ok=True)
    ok = True
    if name in MAX_EXTRA_MEMORY_MIB:
        _, _, base_mib = run_measured([jixiao, "check", "policy.jx", "--color=never"], d)
        max_mib = base_mib + MAX_EXTRA_MEMORY_MIB[name]
    for lang, err_name in (("zh", "expected.err"), ("en", "expected.en.err")):
        out = os.path.join(d, "r.csv")
        if os.path.exists(out):
            os.remove(out)
        args = [jixiao, "eval", "policy.jx", "--data", data, "--out", "r.csv", "--color=never", "--lang", lang] + extra
        returncode, stderr, peak_mib = run_measured(args, d)
        if returncode != exit_code:
            print(f"{name} ({lang}): exit {returncode}, expected {exit_code}\n{stderr}")
            ok = False
        if name in MAX_EXTRA_MEMORY_MIB and peak_mib > max_mib:
            print(f"{name} ({lang}): jixiao's peak memory was {peak_mib} MiB, at most {max_mib} expected "
                  f"({base_mib} MiB to check the policy + {MAX_EXTRA_MEMORY_MIB[name]})")
            ok = False
        ok = compare(os.path.join(golden, err_name), stderr, update) and ok
        if exit_code == 0:
            with open(out, encoding="utf-8") as f:
                ok = compare(os.path.join(golden, "expected.csv"), f.read(), update) and ok
        elif os.path.exists(out):
            print(f"{name} ({lang}): `r.csv` was written although the run failed")
            ok = False
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jixiao", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    update = a.update or os.environ.get("JIXIAO_UPDATE_GOLDEN") == "1"
    names = a.names or sorted(CASES)
    failed = [n for n in names if not run_case(n, os.path.abspath(a.jixiao), os.path.abspath(a.work), update)]
    stale = sorted(set(os.listdir(os.path.join(HERE, "cases"))) - set(CASES)) if os.path.isdir(os.path.join(HERE, "cases")) else []
    if stale:
        print(f"golden directories without a case: {stale}")
        failed += stale
    print(f"{len(names) - len(failed)} of {len(names)} workbook cases pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
