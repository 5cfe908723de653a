#!/usr/bin/python3
"""Writes the seed corpus of the xlsx fuzz target (fuzz/xlsx_fuzz.cpp) into this directory:
workbooks made by openpyxl (Debian's python3-openpyxl, never jixiao) with the columns of the
target's fixed policy (fuzz/data_policy.hpp), and for each the parts the target packs itself
(`.parts`: the worksheet, the shared strings and the styles, separated by NUL bytes). The files
are committed; run this again only to change them:  /usr/bin/python3 fuzz/seeds/xlsx/make_seeds.py
"""
import datetime
import os
import zipfile

import openpyxl

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = ["编码", "街道", "类型", "覆盖率", "得分", "投诉", "达标", "事项", "评分", "支出", "系数", "加分项"]
ROWS = [
    ["A1", "东街", "城市", 80, 90, 1, "是", None, "90;85;70", 1000, 1, 5],
    ["A2", "东街", "农村", 0.855, 70, 2, False, "挪用资金", "60", 2000, 0.5, None],
    ["A3", "西街,北", "城市", 60.5, 75.25, 0, True, "挪用资金;违规", "100; 99", 3000.12, 2, 100],
    ["A4", "西街", "农村", 100, 100, 30, 1, None, "0", 1234.5, 1.5, 0],
]


def save(name, wb):
    path = os.path.join(HERE, name + ".xlsx")
    wb.save(path)
    # Fixed timestamps inside the archive, so that writing the seeds again changes nothing.
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for filename, data in items:
            z.writestr(zipfile.ZipInfo(filename, date_time=(2024, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        parts = [z.read(p) if p in names else b"" for p in
                 ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml")]
    with open(os.path.join(HERE, name + ".parts"), "wb") as f:
        f.write(b"\0".join(parts))


def book(rows, title=None):
    wb = openpyxl.Workbook()
    wb.properties.created = wb.properties.modified = datetime.datetime(2024, 1, 1)
    ws = wb.active
    ws.title = "数据"
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    return wb, ws


save("basic", book(ROWS)[0])
save("title-row", book(ROWS, "2024年度社区绩效评价表")[0])
wb, ws = book(ROWS)
ws["E3"].number_format = "0.00%"
ws["J2"].number_format = "#,##0.00"
ws["E4"] = "=E2*2"
ws["C5"] = "#DIV/0!"
ws["D2"] = datetime.date(2024, 3, 1)
save("formats", wb)
