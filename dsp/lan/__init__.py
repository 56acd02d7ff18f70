"""Network discovery on the room's guest network, the pure half: what hosts announced, read from bytes.

Each module parses one protocol's bytes (no I/O, no clock): :mod:`.ether` (Ethernet, ARP, IPv4, UDP),
:mod:`.mdns` (DNS messages), :mod:`.ssdp` (SSDP and RTSP status lines), :mod:`.wsd` (WS-Discovery
ProbeMatches), :mod:`.vendor` (camera makers' own discovery broadcasts: Hikvision SADP, D-Link, Edimax),
:mod:`.dhcp` (the host name and client id a device asks its address with). :mod:`.observe` turns a
packet into observations; :mod:`.judge` gathers them per MAC into devices with a verdict and reasons.
"""
