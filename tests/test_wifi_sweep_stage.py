"""appliance.wifi_sweep on the simulated room: what the stage's own bookkeeping must get right."""

import numpy as np

from appliance.wifi_sweep import WifiPlan, WifiSweep, segments
from hw.sim.wifi import SimWifi
from hw.sim.wifi_scene import parse_wifi

CAMERA = "a4:cf:12:00:00:01"


class Ring:
    is_on = False


def test_a_channels_survey_step_and_its_later_dwell_are_separate_segments():
    """Between them the survey listened to empty channels: the dwell's rates must not be spread over that time."""
    block = parse_wifi(
        {
            "devices": [
                {"kind": "access-point", "mac": "02:00:00:00:00:01", "channel_mhz": 2412},
                {"kind": "camera", "mac": CAMERA, "channel_mhz": 2412, "bitrate_bps": 500e3, "fps": 12},
            ]
        },
        "wifi",
    )
    ring = Ring()
    capture = SimWifi(block, ring, seed=1, time_scale=0)
    kept = []
    sweep = WifiSweep(
        capture,
        WifiPlan(stimulus="none"),
        stimulator=lambda lit: setattr(ring, "is_on", lit),
        rng=np.random.default_rng(0),
        keep=kept.append,
    )
    outcome = sweep.run()
    parts = [p for p in segments(np.concatenate(kept)) if p["freq_mhz"][0] == 2412]
    assert len(parts) == 2  # the 0.5 s survey step, then the 6 s dwell, ~18 s of other channels apart
    assert parts[1]["t"][-1] - parts[1]["t"][0] < 6.5
    (camera,) = [d for d in outcome.devices if d.mac == CAMERA]
    assert camera.kind == "camera" and camera.uplink_bps > 0.8 * 500e3
