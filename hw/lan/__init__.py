"""Network discovery on the room's guest network: the drivers.

- :mod:`hw.lan.replay` — ``LanReplay``: a pcap of discovery traffic (Ethernet, link type 1) read
  through the same parsers as the live scan (``dsp.lan``).
- :mod:`hw.lan.scanner` — ``LanScanner``: the bounded, rate-limited active scan of one local subnet.
- :mod:`hw.lan.join` — ``GuestJoin``: the USB adapter joins the room's Wi-Fi in managed mode through
  NetworkManager (a temporary profile), and goes back to monitor mode after.

Each yields :class:`dsp.lan.observe.Observation` values; ``appliance.lan_scan`` judges them.
"""
