#!/usr/bin/python3
"""The examples' reports in a real browser. The 3+X example's: headless Chromium takes a screenshot
(a PNG of the expected size that is not blank) and prints the report to PDF; pdftotext then finds
every section title, a community's name, the pool total and the running header in the PDF. Every
other example's (the policy and data pairs of tests/report/examples.cmake): printed to PDF, in
which pdftotext finds every section title and the running header on every page.

Usage: browser_test.py --jixiao BIN --source DIR --work DIR [--chromium BIN] [--pdftotext BIN]
Registered by tests/CMakeLists.txt only where chromium and pdftotext are found.
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

WIDTH, HEIGHT = 1240, 1754  # an A4 page at 150 dpi


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def read_png(path):
    """Width, height and the filtered rows of an 8-bit RGB or RGBA PNG (what Chromium writes), and the
    size of its compressed image data."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(path + " is not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace != 0:
        fail("unexpected PNG format: depth %d, colour type %d, interlace %d" % (depth, colour, interlace))
    stride = width * (3 if colour == 2 else 4)
    raw = zlib.decompress(idat)
    if len(raw) != height * (stride + 1):
        fail("the PNG's image data does not match its size")
    rows = [raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)] for y in range(height)]
    return width, height, rows, len(idat)


def run_chromium(chromium, profile, args, timeout=60):
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
           "--user-data-dir=" + profile] + args
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    if r.returncode != 0:
        fail("chromium exited %d: %s" % (r.returncode, r.stderr.decode(errors="replace")[-2000:]))


SECTIONS = ["一、概要", "二、等级分布与分数分布", "三、预警", "四、资金", "五、否决与扣分", "六、排名", "七、政策说明"]


def pdf_text(pdftotext, pdf):
    r = subprocess.run([pdftotext, "-layout", pdf, "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if r.returncode != 0:
        fail("pdftotext exited %d on %s" % (r.returncode, pdf))
    return r.stdout.decode("utf-8")


def print_example(a, n, policy, data):
    """The report of examples/POLICY over examples/DATA, printed to PDF by Chromium: every section
    title in it, and the running header (the data's SHA-256) on every page."""
    html = os.path.join(a.work, "example-%d.html" % n)
    pdf = os.path.join(a.work, "example-%d.pdf" % n)
    r = subprocess.run([a.jixiao, "report", os.path.join(a.source, "examples", policy), "--data",
                        os.path.join(a.source, "examples", data), "--out", html, "-q"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if r.returncode != 0:
        return "jixiao report examples/%s exited %d" % (policy, r.returncode)
    with tempfile.TemporaryDirectory(prefix="jixiao-chromium-") as profile:
        run_chromium(a.chromium, profile, ["--print-to-pdf=" + pdf, "--no-pdf-header-footer", "file://" + html])
    text = pdf_text(a.pdftotext, pdf)
    missing = [s for s in SECTIONS if s not in text]
    if missing:
        return "examples/%s: not found in the PDF: %s" % (policy, ", ".join(missing))
    pages = text.count("\f")
    if pages == 0 or text.count("数据 SHA-256") < pages:
        return "examples/%s: the running header is not on every page (%d pages)" % (policy, pages)
    return None


def other_examples(source):
    """The policy and data pairs of tests/report/examples.cmake, but the 3+X example's."""
    with open(os.path.join(source, "tests", "report", "examples.cmake"), encoding="utf-8") as f:
        pairs = re.findall(r'^\s*"([^"|]+)\|([^"|]+)"', f.read(), re.M)
    if len(pairs) < 10:
        fail("tests/report/examples.cmake lists %d examples: its list was not understood" % len(pairs))
    return [(p, d) for p, d in pairs if p != "3x/policy.jx"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jixiao", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--chromium", default="chromium")
    ap.add_argument("--pdftotext", default="pdftotext")
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    html = os.path.join(a.work, "报告.html")
    example = os.path.join(a.source, "examples", "3x")
    r = subprocess.run([a.jixiao, "report", os.path.join(example, "policy.jx"), "--data",
                        os.path.join(example, "data", "communities.csv"), "--out", html, "--group-by", "所属街道",
                        "--id", "330110001001", "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if r.returncode != 0:
        fail("jixiao report exited %d: %s" % (r.returncode, r.stderr.decode(errors="replace")))
    with open(html, encoding="utf-8") as f:
        text = f.read()
    for forbidden in ("<script", "http://", "https://", "@import", "url("):
        # the SVG namespace is the one URI allowed: it names, it does not fetch
        if forbidden in text.replace('xmlns="http://www.w3.org/2000/svg"', ""):
            fail("the report is not self-contained: it contains " + forbidden)

    png = os.path.join(a.work, "page1.png")
    pdf = os.path.join(a.work, "报告.pdf")
    with tempfile.TemporaryDirectory(prefix="jixiao-chromium-") as profile:
        url = "file://" + html
        run_chromium(a.chromium, profile, ["--screenshot=" + png, "--window-size=%d,%d" % (WIDTH, HEIGHT), url])
        run_chromium(a.chromium, profile, ["--print-to-pdf=" + pdf, "--no-pdf-header-footer", url])

    width, height, rows, compressed = read_png(png)
    if (width, height) != (WIDTH, HEIGHT):
        fail("the screenshot is %dx%d, expected %dx%d" % (width, height, WIDTH, HEIGHT))
    # Not blank: a filtered row of one colour is nearly all zero bytes (whatever the filter), so the
    # rows with many non-zero bytes are those with text, borders or bars. A blank page has none,
    # and compresses to a few kilobytes.
    inked = sum(1 for row in rows if len(row) - row.count(0) > 60)
    if inked < 300 or compressed < 20000:
        fail("the screenshot looks blank (%d rows with ink, %d bytes of image data)" % (inked, compressed))

    text = pdf_text(a.pdftotext, pdf)
    pages = text.count("\f")
    wanted = SECTIONS + ["八、社区评价单：330110001001",
              "五常街道",          # a community's group as the charts and lists name it
              "330110001001",      # a community
              "20,000,000.00",     # the pool, exact
              "数据 SHA-256",       # the running header
              "第 1 页"]
    missing = [w for w in wanted if w not in text]
    if missing:
        fail("not found in the PDF: " + ", ".join(missing))
    if text.count("社区服务中心绩效评价(3+X)（2024.1）") < pages:
        fail("the running header is not on every page (%d pages)" % pages)
    print("ok: %dx%d screenshot, %d rows with ink; PDF of %d pages with every section" % (width, height, inked, pages))

    others = other_examples(a.source)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        problems = [p for p in pool.map(lambda c: print_example(a, c[0], *c[1]), enumerate(others)) if p]
    if problems:
        fail("\n".join(problems))
    print("ok: the reports of %d other examples printed with every section and the header on every page" % len(others))


if __name__ == "__main__":
    main()
