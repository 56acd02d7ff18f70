"""Terminal rendering: progress bar and the emitter table."""

from __future__ import annotations

import sys
from typing import Any, TextIO

BLIND_SPOT_NOTE = (
    "An RTL-SDR tunes 24–1766 MHz only: Wi-Fi cameras (2.4/5.8 GHz) and recorders that transmit nothing "
    "are invisible to this sweep. Run the optical sweep too."
)


class ProgressBar:
    """A one-line bar on a terminal; silent when the stream is not a terminal (pipes, tests)."""

    def __init__(self, stream: TextIO = sys.stderr, width: int = 30, force: bool = False) -> None:
        self.stream = stream
        self.width = width
        self.enabled = force or stream.isatty()
        self._last = -1

    def update(self, fraction: float, label: str) -> None:
        if not self.enabled:
            return
        filled = round(fraction * self.width)
        percent = int(fraction * 100)
        if percent == self._last and fraction < 1:
            return
        self._last = percent
        bar = "█" * filled + "·" * (self.width - filled)
        self.stream.write(f"\r{bar} {percent:3d}%  {label:<28}")
        self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * (self.width + 40) + "\r")
            self.stream.flush()


def mhz(hz: float) -> str:
    return f"{hz / 1e6:.4f} MHz"


def bandwidth(hz: float) -> str:
    return f"{hz / 1e6:.2f} MHz" if hz >= 1e6 else f"{hz / 1e3:.1f} kHz"


def emitter_table(emitters: list[dict[str, Any]]) -> str:
    """Emitters, suspects first, one line each with the reasons underneath suspects."""
    if not emitters:
        return "No emitters above the noise floor."
    lines = [f"{'':2}{'frequency':>15}  {'width':>10}  {'level':>9}  {'SNR':>6}  {'kind':<13} {'score':>5}"]
    ranked = sorted(emitters, key=lambda e: (-e["camera_score"], e["freq_hz"]))
    for e in ranked:
        mark = "!!" if e["suspect"] else "  "
        level = "—" if e["power_dbfs"] is None else f"{e['power_dbfs']:.1f} dBFS"
        snr = "—" if e["snr_db"] is None else f"{e['snr_db']:.1f} dB"
        line = (
            f"{mark}{mhz(e['freq_hz']):>15}  {bandwidth(e['bandwidth_hz']):>10}  {level:>9}  {snr:>6}  "
            f"{e['kind']:<13} {e['camera_score']:5.2f}"
        )
        if e.get("standard"):
            line += f"  {e['standard']} {e['line_rate_hz']:.1f} Hz"
        if e.get("baseline_change") == "new":
            line += "  NEW since baseline"
        elif e.get("baseline_change") == "stronger":
            rise = e["power_dbfs"] - e["baseline_power_dbfs"]
            line += f"  {rise:+.1f} dB since baseline"
        lines.append(line)
        if e["suspect"] or e.get("new_since_baseline"):
            lines.extend(f"{'':19}· {r}" for r in e["reasons"])
    return "\n".join(lines)
