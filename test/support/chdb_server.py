"""A current ClickHouse engine (PyPI chdb-core, pinned in package.json) behind ClickHouse's HTTP interface.

Tests point a store at it and run the project's own code unchanged (@clickhouse/client, migrations, inserts,
queries), so "works on 18.16 and on current releases" is checked: test/storage/current-release.test.ts.

It speaks the part of the HTTP interface that @clickhouse/client uses: GET /ping; POST with the statement in the
body (query, command) or in the `query` parameter with the data in the body (exec with values: INSERT ... FORMAT
JSONEachRow); gzip and chunked request bodies; errors as HTTP 500 with ClickHouse's exception text. Other parameters
(query_id, session settings) are ignored. Responses are not compressed (the client accepts that).

Usage: python3 chdb_server.py DATA_DIR   prints "port N" once listening on 127.0.0.1, then serves until killed.
"""

import gzip
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from chdb import session

DATA_DIR = sys.argv[1]
DB = session.Session(DATA_DIR)
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet: the node test reports failures
        pass

    def reply(self, status, body, headers=None):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if urlparse(self.path).path == "/ping":
            self.reply(200, "Ok.\n")
        else:
            self.run(parse_qs(urlparse(self.path).query).get("query", [""])[0], b"")

    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))
        chunks = []
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip(), 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def do_POST(self):
        body = self.body()
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        params = parse_qs(urlparse(self.path).query)
        if "query" in params:
            self.run(params["query"][0], body)
        else:
            self.run(body.decode(), b"")

    def run(self, statement, data):
        sql = statement + ("\n" + data.decode() if data else "")
        try:
            with LOCK:
                result = DB.query(sql, "TabSeparated")
            out = result.bytes() if hasattr(result, "bytes") else bytes(result)
            self.reply(200, out)
        except Exception as err:  # noqa: BLE001 - every engine error goes back to the client, as ClickHouse does
            text = str(err)
            code = text.split("Code: ", 1)[1].split(".", 1)[0] if "Code: " in text else "1000"
            self.reply(500, text + "\n", {"X-ClickHouse-Exception-Code": code})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
