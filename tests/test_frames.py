import numpy as np
import pytest

from dsp import frames


def test_mac_round_trip_and_rejects_garbage():
    value = frames.mac_to_int("A4:CF:12:00:00:01")
    assert value == 0xA4CF12000001
    assert frames.mac_text(value) == "a4:cf:12:00:00:01"
    with pytest.raises(ValueError, match="not a MAC"):
        frames.mac_to_int("a4:cf:12")


def test_direction_masks_follow_the_ds_bits():
    batch = frames.empty(4)
    batch["ftype"] = [frames.TYPE_DATA, frames.TYPE_DATA, frames.TYPE_DATA, frames.TYPE_MANAGEMENT]
    batch["flags"] = [frames.FLAG_TO_DS, frames.FLAG_FROM_DS, frames.FLAG_TO_DS | frames.FLAG_RETRY, 0]
    assert np.flatnonzero(frames.uplink_mask(batch)).tolist() == [0, 2]
    assert np.flatnonzero(frames.downlink_mask(batch)).tolist() == [1]


def test_private_addresses_are_recognised():
    assert frames.is_locally_administered(frames.mac_to_int("02:00:00:00:00:01"))
    assert not frames.is_locally_administered(frames.mac_to_int("a4:cf:12:00:00:01"))
