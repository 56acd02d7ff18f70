"""Optical analysis of Camera Module 3 stills (4608×3072): memory and time, tiled against one piece.

Input: one LED-on / LED-off pair rendered by the simulated NoIR camera at 4608×3072 (a room with
two lenses, an IR LED and decoys, hand shake, noise). Measured in this process: the peak of
what the analysis allocates beyond the two stills (``tracemalloc``: numpy's arrays), its wall
time, and the findings. Baseline: the per-pixel state the same pipeline would hold for the still
in one piece (GlintAccumulator's arrays, allocated for that shape, plus a pair's two maps) —
allocated, not run, so the machine is not pushed into swap.
Usage: python -m benchmarks.glint_stills
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from appliance.optical import analyse_pairs
from benchmarks._common import save
from dsp.glint import GlintAccumulator, tiles
from hw.sim import scene as scenemod
from hw.sim.camera import SimCamera

W, H = 4608, 3072
ROOM = {
    "width": W,
    "height": H,
    "noise": 2.0,
    "shake_px": 2.0,
    "lenses": [
        {"x": 0.3, "y": 0.4, "radius_px": 3.0, "reflectivity": 0.3},
        {"x": 0.52, "y": 0.23, "radius_px": 3.0, "reflectivity": 0.3},
    ],
    "ir_leds": [{"x": 0.7, "y": 0.6, "radius_px": 4.0, "brightness": 0.9}],
    "decoys": [
        {"kind": "specular", "x": 0.15, "y": 0.7, "radius_px": 14, "aspect": 2.0},
        {"kind": "status-led", "x": 0.85, "y": 0.2, "radius_px": 3, "color": "red"},
    ],
}


class _Ring:
    is_on = False


def main() -> None:
    ring = _Ring()
    camera = SimCamera(scenemod.parse({"optical": ROOM}).optical, ring, seed=3, time_scale=0)
    ring.is_on = True
    on = camera.capture()
    ring.is_on = False
    off = camera.capture()
    camera.close()
    analyse_pairs([(on[:720, :1280], off[:720, :1280])])  # kernels compiled / loaded outside the figures
    tracemalloc.start()
    t0 = time.perf_counter()
    scan = analyse_pairs([(on, off)])
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    whole = GlintAccumulator()
    whole.allocate(on.shape)
    held = sum(v.nbytes for v in vars(whole).values() if isinstance(v, np.ndarray))
    held += H * W * (4 + 4 + 4)  # the first frame's grey, and one pair's residual and response
    rows = {
        "still": f"{W}x{H} RGB",
        "tiles": len(tiles.tile_grid(H, W)),
        "tiled_peak_mib": peak / 2**20,
        "tiled_seconds": seconds,
        "one_piece_state_mib": held / 2**20,
        "findings": [f.to_json() for f in scan.findings],
    }
    print(f"{W}×{H} still pair, {rows['tiles']} tiles: peak {peak / 2**20:.0f} MiB beyond the stills, {seconds:.1f} s")
    print(f"in one piece the state alone would be {rows['one_piece_state_mib']:.0f} MiB")
    for f in scan.findings:
        print(f"  {f.kind:7s} ({f.x:.0f}, {f.y:.0f}) r={f.radius_px:.1f} score {f.score:.2f}")
    print(f"results: {save('glint_stills', rows)}")


if __name__ == "__main__":
    main()
