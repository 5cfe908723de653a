#!/usr/bin/python3
"""Protocol tests of `jixiao lsp`: one scripted JSON-RPC session per feature, asserting the
responses. Usage: protocol_test.py JIXIAO SOURCE_DIR WORK_DIR [FEATURE...] (all when none)."""
import os
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_client import Client, uri_of  # noqa: E402

JIXIAO, SOURCE, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
FIXTURES = os.path.join(SOURCE, "tests", "lsp", "fixtures")


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return f.read()


def pos(text, needle, nth=0, delta=0):
    """LSP position (UTF-16 code units) of the nth occurrence of `needle` in `text`, plus delta chars."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    at += delta
    line = text.count("\n", 0, at)
    start = text.rfind("\n", 0, at) + 1
    character = len(text[start:at].encode("utf-16-le")) // 2
    return {"line": line, "character": character}


def check(condition, what, got=None):
    if not condition:
        raise AssertionError(what + ("" if got is None else "\n  got: %r" % (got,)))


def env():
    e = dict(os.environ)
    e["XDG_CACHE_HOME"] = os.path.join(WORK, "cache")
    e.pop("JIXIAO_LANG", None)
    return e


def session(lang=None):
    c = Client(JIXIAO, env=env(), cwd=WORK)
    c.initialize(lang)
    return c


def workdir(name):
    d = os.path.join(WORK, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for f in os.listdir(FIXTURES):
        shutil.copy(os.path.join(FIXTURES, f), d)
    return d


def hover_text(c, uri, position):
    r = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": position})
    check("result" in r, "hover answered", r)
    return r["result"]["contents"]["value"] if r["result"] else None


# ---- features ----

def test_lifecycle_and_diagnostics():
    d = workdir("diagnostics")
    c = Client(JIXIAO, env=env(), cwd=d)
    r = c.request("textDocument/hover", {"textDocument": {"uri": "file:///x.jx"}, "position": {"line": 0, "character": 0}})
    check(r.get("error", {}).get("code") == -32002, "a request before initialize is refused", r)
    caps = c.initialize()
    for cap in ("hoverProvider", "definitionProvider", "referencesProvider", "completionProvider", "signatureHelpProvider",
                "documentSymbolProvider", "foldingRangeProvider", "documentFormattingProvider", "codeActionProvider",
                "renameProvider"):
        check(cap in caps["capabilities"], "capability " + cap, caps)
    check(caps["capabilities"]["textDocumentSync"]["change"] == 1, "full text sync", caps)
    path = os.path.join(d, "error.jx")
    text = fixture("error.jx")
    uri = c.open(path)
    diags = c.diagnostics(uri)
    check(len(diags) == 1, "one diagnostic for error.jx", diags)
    g = diags[0]
    check(g["code"] == "unknown-name" and g["severity"] == 1 and g["source"] == "jixiao", "unknown-name error", g)
    start = pos(text, "服务质量分")
    check(g["range"]["start"] == start, "range starts at the name (UTF-16)", g["range"])
    check(g["range"]["end"] == {"line": start["line"], "character": start["character"] + 5}, "range ends after 5 characters", g)
    check("服务质量分" in g["message"] and "提示" in g["message"] and "服务质量评分" in g["message"],
          "Chinese message with the hint", g["message"])
    # A fix: the diagnostics go away after the debounce.
    fixed = text.replace("服务质量分", "服务质量评分")
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]})
    check(c.diagnostics(uri) == [], "no diagnostics once fixed")
    # A character outside the BMP (two UTF-16 code units) before the error on the same line.
    emoji = text.replace("= 服务质量分", '= if "😀" == "a" then 1 else 服务质量分')
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": emoji}]})
    diags = c.diagnostics(uri)
    check(len(diags) == 1 and diags[0]["range"]["start"] == pos(emoji, "服务质量分"), "UTF-16 column after 😀", diags)
    # Incremental changes are applied too (a client may send them anyway).
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 4}, "contentChanges": [
        {"range": {"start": pos(emoji, "服务质量分"), "end": pos(emoji, "服务质量分", delta=5)}, "text": "服务质量评分"}]})
    check(c.diagnostics(uri) == [], "incremental fix applied")
    c.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    check(c.diagnostics(uri) == [], "closing clears the diagnostics")
    check(c.close() == 0, "exit after shutdown: code 0")

    # English, asked for by the editor.
    c = session("en")
    uri = c.open(path)
    diags = c.diagnostics(uri)
    check("unknown name" in diags[0]["message"].lower() and "hint" in diags[0]["message"], "English message", diags)
    check(c.close() == 0, "exit 0")

    # Related information: a name declared twice points at the first declaration.
    c = session()
    twice = fixture("good.jx").replace("param 目标 = 80", "param 目标 = 80\nparam 目标 = 90")
    uri = c.open(os.path.join(d, "twice.jx"), twice)
    diags = c.diagnostics(uri)
    dup = [g for g in diags if g["code"] == "duplicate-name"]
    check(dup and dup[0]["relatedInformation"][0]["location"]["range"]["start"] == pos(twice, "目标"),
          "duplicate-name with the first declaration as related information", diags)
    # Exit without shutdown: exit code 1, as the protocol says.
    c.notify("exit", None)
    check(c.proc.wait(10) == 1, "exit without shutdown: code 1")


def test_hover():
    d = workdir("hover")
    c = session()
    text = fixture("good.jx")
    uri = c.open(os.path.join(d, "good.jx"))
    check(c.diagnostics(uri) == [], "good.jx is clean")
    h = hover_text(c, uri, pos(text, "设施覆盖率 15%"))
    check("总分.基础层.设施覆盖率" in h and "权重 15%" in h and "占 `总分` 的 15%" in h and "满分 15 分" in h,
          "indicator: weight, share and full marks", h)
    h = hover_text(c, uri, pos(text, "基础层 40%"))
    check("占 `总分` 的 40%" in h and "满分 40 分" in h, "group share", h)
    h = hover_text(c, uri, pos(text, "= 设施覆盖率", delta=3))
    check("输入项 `设施覆盖率`" in h, "input at its use", h)
    h = hover_text(c, uri, pos(text, "服务质量评分 : score"))
    check("[0, 100]" in h, "input range", h)
    h = hover_text(c, uri, pos(text, "target: 目标", delta=9))
    check("参数 `目标`" in h and "80" in h, "param value", h)
    h = hover_text(c, uri, pos(text, "ratio("))
    check("ratio(x, target" in h and "函数 `ratio`" in h, "function documentation with its usage", h)
    h = hover_text(c, uri, pos(text, "grade 等级"))
    check("关键字 `等级`" in h and "用在：声明、否决" in h and "等级划分" in h, "keyword, in Chinese", h)
    h = hover_text(c, uri, pos(text, "B [75"))
    check("[75, 90)" in h, "band interval", h)
    h = hover_text(c, uri, pos(text, "grade 等级", delta=6))
    check("`A`：[90, 100]" in h, "grade: its bands", h)
    check(hover_text(c, uri, {"line": 0, "character": 0}) is None, "nothing on a comment")
    # A half-typed document still answers, from the last policy that could be checked.
    broken = text.replace("output 社区编码, 总分, 等级", "output 社区编码, 总分, 等级\nindicator 新 {")
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": broken}]})
    h = hover_text(c, uri, pos(broken, "target: 目标", delta=9))
    check(h and "参数 `目标`" in h, "hover on a document that does not parse", h)
    check(c.close() == 0, "exit 0")


def test_definition_and_references():
    d = workdir("definition")
    c = session()
    text = fixture("good.jx")
    uri = c.open(os.path.join(d, "good.jx"))
    r = c.request("textDocument/definition", {"textDocument": {"uri": uri}, "position": pos(text, "target: 目标", delta=9)})
    check(r["result"] == [{"uri": uri, "range": {"start": pos(text, "目标"), "end": pos(text, "目标", delta=2)}}],
          "definition of a param", r)
    r = c.request("textDocument/references", {"textDocument": {"uri": uri}, "position": pos(text, "目标"),
                                              "context": {"includeDeclaration": True}})
    check(len(r["result"]) == 2, "a param's declaration and its use", r)
    r = c.request("textDocument/references", {"textDocument": {"uri": uri}, "position": pos(text, "服务质量评分"),
                                              "context": {"includeDeclaration": False}})
    check(len(r["result"]) == 2, "an input's two uses", r)
    # Across `extends`: a variant's override names the base's indicator.
    vtext = fixture("variant.jx")
    vuri = c.open(os.path.join(d, "variant.jx"))
    r = c.request("textDocument/definition", {"textDocument": {"uri": vuri}, "position": pos(vtext, "质量", delta=1)})
    base = fixture("base.jx")
    check(r["result"] and r["result"][0]["uri"] == uri_of(os.path.join(d, "base.jx")) and
          r["result"][0]["range"]["start"] == pos(base, "质量 60%"), "definition in the base file", r)
    r = c.request("textDocument/definition", {"textDocument": {"uri": vuri}, "position": pos(vtext, "base.jx")})
    check(r["result"] and r["result"][0]["uri"] == uri_of(os.path.join(d, "base.jx")), "extends opens the base", r)
    # The standard library: a read-only file in the cache directory.
    std = 'policy "我的3+X" version "1" extends "std/3x"\n\noverride 总分.核心层 weight 40%\n'
    suri = c.open(os.path.join(d, "std-variant.jx"), std)
    r = c.request("textDocument/definition", {"textDocument": {"uri": suri}, "position": pos(std, "核心层")})
    check(r["result"], "definition in the standard library", r)
    target = r["result"][0]["uri"]
    cache = os.path.join(WORK, "cache", "jixiao")
    check(target.startswith("file://") and "/jixiao/std-" in target and target.endswith("/3x.jx"), "std file URI", target)
    std_dir = [os.path.join(cache, x) for x in os.listdir(cache)][0]
    mode = os.stat(os.path.join(std_dir, "3x.jx")).st_mode
    check(not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), "the std file is read-only", oct(mode))
    with open(os.path.join(std_dir, "3x.jx"), encoding="utf-8") as f:
        std_text = f.read()
    check(r["result"][0]["range"]["start"] == pos(std_text, "核心层 "), "the std declaration's position", r)
    # Opening the std file itself works as a standard-library module (its own names resolve).
    std_uri = c.open(os.path.join(std_dir, "3x.jx"), std_text, uri=target)
    check([g for g in c.diagnostics(std_uri) if g["severity"] == 1] == [], "the std policy opens without errors")
    check(c.close() == 0, "exit 0")


def test_completion_and_signature_help():
    d = workdir("completion")
    c = session()
    text = fixture("good.jx")
    uri = c.open(os.path.join(d, "good.jx"))
    at = pos(text, "  核心层 60%")
    r = c.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": at})
    items = {i["label"]: i for i in r["result"]["items"]}
    check(items.get("服务质量评分", {}).get("kind") == 5, "an input as a field", items.get("服务质量评分"))
    check(items.get("目标", {}).get("kind") == 21, "a param as a constant", items.get("目标"))
    check(items.get("总分.基础层", {}).get("kind") == 7, "an indicator", items.get("总分.基础层"))
    check(items.get("ratio", {}).get("insertTextFormat") == 2 and "${1:x}" in items["ratio"]["insertText"],
          "a function with a snippet", items.get("ratio"))
    check("indicator" in items and "指标" in items, "keywords in both spellings")
    check(items["指标"].get("documentation", {}) in ("带权重的指标树", {"kind": "markdown", "value": "带权重的指标树"}),
          "a keyword's documentation in Chinese", items["指标"])
    # Labels inside coef { }.
    coef = text.replace("output", "let 系数值 = coef(等级) { A 1, \noutput")
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": coef}]})
    r = c.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": pos(coef, "A 1, ", delta=5)})
    labels = [i["label"] for i in r["result"]["items"]]
    check(labels[:4] == ["A", "B", "C", "D"] and "ratio" not in labels, "the labels of the grade in coef { }", labels)
    # Input types after `name :` in an input block.
    typed = text.replace("  有效投诉次数 : count\n", "  有效投诉次数 : count\n  新列 : \n")
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": typed}]})
    r = c.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": pos(typed, "新列 : ", delta=5)})
    labels = [i["label"] for i in r["result"]["items"]]
    check("score" in labels and "percent" in labels and "分数" in labels, "input types", labels)
    # Signature help inside a call: the active argument.
    call = text.replace("ratio(服务质量评分, target: 目标)", "ratio(服务质量评分, ")
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 4}, "contentChanges": [{"text": call}]})
    r = c.request("textDocument/signatureHelp", {"textDocument": {"uri": uri}, "position": pos(call, "ratio(服务质量评分, ", delta=14)})
    s = r["result"]
    check(s and s["signatures"][0]["label"].startswith("ratio(x, target") and s["activeParameter"] == 1,
          "ratio's second argument is active", s)
    check(c.close() == 0, "exit 0")


def test_symbols_and_folding():
    d = workdir("symbols")
    c = session()
    text = fixture("good.jx")
    uri = c.open(os.path.join(d, "good.jx"))
    r = c.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    syms = {s["name"]: s for s in r["result"]}
    tree = syms["总分"]
    check([x["name"] for x in tree["children"]] == ["基础层", "核心层"], "the indicator tree", tree)
    check(tree["children"][0]["detail"] == "40% · 40分", "weight and full marks", tree["children"][0])
    check([x["name"] for x in tree["children"][0]["children"]] == ["设施覆盖率", "服务可达性"], "leaves", tree)
    check([x["name"] for x in syms["等级"]["children"]] == ["A", "B", "C", "D"], "grade bands", syms["等级"])
    check("服务质量评分" in syms and "目标" in syms, "inputs and params", list(syms))
    r = c.request("textDocument/foldingRange", {"textDocument": {"uri": uri}})
    folds = {(f["startLine"], f["endLine"]) for f in r["result"]}
    check((pos(text, "input {")["line"], pos(text, "}\n\nparam")["line"]) in folds, "the input block folds", folds)
    check((pos(text, "indicator 总分")["line"], pos(text, "}\n\ngrade")["line"]) in folds, "the indicator tree folds", folds)
    r = c.request("textDocument/inlayHint", {"textDocument": {"uri": uri},
                                             "range": {"start": {"line": 0, "character": 0}, "end": {"line": 99, "character": 0}}})
    check(any(h["label"] == " 15分" and h["position"] == pos(text, "15%", delta=3) for h in r["result"]), "inlay hint", r)
    check(c.close() == 0, "exit 0")


def test_formatting():
    d = workdir("formatting")
    c = session()
    messy = fixture("good.jx").replace("param 目标 = 80", "param    目标=80").replace("  核心层 60%", "      核心层   60%")
    path = os.path.join(d, "messy.jx")
    with open(path, "w", encoding="utf-8") as f:
        f.write(messy)
    uri = c.open(path)
    r = c.request("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}})
    expected = subprocess.run([JIXIAO, "fmt", "--stdout", path], capture_output=True, check=True).stdout.decode("utf-8")
    edits = r["result"]
    check(len(edits) == 1 and edits[0]["newText"] == expected, "the fmt layout", edits)
    check(edits[0]["range"]["start"] == {"line": 0, "character": 0}, "the whole document", edits)
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": expected}]})
    r = c.request("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}})
    check(r["result"] == [], "nothing to change once formatted", r)
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": "indicator {"}]})
    r = c.request("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}})
    check("result" in r and r["result"] is None, "a document that does not parse is not formatted", r)
    check(c.close() == 0, "exit 0")


def test_code_actions_and_rename():
    d = workdir("actions")
    c = session()
    text = fixture("error.jx")
    uri = c.open(os.path.join(d, "error.jx"))
    diags = c.diagnostics(uri)
    r = c.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": diags[0]["range"],
                                              "context": {"diagnostics": diags}})
    acts = r["result"]
    check(acts and acts[0]["edit"]["changes"][uri][0]["newText"] == "服务质量评分" and acts[0]["kind"] == "quickfix",
          "did you mean", acts)
    full = fixture("good.jx").replace("output 社区编码, 总分", "output 社区编码，总分")
    furi = c.open(os.path.join(d, "full.jx"), full)
    diags = c.diagnostics(furi)
    check(diags and diags[0]["code"] == "full-width-punctuation", "full-width comma reported", diags)
    r = c.request("textDocument/codeAction", {"textDocument": {"uri": furi}, "range": diags[0]["range"],
                                              "context": {"diagnostics": diags}})
    check(r["result"] and r["result"][0]["edit"]["changes"][furi][0]["newText"] == ",", "full-width to half-width", r)
    fund = fixture("good.jx").replace("input {", "input {\n  基础额度 : money 0..2000000").replace(
        "output 社区编码, 总分, 等级", "param 资金池 = 100万元\nfund 补助 pool 资金池 {\n  track 全部 100% split by 基础额度\n}\n\noutput 社区编码, 总分, 等级, 补助")
    turi = c.open(os.path.join(d, "fund.jx"), fund)
    diags = c.diagnostics(turi)
    ties = [g for g in diags if g["code"] == "missing-ties"]
    check(ties, "missing-ties reported", diags)
    r = c.request("textDocument/codeAction", {"textDocument": {"uri": turi}, "range": ties[0]["range"],
                                              "context": {"diagnostics": ties}})
    edit = [a for a in r["result"] if "ties by" in a["title"]]
    check(edit and edit[0]["edit"]["changes"][turi][0]["newText"] == "  ties by 社区编码\n", "add ties by", r)
    e = edit[0]["edit"]["changes"][turi][0]
    lines = fund.split("\n")
    lines.insert(e["range"]["start"]["line"], e["newText"].rstrip("\n"))
    c.notify("textDocument/didChange", {"textDocument": {"uri": turi, "version": 2}, "contentChanges": [{"text": "\n".join(lines)}]})
    check([g for g in c.diagnostics(turi) if g["code"] == "missing-ties"] == [], "the fix fixes it")
    # Rename.
    good = fixture("good.jx")
    guri = c.open(os.path.join(d, "good.jx"))
    r = c.request("textDocument/rename", {"textDocument": {"uri": guri}, "position": pos(good, "目标"), "newName": "达标值"})
    edits = r["result"]["changes"][guri]
    check(len(edits) == 2 and all(x["newText"] == "达标值" for x in edits), "rename a param: 2 edits", r)
    r = c.request("textDocument/rename", {"textDocument": {"uri": guri}, "position": pos(good, "目标"), "newName": "服务质量评分"})
    check(r.get("error", {}).get("code") == -32803 and "服务质量评分" in r["error"]["message"], "a clash is refused", r)
    r = c.request("textDocument/rename", {"textDocument": {"uri": guri}, "position": pos(good, "基础层"), "newName": "基本层"})
    check(len(r["result"]["changes"][guri]) == 1, "rename an indicator group", r)
    r = c.request("textDocument/rename", {"textDocument": {"uri": guri}, "position": pos(good, "目标"), "newName": "if"})
    check(r.get("error", {}).get("code") == -32803, "a keyword is refused", r)
    check(c.close() == 0, "exit 0")


def test_robustness():
    d = workdir("robust")
    c = session()
    c.send_raw(b"Content-Length: 5\r\n\r\n{oops")
    alive = c.request("textDocument/hover", {"textDocument": {"uri": "file:///nowhere.jx"}, "position": {"line": 0, "character": 0}})
    check(alive.get("result", "x") is None, "alive after malformed JSON", alive)
    check([m for m in c.unmatched if m.get("error", {}).get("code") == -32700 and m["id"] is None],
          "a ParseError for the malformed JSON", c.unmatched)
    c.send_raw(b"Content-Length: abc\r\n\r\n")
    c.send_raw(b"Content-Type: x\r\n\r\n")
    c.send_raw(b"Content-Length: 2\r\n\r\n[]")
    c.send_raw(b"Content-Length: 4\r\n\r\nnull")
    r = c.request("no/such/method", {})
    check(r.get("error", {}).get("code") == -32601, "MethodNotFound", r)
    c.notify("no/such/notification", {})
    r = c.request("textDocument/hover", {"textDocument": {"uri": 5}})
    check(r.get("error", {}).get("code") == -32602, "InvalidParams", r)
    r = c.request("textDocument/hover", {"textDocument": {"uri": "file:///x.jx"}, "position": {"line": -1, "character": 0}})
    check(r.get("error", {}).get("code") == -32602, "a negative line is InvalidParams", r)
    uri = c.open(os.path.join(d, "huge.jx"), "x" * 100000)
    c.diagnostics(uri)
    r = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 10 ** 6, "character": 10 ** 6}})
    check("result" in r, "a position past the end", r)
    check(c.close() == 0, "exit 0")
    codes = [m.get("error", {}).get("code") for m in c.unmatched]
    check(codes.count(-32700) >= 2 and codes.count(-32600) >= 2, "ParseError for the bad headers, InvalidRequest for [] and null", codes)


def test_fuzz_corpus():
    """The parser's fuzz corpus (examples, standard library, golden cases, regressions) through the
    server: each file opened, then half of it, with hover and completion at a few positions."""
    d = workdir("fuzz")
    c = session()
    files = []
    for root in ("stdlib-rules", "examples", "tests/golden", "fuzz/regressions/policy"):
        for dirpath, _, names in os.walk(os.path.join(SOURCE, root)):
            files += [os.path.join(dirpath, n) for n in sorted(names) if n.endswith(".jx")]
    check(len(files) > 100, "the corpus is there", len(files))
    for i, path in enumerate(sorted(files)):
        with open(path, "rb") as f:
            data = f.read().decode("utf-8", errors="replace")
        uri = "file://" + os.path.join(d, "corpus-%d.jx" % i)
        c.open(None, data, uri=uri)
        half = data[: len(data) // 2]
        ids = []
        for text, version in ((data, 1), (half, 2)):
            if version == 2:
                c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]})
            lines = text.split("\n")
            mid = len(lines) // 2
            for line, ch in ((0, 0), (mid, len(lines[mid]) // 2), (len(lines) - 1, 3)):
                p = {"line": line, "character": ch}
                ids.append(c.request_async("textDocument/hover", {"textDocument": {"uri": uri}, "position": p}))
            ids.append(c.request_async("textDocument/completion", {"textDocument": {"uri": uri},
                                                                   "position": {"line": mid, "character": len(lines[mid])}}))
            ids.append(c.request_async("textDocument/documentSymbol", {"textDocument": {"uri": uri}}))
            ids.append(c.request_async("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {}}))
        for rid in ids:
            r = c.response(rid, 30)
            check("result" in r, "%s: answered" % path, r)
        c.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    check(c.close() == 0, "alive at the end, exit 0")


TESTS = {
    "lifecycle": test_lifecycle_and_diagnostics,
    "hover": test_hover,
    "definition": test_definition_and_references,
    "completion": test_completion_and_signature_help,
    "symbols": test_symbols_and_folding,
    "formatting": test_formatting,
    "actions": test_code_actions_and_rename,
    "robustness": test_robustness,
    "fuzz_corpus": test_fuzz_corpus,
}


def main():
    os.makedirs(WORK, exist_ok=True)
    chosen = sys.argv[4:] or list(TESTS)
    failed = 0
    for name in chosen:
        try:
            TESTS[name]()
            print("ok   %s" % name)
        except Exception as e:  # noqa: BLE001 - report and go on to the next feature
            failed += 1
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e))
    return 1 if failed else 0


if __name__ == "__main__":
    tempfile.tempdir = WORK
    sys.exit(main())
