"""``roomsweep glint``: lens glints and IR LEDs in LED-on / LED-off image pairs, or a live scan.

With image files: ``ON OFF [ON OFF ...]``, each pair taken with the LED ring lit, then dark (any
image Pillow reads; PNG or JPEG in practice). With ``--simulate``/``--scene`` or ``--camera`` it
scans instead: the simulated room, or the Pi's camera and LED ring.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from appliance import config as cfg
from appliance import optical
from appliance import rig as rigmod
from appliance.commands import UsageError
from dsp import glint
from hw.errors import BadInputError

PROG = "roomsweep glint"


def add_parser(sub) -> None:
    p = sub.add_parser("glint", help="find lens glints and IR LEDs (image pairs, simulated room or the camera)")
    p.add_argument("images", nargs="*", type=Path, metavar="ON OFF", help="LED-on and LED-off images, in pairs")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--simulate", action="store_true", help="scan the simulated room instead of image files")
    source.add_argument("--camera", action="store_true", help="scan with the Pi camera and the LED ring")
    p.add_argument("--scene", type=Path, metavar="FILE", help="scene file for --simulate (implies it)")
    p.add_argument("--pairs", type=int, default=optical.DEFAULT_PAIRS, help="frame pairs for a scan (default 8)")
    p.add_argument("--pin", type=int, default=24, help="BCM GPIO of the LED ring for --camera (default 24)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--annotate", type=Path, metavar="OUT.jpg", help="also write the picture with findings circled")
    p.set_defaults(func=run)


def load_image(path: Path) -> np.ndarray:
    """An image as 8-bit grey (h, w) or RGB (h, w, 3); BadInputError says why it cannot be read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.load()
            if img.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit PNG: keep the top 8 bits
                return (np.asarray(img, dtype=np.uint32) >> 8).clip(0, 255).astype(np.uint8)
            grey = img.mode in ("1", "L", "LA", "F") or (img.mode == "P" and _palette_is_grey(img))
            return np.asarray(img.convert("L" if grey else "RGB"))
    except FileNotFoundError:
        raise BadInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BadInputError(f"{path}: is a directory, not an image") from None
    except UnidentifiedImageError:
        raise BadInputError(f"{path}: not an image (PNG or JPEG expected)") from None
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt data
        raise BadInputError(f"{path}: cannot read the image ({exc})") from None


def _palette_is_grey(img) -> bool:
    rgb = np.asarray(img.convert("RGB"))
    return bool((rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all())


def load_pairs(paths: list[Path]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Read ON OFF [ON OFF ...]; all images must have one size (grey ones join colour ones as RGB)."""
    if not paths:
        raise UsageError(f"{PROG}: give LED-on/LED-off image pairs (ON OFF ...), --simulate or --camera")
    if len(paths) % 2:
        raise UsageError(f"{PROG}: images come in LED-on/LED-off pairs, got {len(paths)} (an odd number)")
    if len(paths) // 2 > glint.MAX_PAIRS:
        raise UsageError(f"{PROG}: at most {glint.MAX_PAIRS} pairs, got {len(paths) // 2}")
    images = [load_image(p) for p in paths]
    first = images[0]
    for path, img in zip(paths, images, strict=True):
        if img.shape[:2] != first.shape[:2]:
            raise BadInputError(
                f"{path}: {img.shape[1]}×{img.shape[0]} px, but {paths[0].name} is "
                f"{first.shape[1]}×{first.shape[0]} px; every image must be the same size"
            )
    if min(first.shape[:2]) < 64:
        raise BadInputError(f"{paths[0]}: {first.shape[1]}×{first.shape[0]} px is too small (at least 64 px a side)")
    if any(img.ndim == 3 for img in images):
        images = [img if img.ndim == 3 else np.repeat(img[:, :, None], 3, axis=2) for img in images]
    return [(images[i], images[i + 1]) for i in range(0, len(images), 2)]


def run(args: argparse.Namespace) -> int:
    live = args.simulate or args.scene is not None or args.camera
    if live and args.images:
        raise UsageError(f"{PROG}: give image files or a scan (--simulate/--camera), not both")
    if args.scene is not None and args.camera:
        raise UsageError(f"{PROG}: --scene is for --simulate, not --camera")
    if args.pairs < 1 or args.pairs > 200:
        raise UsageError(f"{PROG}: --pairs must be 1–200, got {args.pairs}")
    result = _scan(args) if live else optical.analyse_pairs(load_pairs(args.images))
    if args.annotate is not None and result.reference is not None:
        try:
            result.save_annotated(args.annotate.parent, args.annotate.name)
        except OSError as exc:
            raise BadInputError(f"cannot write {args.annotate}: {exc.strerror or exc}") from None
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print_result(result)
    if result.error:
        what = f"scan ended early after {result.pairs} pair(s)" if result.pairs else "no scan"
        print(f"{PROG}: {what}: {result.error}", file=sys.stderr)
        return 1
    return 0


def _scan(args: argparse.Namespace) -> optical.OpticalScan:
    defaults = cfg.load(None)
    settings = defaults.overridden({"panel.illuminator_pin": args.pin})
    rig = rigmod.choose(settings, simulate=not args.camera, scene_path=args.scene)
    try:
        return optical.scan_room(rig, pairs=args.pairs)
    finally:
        rig.close()


def print_result(result: optical.OpticalScan) -> None:
    size = result.size
    where = f"{size[0]}×{size[1]} px" if size else "no frames"
    print(f"{result.pairs} pair(s), {where}: {len(result.findings)} finding(s).")
    if not result.findings:
        print("No lens glint or IR LED found. A clean optical sweep covers only what the camera saw.")
        return
    print(f"{'kind':<7} {'x':>7} {'y':>7} {'radius':>6} {'score':>5} {'seen':>5}  why")
    for f in result.findings:
        print(
            f"{f.kind:<7} {f.x:7.1f} {f.y:7.1f} {f.radius_px:6.1f} {f.score:5.2f} {f.seen_in:>2}/{result.pairs:<2}  "
            f"{f.reasons[0] if f.reasons else ''}"
        )
    cut = [f"{n} {optical.LABELS[kind]} finding(s)" for kind, n in result.cut.items() if n]
    if cut:
        print(f"Not listed (more than {glint.GlintParams().max_per_kind} of a kind): {', '.join(cut)}.")
    print("Coordinates are pixels of the first LED-on image.")
