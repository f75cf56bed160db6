"""The replay file's own checksums: a damaged or altered file is refused.

A replay is ``u32 header_size, u32 header_crc, header, u32 body_size,
u32 body_crc, body, ...`` (little endian). Both CRCs are CRC-32 with poly
0x04C11DB7, initial value 0x10340DFE, no reflection, final xor 0xFFFFFFFF
(the parameters boxcars documents in its ``crc.rs``). The engine does not
check them on a successful parse, so a flipped bit in the body can decode
into a plausible but wrong match; a corrupt copy ingested before the good
original would then stand in for the game.

The non-reflected CRC is computed with zlib's reflected one on bit-reversed
bytes (CRC theory: reflecting input, initial value and output turns one into
the other), so checking a 3 MB replay costs milliseconds.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

_INIT = 0x10340DFE
_REVERSED_BYTES = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


def _reverse32(value: int) -> int:
    return int(f"{value:032b}"[::-1], 2)


def replay_crc(data: bytes) -> int:
    """CRC-32 as Rocket League computes it for a replay's header and body."""
    reflected = zlib.crc32(data.translate(_REVERSED_BYTES), _reverse32(_INIT) ^ 0xFFFFFFFF)
    return _reverse32(reflected)


def crc_problem(path: Path) -> str | None:
    """None when both checksums match; else which part is damaged, in words."""
    data = path.read_bytes()
    offset = 0
    for part in ("header", "body"):
        if len(data) < offset + 8:
            return f"the file ends before its {part}"
        size, expected = struct.unpack_from("<II", data, offset)
        chunk = data[offset + 8 : offset + 8 + size]
        if len(chunk) < size:
            return f"the file ends inside its {part} ({len(chunk)} of {size} bytes)"
        if replay_crc(chunk) != expected:
            return f"the {part} checksum does not match"
        offset += 8 + size
    return None
