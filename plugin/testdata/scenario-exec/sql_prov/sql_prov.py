"""CustomDataProvB of MSTICPy's plugin tests."""
from msticgo_plugin import DataDriver, serve


class CustomDataProvB(DataDriver):
    DATA_ENVIRONMENTS = ["SQLTestProvider", "SQLProdProvider"]

    def connect(self, connection_string):
        self.connected = True

    def query(self, text, args=None, limit=0):
        return [{"ID": 1, "A": self.loaded_as, "B": "b", "C": text}]


if __name__ == "__main__":
    serve(CustomDataProvB)
