"""Shared by the layer tests: an app whose body streams chunk by chunk and records close()."""

from __future__ import annotations


class Streaming:
    """An app whose body is produced lazily, chunk by chunk, and records close()."""

    def __init__(self, chunks: int = 3) -> None:
        self.chunks = chunks
        self.produced = 0
        self.closed = False

    def __call__(self, environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return self._body()

    def _body(self):
        try:
            for index in range(self.chunks):
                self.produced += 1
                yield f"chunk {index}\n".encode()
        finally:
            self.closed = True
