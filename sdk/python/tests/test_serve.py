"""Tests for msticgo_plugin.serve (run: python3 -m unittest discover -s sdk/python/tests)."""
import io
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from msticgo_plugin import AuthError, DataDriver, RateLimited, TIProvider, serve  # noqa: E402


def run(cls, *msgs):
    inp = io.StringIO("".join(json.dumps(dict(m, jsonrpc="2.0")) + "\n" for m in msgs))
    out = io.StringIO()
    serve(cls, stdin=inp, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


INIT = {"id": 1, "method": "initialize", "params": {"protocol_versions": [1], "loaded_as": "X", "settings": {"K": "v"}}}


class TI(TIProvider):
    PROVIDER_NAME = "TI"
    SUPPORTED_TYPES = ["ipv4"]

    def lookup(self, ioc, ioc_type, query_subtype=None):
        if ioc == "none":
            return None
        if ioc == "auth":
            raise AuthError("key refused")
        if ioc == "bug":
            raise ValueError("oops")
        return {"severity": "high", "details": {"who": self.loaded_as, "k": self.settings["K"]}}


class Drv(DataDriver):
    DATA_ENVIRONMENTS = ["A", "B"]
    ROW_BATCH = 2

    def query(self, text, args=None, limit=0):
        return ["n", {"name": "t", "type": "string"}], ([i, text] for i in range(5))


class ServeTest(unittest.TestCase):
    def test_initialize(self):
        out = run(TI, INIT)
        self.assertEqual(out[0]["id"], 1)
        self.assertEqual(out[0]["result"]["protocol"], 1)
        self.assertEqual(out[0]["result"]["supported_types"], ["ipv4"])

    def test_version_mismatch(self):
        out = run(TI, {"id": 1, "method": "initialize", "params": {"protocol_versions": [7]}})
        self.assertEqual(out[0]["error"]["data"]["kind"], "config")
        self.assertIn("upgrade", out[0]["error"]["message"])

    def test_lookup_items(self):
        items = [{"id": str(i), "ioc": v, "ioc_type": "ipv4"} for i, v in enumerate(["1.2.3.4", "none", "auth", "bug"])]
        out = run(TI, INIT, {"id": 2, "method": "lookup", "params": {"items": items}})
        notes = [m["params"]["result"] for m in out if m.get("method") == "lookup/result"]
        self.assertEqual([n["status"] for n in notes], ["found", "not_found", "error", "error"])
        self.assertEqual(notes[0]["details"], {"who": "X", "k": "v"})
        self.assertEqual(notes[2]["error_kind"], "auth")
        self.assertEqual(notes[3]["error_kind"], "internal")
        self.assertEqual(out[-1], {"jsonrpc": "2.0", "id": 2, "result": {"results": []}})

    def test_query_streams_rows(self):
        out = run(Drv, INIT, {"id": 2, "method": "connect", "params": {}},
                  {"id": 3, "method": "query", "params": {"text": "q"}})
        self.assertEqual(out[1]["result"], {})
        cols = out[2]["params"]["columns"]
        self.assertEqual(cols, [{"name": "n"}, {"name": "t", "type": "string"}])
        rows = [r for m in out if m.get("method") == "query/rows" for r in m["params"]["rows"]]
        self.assertEqual(rows, [[i, "q"] for i in range(5)])
        # Streamed in batches of ROW_BATCH rows, after the columns.
        batches = [len(m["params"]["rows"]) for m in out if m.get("method") == "query/rows"]
        self.assertEqual(batches, [2, 2, 1])
        self.assertTrue(all(m["params"]["request_id"] == 3 for m in out[2:-1]))
        self.assertEqual(out[-1]["result"], {"row_count": 5})

    def test_lookup_batch_and_retry_after(self):
        class Batch(TIProvider):
            def lookup_batch(self, items):
                return [None if it["ioc"] == "none" else {"found": True, "details": it["ioc"]} for it in items]

        class Limited(TIProvider):
            def lookup(self, ioc, ioc_type, query_subtype=None):
                raise RateLimited("slow down", retry_after=2.5)

        items = [{"id": "a", "ioc": "1.2.3.4"}, {"id": "b", "ioc": "none"}]
        out = run(Batch, INIT, {"id": 2, "method": "lookup", "params": {"items": items}})
        self.assertEqual(out[-1]["result"]["results"], [
            {"id": "a", "found": True, "details": "1.2.3.4", "status": "found"},
            {"id": "b", "status": "not_found"}])
        out = run(Limited, INIT, {"id": 2, "method": "lookup", "params": {"items": items[:1]}})
        res = out[1]["params"]["result"]
        self.assertEqual((res["status"], res["error_kind"], res["retry_after"]), ("error", "rate_limited", 2.5))

    def test_print_goes_to_stderr(self):
        class Chatty(TIProvider):
            def lookup(self, ioc, ioc_type, query_subtype=None):
                print("looking up", ioc)
                return {"found": True}

        inp = io.StringIO(json.dumps(dict(INIT, jsonrpc="2.0")) + "\n" + json.dumps(
            {"jsonrpc": "2.0", "id": 2, "method": "lookup", "params": {"items": [{"id": "0", "ioc": "1.2.3.4"}]}}) + "\n")
        out, err = io.StringIO(), io.StringIO()
        real_out, real_err = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        try:
            serve(Chatty, stdin=inp)  # stdout not given: the process's stdout is the protocol stream
        finally:
            sys.stdout, sys.stderr = real_out, real_err
        self.assertIn("looking up 1.2.3.4", err.getvalue())
        msgs = [json.loads(line) for line in out.getvalue().splitlines()]  # protocol lines only
        self.assertEqual(msgs[-1]["id"], 2)
        self.assertIs(sys.stdout, real_out)

    def test_unknown_method_and_shutdown(self):
        out = run(TI, INIT, {"id": 2, "method": "nope"}, {"id": 3, "method": "shutdown"},
                  {"id": 4, "method": "health"})
        self.assertEqual(out[1]["error"]["code"], -32601)
        self.assertEqual(out[2], {"jsonrpc": "2.0", "id": 3, "result": {}})
        self.assertEqual(len(out), 3)  # nothing is served after shutdown


if __name__ == "__main__":
    unittest.main()
