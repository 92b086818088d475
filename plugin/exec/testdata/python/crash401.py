"""Test plugin that crashes when the upstream answers 401 in the middle of a batch."""
import json
import sys
import urllib.request

from msticgo_plugin import TIProvider, serve


class Crashy(TIProvider):
    PROVIDER_NAME = "CrashTI"

    def lookup(self, ioc, ioc_type, query_subtype=None):
        url = self.settings["BaseUrl"] + "/ip/" + ioc
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                body = json.load(resp)
        except urllib.error.HTTPError as err:
            print("upstream answered %d for %s, giving up" % (err.code, ioc), file=sys.stderr)
            sys.exit(7)  # a careless plugin: dies instead of reporting an error
        return {"found": True, "details": body}


if __name__ == "__main__":
    serve(Crashy)
