"""HWP 5 fixtures built at test time: a minimal OLE compound file (CFB v3) writer and the
record stream of a section, following Hancom's "한글 문서 파일 형식 5.0" specification.

Every stream is padded to 4,096 bytes so that the file needs no mini stream; readers find
the real end of a raw-deflate section by itself, and the FileHeader fields sit in its first
256 bytes, as in files written by 한글.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

FREE, END, FAT_SECTOR, NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR = 512

PARA_HEADER, PARA_TEXT, CTRL_HEADER, LIST_HEADER, TABLE = 66, 67, 71, 72, 77


def record(tag: int, level: int, payload: bytes) -> bytes:
    if len(payload) < 0xFFF:
        return struct.pack("<I", tag | (level << 10) | (len(payload) << 20)) + payload
    return struct.pack("<II", tag | (level << 10) | (0xFFF << 20), len(payload)) + payload


def paragraph(text: str, level: int = 0, controls: Sequence[str] = ()) -> bytes:
    """PARA_HEADER + PARA_TEXT; each control (a 4-char id) adds an 8-unit extended control char."""
    units: list[int] = []
    for unit in struct.unpack(f"<{len(text.encode('utf-16-le')) // 2}H", text.encode("utf-16-le")):
        units += [9, 0, 0, 0, 0, 0, 0, 9] if unit == 9 else [unit]  # a tab is an 8-unit inline control
    for control in controls:
        ident = struct.unpack("<2H", control[::-1].encode("latin-1"))
        units += [11, *ident, 0, 0, 0, 0, 11]
    units.append(13)
    body = struct.pack(f"<{len(units)}H", *units)
    header = struct.pack("<IIHBBHHHIH", len(units), 0, 0, 0, 0, 1, 0, 1, 0, 0)
    return record(PARA_HEADER, level, header) + record(PARA_TEXT, level + 1, body)


def control(ident: str, level: int) -> bytes:
    return record(CTRL_HEADER, level, ident[::-1].encode("latin-1") + bytes(40))


def table(rows: Sequence[Sequence[str]], level: int) -> bytes:
    """A 'tbl ' control at ``level`` with its TABLE record and one list (cell) per entry."""
    n_rows, n_cols = len(rows), len(rows[0])
    out = control("tbl ", level)
    out += record(TABLE, level + 1, struct.pack("<IHH", 0, n_rows, n_cols) + bytes(14 + 2 * n_rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            list_header = struct.pack("<hHI", 1, 0, 0)  # paragraph count, (unused), attributes: 8 bytes
            cell = struct.pack("<HHHHII4HH", c, r, 1, 1, 1000, 500, 0, 0, 0, 0, 1)
            out += record(LIST_HEADER, level + 1, list_header + cell)
            out += paragraph(text, level + 1)
    return out


def section(blocks: Sequence[bytes]) -> bytes:
    return b"".join(blocks)


def file_header(compressed: bool = True, distribution: bool = False, password: bool = False) -> bytes:
    flags = (1 if compressed else 0) | (2 if password else 0) | (4 if distribution else 0)
    return b"HWP Document File".ljust(32, b"\0") + struct.pack("<II", 0x05000300, flags) + bytes(216)


def write_hwp(path: Path, sections: Sequence[bytes], compressed: bool = True, **header_flags: bool) -> Path:
    streams: dict[tuple[str, ...], bytes] = {("FileHeader",): file_header(compressed, **header_flags)}
    streams[("DocInfo",)] = b""
    for n, body in enumerate(sections):
        if compressed:
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)
            body = packer.compress(body) + packer.flush()
        streams[("BodyText", f"Section{n}")] = body
    write_cfb(path, streams)
    return path


def write_cfb(path: Path, streams: dict[tuple[str, ...], bytes]) -> None:
    """A CFB v3 file holding ``streams`` (paths of at most one storage level)."""
    padded = {name: data.ljust(max(4096, -(-len(data) // SECTOR) * SECTOR), b"\0") for name, data in streams.items()}
    storages = sorted({name[0] for name in padded if len(name) == 2})
    # Directory: root, then top-level entries, then each storage's streams.
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "children": []}]
    index_of: dict[tuple[str, ...], int] = {}
    for name in sorted({n[:1] for n in padded} | {(s,) for s in storages}):
        index_of[name] = len(entries)
        entries.append({"name": name[0], "type": 1 if name[0] in storages else 2, "children": [], "path": name})
        entries[0]["children"].append(index_of[name])
    for name in sorted(n for n in padded if len(n) == 2):
        index_of[name] = len(entries)
        entries.append({"name": name[1], "type": 2, "children": [], "path": name})
        entries[index_of[name[:1]]]["children"].append(index_of[name])

    dir_sectors = -(-len(entries) * 128 // SECTOR)
    data_sectors = sum(len(d) // SECTOR for d in padded.values())
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < fat_sectors + dir_sectors + data_sectors:
        fat_sectors += 1
    fat = [FAT_SECTOR] * fat_sectors
    first_dir = len(fat)
    fat += [first_dir + i + 1 for i in range(dir_sectors - 1)] + [END]
    starts: dict[tuple[str, ...], int] = {}
    for name, data in padded.items():
        starts[name] = len(fat)
        count = len(data) // SECTOR
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [END]
    fat += [FREE] * (fat_sectors * (SECTOR // 4) - len(fat))

    directory = b""
    for entry in entries:
        children = sorted(entry["children"], key=lambda i: (len(entries[i]["name"]), entries[i]["name"].upper()))
        for a, b in zip(children, children[1:]):
            entries[a]["right"] = b
        entry["child"] = children[0] if children else NONE
    for entry in entries:
        name = entry["name"].encode("utf-16-le") + b"\0\0"
        path_key = entry.get("path")
        is_stream = entry["type"] == 2
        start = starts[path_key] if is_stream else (END if entry["type"] == 5 else 0)
        size = len(streams[path_key]) if is_stream else 0
        if is_stream and size < 4096:
            size = 4096  # padded: kept out of the mini stream
        directory += (
            name.ljust(64, b"\0")
            + struct.pack("<HBB", len(name), entry["type"], 1)
            + struct.pack("<III", NONE, entry.get("right", NONE), entry["child"])
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", start, size)
        )
    directory = directory.ljust(dir_sectors * SECTOR, b"\0")

    header = (
        bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
        + struct.pack("<IIIIIIIII", 0, fat_sectors, first_dir, 0, 4096, END, 0, END, 0)
        + struct.pack("<109I", *(list(range(fat_sectors)) + [FREE] * (109 - fat_sectors)))
    )
    body = struct.pack(f"<{len(fat)}I", *fat) + directory + b"".join(padded[name] for name in padded)
    path.write_bytes(header + body)
