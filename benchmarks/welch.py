"""Welch PSD throughput: roomsweep's Numba kernel against a plain numpy baseline, same input, same run.

Input: 10 s of 2.4 MS/s uint8 IQ (noise, tones and a wide signal, quantised like an RTL-SDR).
Baseline: what a careful numpy user writes: float32 conversion, strided 50 %-overlap segments,
batched ``np.fft.fft`` in blocks, Hann window, mean of |X|^2, fftshift.
Usage: python benchmarks/welch.py [--seconds 10] [--repeats 5]
"""

from __future__ import annotations

import argparse

import numba
import numpy as np

from benchmarks._common import best_of, save
from dsp import iq, psd

RATE = 2.4e6


def make_input(seconds: float) -> np.ndarray:
    rng = np.random.default_rng(1)
    n = int(RATE * seconds)
    t = np.arange(n, dtype=np.float64) / RATE
    x = 0.03 * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    x += 0.2 * np.exp(2j * np.pi * 310e3 * t) + 0.05 * np.exp(2j * np.pi * -640e3 * t)
    return iq.to_cu8(x.astype(np.complex64))


def numpy_welch(raw: np.ndarray, nfft: int, block: int = 2048) -> np.ndarray:
    x = raw.astype(np.float32) - 127.5
    samples = (x[0::2] + 1j * x[1::2]).astype(np.complex64)
    samples -= samples.mean()
    step = nfft // 2
    nseg = (samples.size - nfft) // step + 1
    segs = np.lib.stride_tricks.as_strided(samples, (nseg, nfft), (samples.strides[0] * step, samples.strides[0]))
    window = psd.hann(nfft)
    acc = np.zeros(nfft)
    for start in range(0, nseg, block):
        spec = np.fft.fft(segs[start : start + block] * window, axis=1)
        acc += (spec.real**2 + spec.imag**2).sum(axis=0)
    return np.fft.fftshift(acc / nseg / (window.sum() * 127.5) ** 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--nfft", type=int, nargs="*", default=[256, 1024, 4096])
    args = ap.parse_args()
    raw = make_input(args.seconds)
    cores = numba.config.NUMBA_NUM_THREADS
    rows = []
    print(f"{args.seconds:g} s of {RATE / 1e6:g} MS/s uint8 IQ ({raw.nbytes / 1e6:.0f} MB); best of {args.repeats}")
    print(f"{'nfft':>6} {'numpy s':>9} {'1 core s':>9} {'ratio':>6} {'2 cores s':>10} {'ratio':>6} {'max dB diff':>11}")
    for nfft in args.nfft:
        psd.welch(raw[: 2 * nfft * 64], nfft)  # compile / load from cache outside the timing
        baseline = best_of(lambda n=nfft: numpy_welch(raw, n), args.repeats)
        timings = {}
        for threads in sorted({1, min(2, cores)}):
            numba.set_num_threads(threads)
            timings[threads] = best_of(lambda n=nfft: psd.welch(raw, n), args.repeats)
        numba.set_num_threads(cores)
        diff = np.abs(10 * np.log10(psd.welch(raw, nfft) / numpy_welch(raw, nfft)))
        diff[nfft // 2] = 0
        two = timings.get(2, timings[1])
        rows.append(
            {
                "nfft": nfft,
                "numpy_s": baseline,
                "one_core_s": timings[1],
                "two_cores_s": two,
                "ratio_one_core": baseline / timings[1],
                "ratio_two_cores": baseline / two,
                "max_db_diff": float(diff.max()),
                "msamples_per_s_two_cores": raw.size / 2 / two / 1e6,
            }
        )
        r = rows[-1]
        print(
            f"{nfft:>6} {baseline:9.3f} {timings[1]:9.3f} {r['ratio_one_core']:5.2f}x {two:10.3f} "
            f"{r['ratio_two_cores']:5.2f}x {r['max_db_diff']:11.2e}"
        )
    print(f"results: {save('welch', {'seconds': args.seconds, 'rows': rows})}")


if __name__ == "__main__":
    main()
