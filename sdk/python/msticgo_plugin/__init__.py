"""Helpers for writing msticgo executable plugins in Python (standard library only).

A plugin is a program that msticgo starts and talks to with JSON-RPC 2.0
messages, one per line, on stdin/stdout. This package implements the protocol so
a plugin author writes a class in MSTICPy style and calls serve():

    from msticgo_plugin import TIProvider, serve

    class MyTI(TIProvider):
        PROVIDER_NAME = "MyTI"
        SUPPORTED_TYPES = ["ipv4"]

        def lookup(self, ioc, ioc_type, query_subtype=None):
            return {"found": True, "severity": "high", "details": {"score": 90}}

    if __name__ == "__main__":
        serve(MyTI)

While serve() runs, print() goes to stderr (which msticgo logs); stdout carries
protocol messages only.
"""

import json
import sys
import traceback

__all__ = [
    "PROTOCOL_VERSION", "PluginError", "ConfigError", "AuthError", "RateLimited",
    "UpstreamError", "UnsupportedError", "TIProvider", "ContextProvider",
    "DataDriver", "serve",
]

PROTOCOL_VERSION = 1


class PluginError(Exception):
    """An error with a msticgo error kind.

    kind is one of: config, auth, rate_limited, unsupported, upstream, timeout, internal.
    """

    kind = "internal"

    def __init__(self, message, kind=None, retry_after=None):
        super().__init__(message)
        if kind:
            self.kind = kind
        self.retry_after = retry_after


class ConfigError(PluginError):
    kind = "config"


class AuthError(PluginError):
    kind = "auth"


class RateLimited(PluginError):
    kind = "rate_limited"


class UpstreamError(PluginError):
    kind = "upstream"


class UnsupportedError(PluginError):
    kind = "unsupported"


class _Base:
    """Common base: settings and the name the provider was loaded under."""

    PROVIDER_NAME = None
    VERSION = ""

    def __init__(self, settings, loaded_as):
        self.settings = settings or {}
        self.loaded_as = loaded_as

    def health(self):
        """Return {"ok": True} or {"ok": False, "detail": "..."}."""
        return {"ok": True}

    def close(self):
        """Called before the process exits."""


class TIProvider(_Base):
    """Base class for threat-intelligence providers.

    Override lookup(ioc, ioc_type, query_subtype) returning a dict with any of
    found (bool), severity ("information", "warning", "high"), details,
    raw, reference; return None for "not found". Raise a PluginError subclass
    to report an error kind. Override lookup_batch(items) to handle a batch
    at once (return one dict per item, in order).
    """

    SUPPORTED_TYPES = []

    def lookup(self, ioc, ioc_type, query_subtype=None):
        raise UnsupportedError("lookup is not implemented")


class ContextProvider(TIProvider):
    """Base class for context providers (same contract as TIProvider)."""


class DataDriver(_Base):
    """Base class for data drivers.

    DATA_ENVIRONMENTS lists the names the driver answers to; self.loaded_as
    is the one the user asked for. Override connect(connection_string) and
    query(text, args, limit) returning a list of dicts, or a tuple
    (columns, rows) where columns is a list of names or of
    {"name": ..., "type": ...} and rows is an iterable of lists.
    """

    DATA_ENVIRONMENTS = []
    ROW_BATCH = 500

    def connect(self, connection_string):
        return None

    def query(self, text, args=None, limit=0):
        raise UnsupportedError("query is not implemented")


class _Server:
    def __init__(self, cls, stdin, stdout):
        self.cls = cls
        self.stdin = stdin
        self.out = stdout
        self.inst = None

    def send(self, msg):
        msg["jsonrpc"] = "2.0"
        self.out.write(json.dumps(msg, default=str, separators=(",", ":")) + "\n")
        self.out.flush()

    def reply(self, mid, result):
        if mid is not None:
            self.send({"id": mid, "result": result})

    def error(self, mid, message, kind="internal", code=-32000, retry_after=None):
        if mid is None:
            return
        data = {"kind": kind}
        if retry_after:
            data["retry_after"] = retry_after
        self.send({"id": mid, "error": {"code": code, "message": str(message), "data": data}})

    def notify(self, method, params):
        self.send({"method": method, "params": params})

    def run(self):
        for line in self.stdin:
            line = line.strip()
            if not line:
                continue
            try:
                msg = json.loads(line)
            except ValueError as err:
                print("msticgo_plugin: bad message from host: %s" % err, file=sys.stderr)
                continue
            mid = msg.get("id")
            method = msg.get("method", "")
            params = msg.get("params") or {}
            if method == "shutdown":
                self.reply(mid, {})
                break
            try:
                self.dispatch(mid, method, params)
            except PluginError as err:
                self.error(mid, err, err.kind, retry_after=err.retry_after)
            except Exception as err:  # a bug in the plugin: report, keep serving
                traceback.print_exc(file=sys.stderr)
                self.error(mid, "%s: %s" % (type(err).__name__, err))
        if self.inst is not None:
            self.inst.close()

    def dispatch(self, mid, method, params):
        if method == "initialize":
            versions = params.get("protocol_versions") or [1]
            if PROTOCOL_VERSION not in versions:
                raise PluginError(
                    "host speaks protocol %s, this plugin speaks %d: upgrade msticgo"
                    % (versions, PROTOCOL_VERSION), "config")
            self.inst = self.cls(params.get("settings") or {}, params.get("loaded_as"))
            caps = ["lookup"] if issubclass(self.cls, TIProvider) else ["query", "stream"]
            self.reply(mid, {
                "protocol": PROTOCOL_VERSION,
                "plugin_version": self.cls.VERSION,
                "capabilities": caps,
                "supported_types": list(getattr(self.cls, "SUPPORTED_TYPES", []) or []),
            })
        elif self.inst is None:
            raise PluginError("initialize must come first", "internal")
        elif method == "health":
            self.reply(mid, self.inst.health())
        elif method == "lookup":
            self.lookup(mid, params.get("items") or [])
        elif method == "connect":
            self.inst.connect(params.get("connection_string", ""))
            self.reply(mid, {})
        elif method == "query":
            self.query(mid, params)
        elif method == "cancel":
            pass  # calls run to completion in this single-threaded server
        else:
            self.error(mid, "unknown method %r" % method, "unsupported", code=-32601)

    def lookup(self, mid, items):
        batch = getattr(self.inst, "lookup_batch", None)
        if batch is not None:
            results = batch(items)
            out = [_item_result(it["id"], r) for it, r in zip(items, results)]
            self.reply(mid, {"results": out})
            return
        for it in items:
            try:
                r = self.inst.lookup(it.get("value") or it["ioc"], it.get("ioc_type", ""),
                                     it.get("query_subtype"))
                res = _item_result(it["id"], r)
            except PluginError as err:
                res = {"id": it["id"], "status": "error", "error_kind": err.kind,
                       "message": str(err)}
                if err.retry_after:
                    res["retry_after"] = err.retry_after
            except Exception as err:  # a bug in the plugin: this item fails, the rest go on
                traceback.print_exc(file=sys.stderr)
                res = {"id": it["id"], "status": "error", "error_kind": "internal",
                       "message": "%s: %s" % (type(err).__name__, err)}
            self.notify("lookup/result", {"request_id": mid, "result": res})
        self.reply(mid, {"results": []})

    def query(self, mid, params):
        res = self.inst.query(params.get("text", ""), params.get("args"), params.get("limit", 0))
        if isinstance(res, tuple):
            columns, rows = res
            columns = [c if isinstance(c, dict) else {"name": str(c)} for c in columns]
        else:
            rows_in = list(res or [])
            names = []
            for r in rows_in:
                for k in r:
                    if k not in names:
                        names.append(k)
            columns = [{"name": n} for n in names]
            rows = ([r.get(n) for n in names] for r in rows_in)
        self.notify("query/columns", {"request_id": mid, "columns": columns})
        count = 0
        batch = []
        for row in rows:
            batch.append(list(row))
            count += 1
            if len(batch) >= self.inst.ROW_BATCH:
                self.notify("query/rows", {"request_id": mid, "rows": batch})
                batch = []
        if batch:
            self.notify("query/rows", {"request_id": mid, "rows": batch})
        self.reply(mid, {"row_count": count})


def _item_result(item_id, r):
    if r is None:
        return {"id": item_id, "status": "not_found"}
    if not isinstance(r, dict):
        raise PluginError("lookup must return a dict or None, got %s" % type(r).__name__)
    res = dict(r)
    res["id"] = item_id
    if "status" not in res:
        res["status"] = "found" if res.get("found", True) else "not_found"
    return res


def serve(cls, stdin=None, stdout=None):
    """Serve the msticgo plugin protocol for provider class cls until stdin closes."""
    out = stdout or sys.stdout
    inp = stdin or sys.stdin
    if stdout is None:
        sys.stdout = sys.stderr  # print() must never write to the protocol stream
    try:
        _Server(cls, inp, out).run()
    finally:
        if stdout is None:
            sys.stdout = out
