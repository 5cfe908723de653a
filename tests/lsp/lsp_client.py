"""A minimal Language Server Protocol client for the tests of `jixiao lsp`: starts the server,
speaks JSON-RPC with Content-Length framing, and waits for responses and notifications with a
deadline (a test never hangs)."""
import json
import os
import select
import subprocess
import time
import urllib.parse


def uri_of(path):
    return "file://" + urllib.parse.quote(os.path.abspath(path))


class Client:
    def __init__(self, jixiao, args=("lsp",), env=None, cwd=None):
        self.proc = subprocess.Popen([jixiao, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, cwd=cwd)
        self.buffer = b""
        self.next_id = 1
        self.notifications = []
        self.unmatched = []  # responses to no request of ours (errors with id null)

    # ---- sending ----
    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message):
        body = json.dumps(message, ensure_ascii=False).encode("utf-8")
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request_async(self, method, params):
        rid = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return rid

    def request(self, method, params, timeout=10):
        return self.response(self.request_async(method, params), timeout)

    # ---- receiving ----
    def _read_message(self, deadline):
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                header = self.buffer[:end].decode("ascii")
                length = None
                for line in header.split("\r\n"):
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                assert length is not None, "response without Content-Length: %r" % header
                if len(self.buffer) >= end + 4 + length:
                    body = self.buffer[end + 4:end + 4 + length]
                    self.buffer = self.buffer[end + 4 + length:]
                    return json.loads(body.decode("utf-8"))
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message from the server in time")
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise EOFError("the server closed its output (exit code %r)" % self.proc.poll())
                self.buffer += chunk

    def response(self, rid, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_message(deadline)
            if "id" in m and "method" not in m:
                if m["id"] == rid:
                    return m
                self.unmatched.append(m)
            else:
                self.notifications.append(m)

    def diagnostics(self, uri, timeout=10):
        """The next publishDiagnostics for `uri` (one already received counts)."""
        deadline = time.monotonic() + timeout
        while True:
            for i, n in enumerate(self.notifications):
                if n.get("method") == "textDocument/publishDiagnostics" and n["params"]["uri"] == uri:
                    del self.notifications[i]
                    return n["params"]["diagnostics"]
            m = self._read_message(deadline)
            if "method" in m:
                self.notifications.append(m)

    # ---- lifecycle ----
    def initialize(self, lang=None, snippets=True):
        params = {"processId": os.getpid(), "rootUri": None,
                  "capabilities": {"textDocument": {"completion": {"completionItem": {"snippetSupport": snippets}}}}}
        if lang:
            params["initializationOptions"] = {"lang": lang}
        r = self.request("initialize", params)
        assert "result" in r, r
        self.notify("initialized", {})
        return r["result"]

    def open(self, path, text=None, uri=None):
        uri = uri or uri_of(path)
        if text is None:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        self.notify("textDocument/didOpen",
                    {"textDocument": {"uri": uri, "languageId": "jixiao", "version": 1, "text": text}})
        return uri

    def close(self, timeout=10):
        """shutdown + exit; returns the exit code."""
        r = self.request("shutdown", None)
        assert r.get("result", "missing") is None, r
        self.notify("exit", None)
        try:
            return self.proc.wait(timeout)
        finally:
            self.proc.stdin.close()
            self.proc.stdout.close()
            self.proc.stderr.close()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
