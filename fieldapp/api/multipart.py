"""A multipart body read as it arrives, a part at a time.

Werkzeug's form parser reads a whole body before the view sees any of it: a phone whose
connection drops at the tenth photo of twelve has delivered nine whole photos, and they would
be lost with the rest. Here each part is handed on once it is whole, so the media upload can
keep those nine (and the phone, asking afterwards, sends only what is missing).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from werkzeug.exceptions import BadRequest, ClientDisconnected, RequestEntityTooLarge
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

#: A read returns when this much has come (or the body ends): what sits below it when a phone goes
#: silent is seen only when the silence times out. Small enough that a photo's closing boundary
#: is seen soon after it arrives, large enough not to copy gunicorn's read-ahead over and over.
CHUNK = 16 * 1024


def parts(stream: IO[bytes], boundary: bytes, max_part: int, max_parts: int) -> Iterator[tuple[str, bytes]]:
    """(name, content) of each whole part, in order. A part over ``max_part`` bytes, or more than
    ``max_parts`` parts, is a 413; a body that is not multipart, a 400. A body that ends early
    raises Werkzeug's ``ClientDisconnected`` after the parts that were whole."""
    decoder = MultipartDecoder(boundary, max_form_memory_size=max_part, max_parts=max_parts)
    name, content = "", bytearray()
    while True:
        try:
            event = decoder.next_event()
        except ValueError:
            if decoder.complete:  # the body ended inside a part (no length declared, or a proxy cut it)
                raise ClientDisconnected() from None
            raise BadRequest() from None
        if isinstance(event, NeedData):
            try:
                chunk = stream.read(CHUNK)
            except OSError:  # reset by the peer, or silent past the server's timeout
                raise ClientDisconnected() from None
            decoder.receive_data(chunk or None)
        elif isinstance(event, Field | File):
            name, content = event.name, bytearray()
        elif isinstance(event, Data):
            content += event.data
            if len(content) > max_part:
                raise RequestEntityTooLarge()
            if not event.more_data:
                yield name, bytes(content)
        elif isinstance(event, Epilogue):
            return
