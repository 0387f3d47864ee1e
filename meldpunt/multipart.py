"""A file part without a name is refused, not dropped.

Django's multipart parser skips a file part whose ``filename`` is empty
before any upload handler sees it, so its content would vanish without a
word. Browsers send such a part, empty, for a file box where nothing was
chosen; a part with an empty name *and* content is something else (a
script, a broken client) and must be refused like any other bad file.

``NamelessPartHandler`` is the first upload handler. It lets Django's parser
read the request through ``MarkNamelessParts``, which gives every file part
that has content but an empty ``filename`` the name ``NAMELESS``; the next
handlers then receive it like any other file and ``cases.validators``
refuses it with a clear message. Empty nameless parts are left alone, so
"no file chosen" stays nothing. Only part headers are rewritten: a part's
content can never contain the boundary, so everything between a boundary
line and the blank line after it is a header.
"""

import re

from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParser

NAMELESS = "bijlage-zonder-naam"
_EMPTY_FILENAME = re.compile(rb'(?i)(content-disposition:[^\r\n]*;\s*filename=)""')
_HEADER_END = b"\r\n\r\n"
_MAX_HEADER = 64 * 1024
_READ = 64 * 1024


class MarkNamelessParts:
    """A read-only stream over ``stream`` with nameless file parts named ``NAMELESS``."""

    def __init__(self, stream, boundary: bytes):
        self.stream = stream
        self.delimiter = b"\r\n--" + boundary
        self.pending = b"\r\n"  # so that the first boundary looks like every other one
        self.out = b""
        self.eof = False
        self.skip = 2  # the CR LF added above is never passed on

    def _fill(self) -> None:
        chunk = self.stream.read(_READ)
        if chunk:
            self.pending += chunk
        else:
            self.eof = True

    def _process(self) -> None:
        """Move what is certainly finished from ``pending`` to ``out``, rewriting headers on the way."""
        while True:
            at = self.pending.find(self.delimiter)
            if at == -1:
                keep = 0 if self.eof else len(self.delimiter)
                cut = max(0, len(self.pending) - keep)
                self._emit(self.pending[:cut])
                self.pending = self.pending[cut:]
                return
            self._emit(self.pending[:at])
            self.pending = self.pending[at:]
            end = self.pending.find(_HEADER_END)
            look = end + len(_HEADER_END) + len(self.delimiter)
            if (end == -1 or len(self.pending) < look) and not self.eof and len(self.pending) < _MAX_HEADER:
                return  # wait for the whole header and the start of the content
            if end == -1:
                self._emit(self.pending)
                self.pending = b""
                return
            header = self.pending[: end + len(_HEADER_END)]
            content_starts = self.pending[end + len(_HEADER_END) : look]
            if content_starts != self.delimiter:  # the part has content
                header = _EMPTY_FILENAME.sub(rb'\1"' + NAMELESS.encode() + b'"', header)
            self._emit(header)
            self.pending = self.pending[end + len(_HEADER_END) :]

    def _emit(self, data: bytes) -> None:
        if self.skip:
            dropped = min(self.skip, len(data))
            data, self.skip = data[dropped:], self.skip - dropped
        self.out += data

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self.out) < size) and not (self.eof and not self.pending):
            self._fill()
            self._process()
        if size < 0:
            size = len(self.out)
        data, self.out = self.out[:size], self.out[size:]
        return data


class NamelessPartHandler(FileUploadHandler):
    """Parse multipart requests through ``MarkNamelessParts`` with the other upload handlers."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if self.request is None:
            return None
        others = [h for h in self.request.upload_handlers if h is not self]
        parser = MultiPartParser(META, MarkNamelessParts(input_data, boundary), others, encoding)
        return parser.parse()

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
