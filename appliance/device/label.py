"""The device label: how to join the hotspot and log in, as a printable PNG or SVG.

One layout (positions in millimetres) feeds both renderers, so the PNG and the SVG show the same
thing. The label carries the SSID, the passphrase, a ``WIFI:`` QR code that phones join with one
scan, the phone UI's address (name and bare IP, plus a QR code for the IP address) and the admin
secret. Whoever holds the device holds its label: that is the security model.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

import segno
from PIL import Image, ImageDraw, ImageFont

from appliance.device.identity import Identity

WIDTH_MM, HEIGHT_MM = 120.0, 70.0
DPI = 300
QUIET_ZONE = 4  # modules of white around a QR code (ISO/IEC 18004)
MM_PER_INCH = 25.4
_GREY = "#555555"
_FONT_FILES = {
    (False, False): "DejaVuSans.ttf",
    (False, True): "DejaVuSans-Bold.ttf",
    (True, False): "DejaVuSansMono.ttf",
    (True, True): "DejaVuSansMono-Bold.ttf",
}
_SVG_FAMILY = {False: "'DejaVu Sans', Verdana, sans-serif", True: "'DejaVu Sans Mono', Menlo, Consolas, monospace"}


def wifi_qr_payload(ssid: str, passphrase: str, *, hidden: bool = False) -> str:
    """``WIFI:T:WPA;S:<ssid>;P:<passphrase>;;`` with ``\\ ; , : "`` backslash-escaped, the
    special characters of the ZXing ``WIFI:`` format that Android and iOS cameras read."""
    return f"WIFI:T:WPA;S:{_wifi_escape(ssid)};P:{_wifi_escape(passphrase)};{'H:true;' if hidden else ''};"


def _wifi_escape(value: str) -> str:
    return "".join("\\" + c if c in '\\;,:"' else c for c in value)


@dataclass(frozen=True)
class Text:
    x: float  # mm, left
    y: float  # mm, baseline
    size: float  # mm, font size
    text: str
    mono: bool = False
    bold: bool = False
    grey: bool = False


@dataclass(frozen=True)
class Code:
    x: float  # mm, top left of the quiet zone
    y: float
    size: float  # mm, side including the quiet zone
    modules: tuple[tuple[bool, ...], ...]  # dark modules, quiet zone included


@dataclass(frozen=True)
class Label:
    width: float
    height: float
    items: tuple[Text | Code, ...]


def layout(identity: Identity, urls: list[str]) -> Label:
    """Where everything goes on a 120 × 70 mm label: text on the left, two QR codes on the right."""
    left, column = 5.0, 76.0  # the text column (mm)
    items: list[Text | Code] = [
        Text(left, 11.0, 6.0, "roomsweep", bold=True),
        Text(left, 16.0, 3.0, "hidden-camera sweeper", grey=True),
    ]
    rows = [
        ("Wi-Fi network", [identity.ssid], 4.6, True),
        ("Password", [identity.passphrase], 4.6, True),
        ("Phone UI, once on the Wi-Fi", urls, 3.4, False),
        ("Admin secret (to log in on the phone UI)", [identity.admin_secret], 4.0, True),
    ]
    y, previous = 19.0, 3.0
    for caption, values, size, bold in rows:
        y += 0.3 * previous + 3.4
        items.append(Text(left, y, 2.6, caption, grey=True))
        y += 0.4
        for value in values:
            fitted = _fit(value, size, column, bold)
            y += fitted * 1.1
            items.append(Text(left, y, fitted, value, mono=True, bold=bold))
            previous = fitted
    codes_x, side = left + column + 3.0, 28.0
    for top, payload, caption in (
        (4.0, wifi_qr_payload(identity.ssid, identity.passphrase), "1  scan to join the Wi-Fi"),
        (36.5, urls[-1], "2  scan to open the UI"),
    ):
        items.append(Code(codes_x, top, side, _modules(payload)))
        items.append(Text(codes_x + 1.5, top + side + 2.4, 2.4, caption, grey=True))
    return Label(WIDTH_MM, HEIGHT_MM, tuple(items))


def _modules(payload: str) -> tuple[tuple[bool, ...], ...]:
    qr = segno.make_qr(payload, error="m")
    return tuple(tuple(bool(v) for v in row) for row in qr.matrix_iter(border=QUIET_ZONE))


def _fit(text: str, size: float, width: float, bold: bool) -> float:
    """Shrink the font until ``text`` fits ``width`` mm (long custom SSIDs and passphrases)."""
    while size > 1.8 and _width(text, size, True, bold) > width:
        size *= 0.92
    return size


def _width(text: str, size_mm: float, mono: bool, bold: bool) -> float:
    font = _font(mono, bold, _px(size_mm))
    return font.getlength(text) / DPI * MM_PER_INCH


def _px(mm: float) -> int:
    return max(1, round(mm / MM_PER_INCH * DPI))


@lru_cache(maxsize=64)
def _font(mono: bool, bold: bool, size_px: int) -> ImageFont.FreeTypeFont:
    """DejaVu (Raspberry Pi OS ships it) or Pillow's own font where it is missing."""
    try:
        return ImageFont.truetype(_FONT_FILES[mono, bold], size_px)
    except OSError:
        return ImageFont.load_default(size=size_px)


def to_png(label: Label, dpi: int = DPI) -> bytes:
    scale = dpi / MM_PER_INCH
    image = Image.new("RGB", (round(label.width * scale), round(label.height * scale)), "white")
    draw = ImageDraw.Draw(image)
    for item in label.items:
        if isinstance(item, Code):
            count = len(item.modules)
            module = max(1, int(item.size * scale / count))  # whole pixels: crisp edges scan best
            x0, y0 = round(item.x * scale), round(item.y * scale)
            for r, row in enumerate(item.modules):
                for c, dark in enumerate(row):
                    if dark:
                        draw.rectangle(
                            (x0 + c * module, y0 + r * module, x0 + (c + 1) * module - 1, y0 + (r + 1) * module - 1),
                            fill="black",
                        )
        else:
            font = _font(item.mono, item.bold, max(1, round(item.size * scale)))
            fill = _GREY if item.grey else "black"
            draw.text((item.x * scale, item.y * scale), item.text, font=font, fill=fill, anchor="ls")
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


def to_svg(label: Label) -> str:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label.width:g}mm" height="{label.height:g}mm" '
        f'viewBox="0 0 {label.width:g} {label.height:g}">',
        f'<rect width="{label.width:g}" height="{label.height:g}" fill="#fff"/>',
    ]
    for item in label.items:
        if isinstance(item, Code):
            module = item.size / len(item.modules)
            path = "".join(
                f"M{c} {r}h1v1h-1z" for r, row in enumerate(item.modules) for c, dark in enumerate(row) if dark
            )
            parts.append(
                f'<path transform="translate({item.x:g} {item.y:g}) scale({module:.5f})" '
                f'fill="#000" shape-rendering="crispEdges" d="{path}"/>'
            )
        else:
            width = _width(item.text, item.size, item.mono, item.bold)
            attrs = {
                "x": f"{item.x:.2f}",
                "y": f"{item.y:.2f}",
                "font-family": _SVG_FAMILY[item.mono],
                "font-size": f"{item.size:.2f}",
                "font-weight": "bold" if item.bold else "normal",
                "fill": _GREY if item.grey else "#000",
                # the width the PNG's font gives: other fonts are squeezed to it instead of overflowing
                "textLength": f"{width:.2f}",
                "lengthAdjust": "spacingAndGlyphs",
            }
            rendered = " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items())
            parts.append(f'<text xml:space="preserve" {rendered}>{escape(item.text)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
