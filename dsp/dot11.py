"""Radiotap + 802.11 MAC headers → frame records, without a Python object per frame.

Bytes in, records out: the caller hands one buffer holding many captured frames and, per frame, its
offset, captured length, original (wire) length, time and link type (127 radiotap, 105 plain 802.11).
One Numba loop walks each radiotap header field by field (alignment and sizes from a small table, the
extended presence words and vendor namespaces skipped by their own lengths) and reads the fixed 802.11
header that follows. Only headers are read; a frame's body is never looked at.

A truncated frame (snaplen) still gives its true size: ``length`` comes from the original length, less
the radiotap header and the FCS when the radio says one is appended. Fields the capture cut off are 0.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from dsp import frames as fr

LINKTYPE_IEEE802_11 = 105
LINKTYPE_RADIOTAP = 127
LINKTYPES = {LINKTYPE_IEEE802_11: "802.11", LINKTYPE_RADIOTAP: "802.11 + radiotap"}

FTYPE_NOT_CAPTURED = 255  # ``ftype`` of a record whose 802.11 frame control was cut off

# Radiotap fields 0..27 of the radiotap namespace: (alignment, size) in bytes. 0 = not sized here (TLVs):
# the walk stops there; the 802.11 header is still found from the header's own length.
_FIELD_ALIGN = np.array([8, 1, 1, 2, 2, 1, 1, 2, 2, 2, 1, 1, 1, 1, 2, 2, 1, 1, 4, 1, 4, 2, 8, 2, 2, 2, 1, 2, 0])
_FIELD_SIZE = np.array([8, 1, 1, 4, 2, 1, 1, 2, 2, 2, 1, 1, 1, 1, 2, 2, 1, 1, 8, 3, 8, 12, 12, 12, 12, 6, 1, 4, 0])
_FLAGS, _CHANNEL, _ANTSIGNAL, _XCHANNEL = 1, 3, 5, 18
_RT_FLAG_FCS, _RT_FLAG_BAD_FCS = 0x10, 0x40
_NS_RADIOTAP_NEXT, _NS_VENDOR_NEXT, _PRESENT_EXT = 29, 30, 31

# Control subtypes that carry a transmitter address (RTS, PS-Poll, BlockAck(Req), CF-End, trigger, NDPA, poll).
_CONTROL_WITH_TA = np.zeros(16, dtype=np.bool_)
_CONTROL_WITH_TA[[2, 4, 5, 8, 9, 10, 11, 14, 15]] = True
_PS_POLL, _CF_END = 10, 14


@njit(cache=True, inline="always")
def _u16(buf, p):
    return np.int64(buf[p]) | (np.int64(buf[p + 1]) << 8)


@njit(cache=True, inline="always")
def _u32(buf, p):
    return _u16(buf, p) | (_u16(buf, p + 2) << 16)


@njit(cache=True, inline="always")
def _mac(buf, p):
    value = np.uint64(0)
    for k in range(6):
        value = (value << np.uint64(8)) | np.uint64(buf[p + k])
    return value


@njit(cache=True)
def _radiotap(buf, start, rt_len, align, size):
    """(radiotap flags, first dBm antenna signal or RSSI_UNKNOWN, frequency MHz or 0) of one header."""
    end = start + rt_len
    words = start + 4
    p = words
    while True:  # find where the presence words end
        if p + 4 > end:
            return 0, fr.RSSI_UNKNOWN, 0
        word = _u32(buf, p)
        p += 4
        if not (word >> _PRESENT_EXT) & 1:
            break
    rflags, signal, freq = 0, fr.RSSI_UNKNOWN, 0
    vendor = False
    for q in range(words, p, 4):
        word = _u32(buf, q)
        if not vendor:
            for bit in range(28):
                if not (word >> bit) & 1:
                    continue
                a, n = align[bit], size[bit]
                rel = ((p - start + a - 1) // a) * a
                p = start + rel
                if p + n > end:
                    return rflags, signal, freq
                if bit == _FLAGS:
                    rflags = buf[p]
                elif bit == _CHANNEL and freq == 0:
                    freq = _u16(buf, p)
                elif bit == _ANTSIGNAL and signal == fr.RSSI_UNKNOWN:
                    signal = np.int64(buf[p]) - 256 if buf[p] >= 128 else np.int64(buf[p])
                elif bit == _XCHANNEL and freq == 0:
                    freq = _u16(buf, p + 4)
                p += n
            if (word >> 28) & 1:  # TLVs run to the end of the header: nothing more to walk
                return rflags, signal, freq
        if (word >> _NS_RADIOTAP_NEXT) & 1:
            vendor = False
        elif (word >> _NS_VENDOR_NEXT) & 1:
            vendor = True  # OUI(3) sub-namespace(1) skip_length(2), 2-aligned, then its data
            p = start + ((p - start + 1) // 2) * 2
            if p + 6 > end:
                return rflags, signal, freq
            p += 6 + _u16(buf, p + 4)
    return rflags, signal, freq


@njit(cache=True)
def _parse(
    buf,
    offsets,
    caplens,
    origlens,
    linktypes,
    align,
    size,
    with_ta,
    ftype,
    subtype,
    flags,
    tx,
    rx,
    bssid,
    rssi,
    freq,
    length,
):
    for i in range(offsets.shape[0]):
        start = offsets[i]
        end = start + caplens[i]
        wire = origlens[i]
        head = start
        if linktypes[i] == LINKTYPE_RADIOTAP:
            if end - start < 4:
                ftype[i] = FTYPE_NOT_CAPTURED
                length[i] = 0
                continue
            rt_len = _u16(buf, start + 2)
            rflags, signal, mhz = _radiotap(buf, start, min(rt_len, end - start), align, size)
            rssi[i] = signal
            freq[i] = mhz
            head = start + rt_len
            wire -= rt_len
            if rflags & _RT_FLAG_FCS:
                wire -= 4
            if rflags & _RT_FLAG_BAD_FCS:
                flags[i] |= fr.FLAG_BAD_FCS
        length[i] = max(wire, 0)
        have = end - head
        if have < 2:
            ftype[i] = FTYPE_NOT_CAPTURED
            continue
        fc0, fc1 = buf[head], buf[head + 1]
        kind = (fc0 >> 2) & 3
        sub = fc0 >> 4
        ftype[i] = kind
        subtype[i] = sub
        bits = flags[i]
        if fc1 & 0x01:
            bits |= fr.FLAG_TO_DS
        if fc1 & 0x02:
            bits |= fr.FLAG_FROM_DS
        if fc1 & 0x08:
            bits |= fr.FLAG_RETRY
        if fc1 & 0x40:
            bits |= fr.FLAG_PROTECTED
        flags[i] = bits
        a1 = _mac(buf, head + 4) if have >= 10 else np.uint64(0)
        a2 = np.uint64(0)
        a3 = np.uint64(0)
        if kind == fr.TYPE_CONTROL:
            if with_ta[sub] and have >= 16:
                a2 = _mac(buf, head + 10)
            if sub == _PS_POLL:
                a3 = a1
            elif sub >= _CF_END:  # CF-End, CF-End + CF-Ack
                a3 = a2
        elif kind == fr.TYPE_MANAGEMENT or kind == fr.TYPE_DATA:
            if have >= 16:
                a2 = _mac(buf, head + 10)
            if have >= 22:
                a3 = _mac(buf, head + 16)
            if kind == fr.TYPE_DATA:
                ds = fc1 & 0x03
                if ds == 1:
                    a3 = a1
                elif ds == 2:
                    a3 = a2
                elif ds == 3:
                    a3 = np.uint64(0)  # WDS / mesh: no single BSSID
        rx[i] = a1
        tx[i] = a2
        bssid[i] = a3


def parse(
    buf: np.ndarray,
    offsets: np.ndarray,
    caplens: np.ndarray,
    origlens: np.ndarray,
    times: np.ndarray,
    linktypes: np.ndarray | int,
) -> np.ndarray:
    """Frame records (``dsp.frames.FRAME_DTYPE``) of the frames at ``offsets`` in ``buf`` (uint8).

    ``caplens`` are the bytes captured, ``origlens`` the frames' lengths on the wire, ``times`` their
    timestamps, ``linktypes`` one link type for all or one per frame (105 or 127; others are refused)."""
    n = len(offsets)
    kinds = np.ascontiguousarray(np.broadcast_to(np.asarray(linktypes, dtype=np.int64), (n,)))
    unknown = set(np.unique(kinds).tolist()) - set(LINKTYPES)
    if unknown:
        raise ValueError(f"link type {min(unknown)} is not 802.11 (radiotap 127 or plain 105)")
    offsets = np.asarray(offsets, dtype=np.int64)
    caplens = np.asarray(caplens, dtype=np.int64)
    if n and (offsets.min() < 0 or (offsets + caplens).max() > len(buf) or caplens.min() < 0):
        raise ValueError("frame offsets or lengths reach outside the buffer")
    out = fr.empty(n)
    out["t"] = times
    names = ("ftype", "subtype", "flags", "tx", "rx", "bssid", "rssi_dbm", "freq_mhz", "length")
    columns = [np.zeros(n, np.uint8) for _ in range(3)] + [np.zeros(n, np.uint64) for _ in range(3)]
    columns += [np.full(n, fr.RSSI_UNKNOWN, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64)]
    tables = (_FIELD_ALIGN, _FIELD_SIZE, _CONTROL_WITH_TA)
    _parse(
        np.asarray(buf, dtype=np.uint8),
        offsets,
        caplens,
        np.asarray(origlens, dtype=np.int64),
        kinds,
        *tables,
        *columns,
    )
    for name, column in zip(names, columns, strict=True):
        out[name] = column
    return out


def header_length(ftype: int, subtype: int, flags: int) -> int:
    """Bytes of the fixed 802.11 MAC header a record of this type needs (for writing headers-only captures)."""
    if ftype == fr.TYPE_CONTROL:
        return 16 if _CONTROL_WITH_TA[subtype & 15] else 10
    both = (flags & (fr.FLAG_TO_DS | fr.FLAG_FROM_DS)) == (fr.FLAG_TO_DS | fr.FLAG_FROM_DS)
    return 30 if ftype == fr.TYPE_DATA and both else 24
