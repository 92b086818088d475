"""AcmeIntelPy: a threat-intelligence provider for msticgo, in Python.

msticgo starts this program on first use and talks to it over stdin/stdout;
the msticgo_plugin SDK handles the protocol. print() goes to msticgo's log.
"""
import json
import urllib.error
import urllib.parse
import urllib.request

from msticgo_plugin import AuthError, RateLimited, TIProvider, UpstreamError, serve

PATHS = {
    "ipv4": "/ip/{}", "ipv6": "/ip/{}", "dns": "/domain/{}", "url": "/url/{}",
    "md5_hash": "/file/{}", "sha1_hash": "/file/{}", "sha256_hash": "/file/{}",
}


class AcmeIntel(TIProvider):
    PROVIDER_NAME = "AcmeIntelPy"
    VERSION = "1.0.0"
    SUPPORTED_TYPES = sorted(PATHS)

    def lookup(self, ioc, ioc_type, query_subtype=None):
        base = self.settings.get("BaseUrl", "").rstrip("/")
        url = base + PATHS[ioc_type].format(urllib.parse.quote(ioc, safe=""))
        req = urllib.request.Request(url, headers={"X-Api-Key": self.settings["AuthKey"]})
        try:
            with urllib.request.urlopen(req, timeout=int(self.settings.get("Timeout", 10))) as resp:
                body = json.load(resp)
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return None  # not found is an answer, not an error
            if err.code in (401, 403):
                raise AuthError("the API refused the key (HTTP %d)" % err.code)
            if err.code == 429:
                raise RateLimited("rate limited", retry_after=float(err.headers.get("Retry-After", "1")))
            raise UpstreamError("HTTP %d from the API" % err.code)
        score = int(body.get("score", 0))
        severity = "high" if score >= 80 else "warning" if score >= 40 else "information"
        return {
            "found": True,
            "severity": severity,
            "details": {"score": score, "tags": body.get("tags", [])},
            "raw": body,
            "reference": url,
        }


if __name__ == "__main__":
    serve(AcmeIntel)
