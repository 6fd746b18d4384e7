"""A tiny OLE2 (Compound File Binary, v3) writer for tests: olefile only reads, and a
committed Office file would be larger and opaque. Each stream is 4,096 bytes, so it lives
in ordinary 512-byte sectors (no mini stream); the directory is one sector."""
import struct

SECTOR = 512
STREAM_BYTES = 4096
FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _entry(name, kind, child=NO_STREAM, right=NO_STREAM, start=END, size=0):
    encoded = (name + "\0").encode("utf-16-le")
    return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", NO_STREAM, right, child) + b"\0" * 16 + b"\0" * 4
            + b"\0" * 16 + struct.pack("<IQ", start, size))


def compound_file(*stream_names):
    """The bytes of a compound file holding one 4 KB stream per name (at most 3)."""
    assert 1 <= len(stream_names) <= 3
    per_stream = STREAM_BYTES // SECTOR
    fat = [FAT_SECTOR, END]                     # sector 0: the FAT, sector 1: directory
    entries = [_entry("Root Entry", 5, child=1)]
    data = b""
    for index, name in enumerate(stream_names):
        start = len(fat)
        fat += list(range(start + 1, start + per_stream)) + [END]
        right = index + 2 if index + 1 < len(stream_names) else NO_STREAM
        entries.append(_entry(name, 2, right=right, start=start, size=STREAM_BYTES))
        data += name.encode("ascii").ljust(STREAM_BYTES, b"\0")
    fat += [FREE] * (SECTOR // 4 - len(fat))
    directory = b"".join(entries).ljust(SECTOR, b"\0")
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
              + struct.pack("<I", 0) + struct.pack("<I", FREE) * 108)
    assert len(header) == SECTOR
    return header + struct.pack(f"<{SECTOR // 4}I", *fat) + directory + data
