"""Provider1 of MSTICPy's plugin tests: a lookup returning a fixed result."""
from msticgo_plugin import TIProvider, serve


class TIProviderTest(TIProvider):
    PROVIDER_NAME = "Provider1"

    def lookup(self, ioc, ioc_type, query_subtype=None):
        return {"found": True, "severity": "information",
                "details": {"ID": "test-id", "Status": 0, "A": "a", "B": "b", "C": "c"}}


if __name__ == "__main__":
    serve(TIProviderTest)
