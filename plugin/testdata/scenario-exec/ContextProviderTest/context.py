"""ContextProviderTest of MSTICPy's plugin tests."""
from msticgo_plugin import ContextProvider, serve


class ContextProviderTest(ContextProvider):
    def lookup(self, ioc, ioc_type, query_subtype=None):
        return {"found": True, "details": {"observable": ioc, "context": "test"}}


if __name__ == "__main__":
    serve(ContextProviderTest)
