"""SQLiteDriver: a data driver for msticgo, in Python (standard library only).

Queries are SQL; msticgo binds parameters as $1, $2... which this driver
turns into SQLite's ?NNN markers. Rows stream back in batches.
"""
import re
import sqlite3

from msticgo_plugin import ConfigError, DataDriver, serve

SAMPLE = """
CREATE TABLE process_events (id INTEGER PRIMARY KEY, ts TEXT, host TEXT, image TEXT, cmdline TEXT);
INSERT INTO process_events (ts, host, image, cmdline) VALUES
 ('2024-03-01T10:00:00Z', 'ws1', 'C:\\Windows\\System32\\sethc.exe', 'sethc.exe 211'),
 ('2024-03-01T10:05:00Z', 'ws1', 'C:\\Windows\\System32\\cmd.exe', 'cmd.exe /c whoami'),
 ('2024-03-01T11:00:00Z', 'ws2', 'C:\\Windows\\System32\\schtasks.exe', 'schtasks /create /tn x /tr y');
"""


class SQLiteDriver(DataDriver):
    DATA_ENVIRONMENTS = ["SQLite", "SQLiteLocal"]

    def connect(self, connection_string):
        target = connection_string or self.settings.get("Database") or ":sample:"
        if target == ":sample:":
            self.db = sqlite3.connect(":memory:")
            self.db.executescript(SAMPLE)
        else:
            try:
                self.db = sqlite3.connect("file:%s?mode=ro" % target, uri=True)
            except sqlite3.Error as err:
                raise ConfigError("cannot open %s: %s" % (target, err))

    def query(self, text, args=None, limit=0):
        if not hasattr(self, "db"):
            self.connect("")
        sql = re.sub(r"\$(\d+)", r"?\1", text)
        cur = self.db.execute(sql, args or [])
        columns = [d[0] for d in cur.description or []]
        rows = cur.fetchmany(limit) if limit else cur
        return columns, rows


if __name__ == "__main__":
    serve(SQLiteDriver)
