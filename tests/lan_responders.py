"""Services the network-scan tests start inside their namespaces: ``python -m tests.lan_responders KIND IP LOG``.

- ``onvif``: a WS-Discovery publisher (the ``wsdiscovery`` package) of an ONVIF NetworkVideoTransmitter
- ``mdns``: a camera's DNS-SD service announced by ``zeroconf`` (``_rtsp._tcp``, "Nursery Camera")
- ``rtsp``: a listener on 554 answering OPTIONS like a camera's RTSP server; every request it gets is
  appended to LOG, so the test can check nothing but OPTIONS (and no credential) was sent
Each prints "ready" once it serves, then runs until killed.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path


def onvif(ip: str) -> None:
    from wsdiscovery import QName, Scope
    from wsdiscovery.publishing import ThreadedWSPublishing

    publisher = ThreadedWSPublishing()
    publisher.start()
    publisher.publishService(
        [QName("http://www.onvif.org/ver10/network/wsdl", "NetworkVideoTransmitter", "dn")],
        [Scope("onvif://www.onvif.org/name/TestCam"), Scope("onvif://www.onvif.org/hardware/RS-CAM1")],
        [f"http://{ip}/onvif/device_service"],
    )


def mdns(ip: str) -> None:
    from zeroconf import ServiceInfo, Zeroconf

    zc = Zeroconf(interfaces=[ip])
    info = ServiceInfo(
        "_rtsp._tcp.local.",
        "Nursery Camera._rtsp._tcp.local.",
        addresses=[socket.inet_aton(ip)],
        port=554,
        properties={"model": "RS-NC1"},
        server="nursery-cam.local.",
    )
    zc.register_service(info)
    mdns.keep = zc  # type: ignore[attr-defined]


def rtsp(ip: str, log_path: str) -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((ip, 554))
    server.listen(8)

    def serve() -> None:
        while True:
            conn, _ = server.accept()
            conn.settimeout(2)
            try:
                data = conn.recv(4096)
            except OSError:
                data = b""
            with Path(log_path).open("ab") as log:
                log.write(data + b"\n--\n")
            if data.startswith(b"OPTIONS "):
                conn.sendall(
                    b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: Hipcam RealServer/V1.0\r\n"
                    b"Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n"
                )
            conn.close()

    threading.Thread(target=serve, daemon=True).start()


if __name__ == "__main__":
    kind, address = sys.argv[1], sys.argv[2]
    if kind == "rtsp":
        rtsp(address, sys.argv[3])
    else:
        {"onvif": onvif, "mdns": mdns}[kind](address)
    print("ready", flush=True)
    while True:
        time.sleep(60)
