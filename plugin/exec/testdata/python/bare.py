"""Test plugin that answers lookup with a bare string instead of a result."""
import json
import sys

for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("method") == "initialize":
        out = {"jsonrpc": "2.0", "id": msg["id"], "result": {"protocol": 1}}
    elif msg.get("method") == "shutdown":
        break
    elif "id" in msg:
        out = {"jsonrpc": "2.0", "id": msg["id"], "result": "looks fine to me"}
    else:
        continue
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
