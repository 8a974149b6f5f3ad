"""A misbehaving stand-in for intake-api: every internal read answers with hundreds of megabytes.

Run as its own process (`python grote_intake.py PORT TOTAAL_BYTES VERSLAG`): the casus list streams chunked
without a length, a single casus declares its length up front. For each answer it appends to VERSLAG how many
bytes it managed to send before the reader hung up.
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

STUK = b"[" + b'"x",' * (64 * 1024 // 4 - 1) + b'"x"]'  # 64 KiB of valid-looking JSON per chunk


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    totaal = 0
    verslag = Path()

    def do_GET(self) -> None:
        verstuurd = 0
        chunked = self.path.split("?")[0] == "/v1/intern/casussen"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(self.totaal))
        self.end_headers()
        try:
            while verstuurd < self.totaal:
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(STUK), STUK))
                else:
                    self.wfile.write(STUK)
                verstuurd += len(STUK)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass
        finally:
            with self.verslag.open("a") as uit:
                uit.write(f"{self.path.split('?')[0]} {verstuurd}\n")
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        return


if __name__ == "__main__":
    Handler.totaal = int(sys.argv[2])
    Handler.verslag = Path(sys.argv[3])
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
