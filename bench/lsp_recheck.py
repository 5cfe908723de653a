#!/usr/bin/python3
"""How long `jixiao lsp` takes to check a large policy again after a change (docs/editor.md).

Usage: bench/lsp_recheck.py JIXIAO JIXIAO_GEN_POLICY [--indicators N] [--runs R]
Generates a policy of N leaf indicators (bench/gen_policy.cpp, 1,000 by default), opens it in the
server, then R times changes it (a comment line added at the end) and asks for a hover at once: the
server parses, links and checks the new text before it answers, so the time to the answer is the
re-check plus the round trip. Prints the median, the fastest and the slowest, and `jixiao check` on
the same file for comparison (a whole process: start, read, check, plan). Not a test: a figure."""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lsp"))
from lsp_client import Client, uri_of  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("jixiao")
    ap.add_argument("gen_policy")
    ap.add_argument("--indicators", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=30)
    a = ap.parse_args()
    a.jixiao, a.gen_policy = os.path.abspath(a.jixiao), os.path.abspath(a.gen_policy)
    work = tempfile.mkdtemp(prefix="jixiao-lsp-bench-")
    path = os.path.join(work, "large.jx")
    subprocess.run([a.gen_policy, "--indicators", str(a.indicators), "--out", path], check=True)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"))
    c = Client(a.jixiao, env=env, cwd=work)
    c.initialize()
    uri = c.open(path)
    errors = [d for d in c.diagnostics(uri, timeout=60) if d["severity"] == 1]
    assert not errors, errors
    def cpu_seconds():  # the server's user + system time so far
        fields = open("/proc/%d/stat" % c.proc.pid).read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    times = []
    cpu_before = cpu_seconds()
    for i in range(a.runs):
        changed = text + "# edit %d\n" % i
        start = time.perf_counter()
        c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": i + 2}, "contentChanges": [{"text": changed}]})
        r = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}, timeout=60)
        times.append((time.perf_counter() - start) * 1000)
        assert "result" in r, r
    cpu = (cpu_seconds() - cpu_before) / a.runs * 1000
    # A request on the checked text: hover on the last leaf's name, nothing to check again.
    lines = text.split("\n")
    last = max(i for i, l in enumerate(lines) if "% =" in l)
    where = {"line": last, "character": len(lines[last]) - len(lines[last].lstrip()) + 1}
    answers = []
    for _ in range(a.runs):
        start = time.perf_counter()
        r = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": where}, timeout=60)
        answers.append((time.perf_counter() - start) * 1000)
    assert r.get("result"), r
    c.close()
    check = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([a.jixiao, "check", "-q", path], check=True, env=env)
        check.append((time.perf_counter() - start) * 1000)
    lines = text.count("\n")
    print("policy: %d leaf indicators, %d lines, %d bytes" % (a.indicators, lines, len(text.encode("utf-8"))))
    print("lsp re-check after a change: median %.1f ms, fastest %.1f ms, slowest %.1f ms (%d runs)"
          % (statistics.median(times), min(times), max(times), a.runs))
    print("  the server's CPU time per change and answer: %.1f ms (user + system)" % cpu)
    print("a hover without a change: median %.1f ms" % statistics.median(answers))
    print("jixiao check (whole process): median %.1f ms" % statistics.median(check))


if __name__ == "__main__":
    main()
