"""Well-behaved test TI plugin: calls the test server for every item."""
import json
import urllib.request

from msticgo_plugin import TIProvider, AuthError, serve


class Good(TIProvider):
    PROVIDER_NAME = "GoodTI"
    SUPPORTED_TYPES = ["ipv4"]

    def lookup(self, ioc, ioc_type, query_subtype=None):
        url = self.settings["BaseUrl"] + "/ip/" + ioc
        req = urllib.request.Request(url, headers={"X-Key": self.settings["AuthKey"]})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                body = json.load(resp)
        except urllib.error.HTTPError as err:
            if err.code == 401:
                raise AuthError("upstream said 401")
            raise
        return {"found": True, "severity": "warning", "details": body, "reference": url}


if __name__ == "__main__":
    serve(Good)
