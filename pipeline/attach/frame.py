"""The framing of the messages between the batch and the checking child (pipeline.attach.sandbox).

8 bytes of header length (big-endian), a JSON header, then the files' bytes one after the other.
JSON, never pickle, in both directions: a child that a hostile file took over can send wrong
answers, not run code in the batch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


def frame(header: dict[str, Any], blobs: Sequence[bytes]) -> bytes:
    """The header as JSON, then the blobs; their sizes are the reader's to know (header)."""
    head = json.dumps(header, ensure_ascii=True).encode("ascii")
    return len(head).to_bytes(8, "big") + head + b"".join(blobs)


def unframe(message: bytes, sizes: Sequence[int]) -> tuple[dict[str, Any], list[bytes]]:
    """The header and the blobs of ``sizes`` bytes each; ValueError when the message is short,
    TypeError when its header is not an object."""
    length = int.from_bytes(message[:8], "big")
    if 8 + length > len(message):
        raise ValueError("truncated header")
    header = json.loads(message[8:8 + length])
    if not isinstance(header, dict):
        raise TypeError("header is not an object")
    blobs, at = [], 8 + length
    for size in sizes:
        if not isinstance(size, int) or size < 0 or at + size > len(message):
            raise ValueError("truncated blob")
        blobs.append(message[at:at + size])
        at += size
    return header, blobs


def header_of(message: bytes) -> dict[str, Any]:
    """The header alone (to learn the sizes)."""
    header, _ = unframe(message, ())
    return header
