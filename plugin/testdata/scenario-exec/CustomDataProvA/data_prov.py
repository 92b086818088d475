"""CustomDataProvA of MSTICPy's plugin tests: a fixed one-row table."""
from msticgo_plugin import DataDriver, serve


class CustomDataProvA(DataDriver):
    def connect(self, connection_string):
        self.connected = True

    def query(self, text, args=None, limit=0):
        return [{"ID": 1, "A": "a", "B": "b", "C": text}]


if __name__ == "__main__":
    serve(CustomDataProvA)
