"""Device drivers behind small protocols, each with a simulated twin.

Vendor libraries (pyrtlsdr, picamera2, lgpio) are imported lazily inside the driver that needs them,
so a laptop without them can import every module here.
"""
