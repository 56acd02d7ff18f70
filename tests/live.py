"""A real waitress server on loopback around a simulated appliance, for SSE, load and browser tests.

Request/response tests use Flask's test client (``app``/``client`` fixtures in conftest.py); this
server is for what needs real sockets: the event stream, concurrent clients, Chromium.
"""

from __future__ import annotations

import os


class LiveServer:
    """A real waitress server on loopback around a simulated appliance."""

    def __init__(self, tmp_path, *, time_scale: float = 0.0, scene=None, env=None):
        import threading

        from appliance import daemon, rig
        from webui import create_app
        from webui.server import create_bounded_server

        os.environ["ROOMSWEEP_SIM_TIME_SCALE"] = str(time_scale)
        self.secret = "test-admin-secret-123"
        self.appliance = daemon.build(
            hardware=rig.Choice(simulate=True, scene_path=scene, time_scale=time_scale),
            data_dir=tmp_path / "data",
            config_path=tmp_path / "roomsweep.toml",
            admin_secret=self.secret,
        )
        self.app = create_app(self.appliance)
        self.server = create_bounded_server(self.app, host="127.0.0.1", port=0, threads=12)
        self.base_url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def close(self):
        from webui.serve import stop_server

        self.appliance.session.events.close_all()
        assert stop_server(self.server), "waitress did not stop"
        self.thread.join(timeout=10)
        self.appliance.close()
        os.environ["ROOMSWEEP_SIM_TIME_SCALE"] = "0"
