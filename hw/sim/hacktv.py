"""Analog TV signals rendered by Debian's ``hacktv``: reference video for tests and benchmarks.

hacktv is a standards-exact PAL/NTSC/SECAM encoder and modulator (line and field timing, colour
subcarriers, VSB filter, sound carriers). It writes complex baseband with the vision carrier (AM)
or the FM centre frequency at 0 Hz. It renders a test card forever; we read what we need and stop it.

FM deviation is hacktv's ``-D``: the *peak-to-peak* swing (sync tip at -D/2, peak white at +D/2).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

from hw.errors import RoomsweepError

#: 27 MS/s: an integer number of samples per line for both 625-line (1728) and 525-line (1716)
#: timing, and wide enough for 8 MHz of FM swing plus the sound subcarrier without aliasing.
RENDER_RATE_HZ = 27e6

#: (standard, modulation) -> hacktv mode. AM: PAL I, NTSC M (negative), SECAM L (positive).
MODES: dict[tuple[str, str], str] = {
    ("PAL", "fm"): "pal-fm",
    ("NTSC", "fm"): "ntsc-fm",
    ("SECAM", "fm"): "secam-fm",
    ("PAL", "am"): "i",
    ("NTSC", "am"): "m",
    ("SECAM", "am"): "l",
}


class HacktvUnavailable(RoomsweepError):
    """The hacktv program is not installed (Debian package ``hacktv``)."""


def available() -> bool:
    return shutil.which("hacktv") is not None


def render(
    standard: str,
    modulation: str,
    seconds: float,
    *,
    deviation_hz: float | None = None,
    vsb: bool = False,
    rate_hz: float = RENDER_RATE_HZ,
    cache_dir: str | Path | None = None,
    picture: str | Path | None = None,
) -> np.ndarray:
    """``seconds`` of colour bars (or of a still ``picture`` file, repeated) as complex64 at
    ``rate_hz`` (carrier at 0 Hz, peak amplitude ~1).

    ``deviation_hz`` (FM only) is the peak-to-peak swing; ``vsb`` applies hacktv's vestigial
    sideband filter (AM). A ``picture`` is sent without gamma correction (``-G 1``), so its grey
    levels are the luma. With ``cache_dir`` the render is kept as a .cs16 file and reused.
    """
    mode = MODES[(standard, modulation)]
    n = round(seconds * rate_hz)
    args = ["-m", mode, "-s", str(round(rate_hz)), "-t", "int16"]
    if deviation_hz is not None and modulation == "fm":
        args += ["-D", str(round(deviation_hz))]
    if vsb and modulation == "am":
        args.append("--filter")
    source = "test:colourbars"
    if picture is not None:
        args += ["-G", "1", "--fopts", "loop=1"]  # ffmpeg repeats the still (hacktv -r shows it once)
        source = f"ffmpeg:{picture}"
    cached = None
    if cache_dir is not None:
        tag = "_".join(a.lstrip("-") for a in args if a != "-t" and a != "int16")
        if picture is not None:
            tag += "_" + Path(picture).stem
        cached = Path(cache_dir) / f"hacktv_{tag}_{n}.cs16"
        if cached.is_file() and cached.stat().st_size == 4 * n:
            return _to_complex(np.fromfile(cached, dtype="<i2"))
    raw = _run(args, 4 * n, source)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        raw.tofile(cached)
    return _to_complex(raw)


def _run(args: list[str], nbytes: int, source: str = "test:colourbars") -> np.ndarray:
    exe = shutil.which("hacktv")
    if exe is None:
        raise HacktvUnavailable("hacktv is not installed (apt-get install hacktv)")
    proc = subprocess.Popen([exe, *args, "-o", "-", source], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        chunks, got = [], 0
        while got < nbytes:
            chunk = proc.stdout.read(min(1 << 22, nbytes - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    finally:
        proc.kill()
        _, err = proc.communicate()
    if got < nbytes:
        message = err.decode(errors="replace").strip().splitlines()
        raise RoomsweepError(f"hacktv {' '.join(args)} stopped early: {message[-1] if message else 'no output'}")
    return np.frombuffer(b"".join(chunks), dtype="<i2")


def _to_complex(raw: np.ndarray) -> np.ndarray:
    out = np.empty(raw.size // 2, np.complex64)
    out.real = raw[0::2] / 32768.0
    out.imag = raw[1::2] / 32768.0
    return out
