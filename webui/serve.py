"""``roomsweep serve`` (the daemon: hardware, button and web UI in one process) and
``roomsweep demo`` (the same on the simulated demo room, a first sweep started).

Registered as CLI commands through the ``roomsweep.commands`` entry point, so the CLI in
``appliance`` does not import the web UI.
"""

from __future__ import annotations

import argparse
import errno
import logging
import signal
import sys
import threading
from pathlib import Path

from appliance import daemon, paths, rig, store
from appliance.commands import radio_options
from appliance.device import hotspot, identity
from appliance.device.watchdog import Watchdog
from webui import create_app
from webui.server import create_bounded_server

log = logging.getLogger(__name__)

DEMO_HOST, DEMO_PORT = "127.0.0.1", 8080


def add_serve_parser(sub) -> None:
    p = sub.add_parser("serve", help="the appliance daemon: hardware, button and web UI")
    radio_options(p)
    p.add_argument("--host", help="listen address (default: web.host setting, 0.0.0.0)")
    p.add_argument("--port", type=int, help="port (default: web.port setting, 8080)")
    p.set_defaults(func=run_serve)


def add_demo_parser(sub) -> None:
    p = sub.add_parser("demo", help="the simulated appliance on the bundled demo room, web UI on :8080")
    p.add_argument("--port", type=int, default=DEMO_PORT, help=f"port (default {DEMO_PORT})")
    p.add_argument("--no-sweep", action="store_true", help="do not start the first sweep")
    p.set_defaults(func=run_demo)


def admin_secret(data_dir: Path) -> tuple[str, str | None]:
    """The device's admin secret (created once, kept private, 0600: :mod:`appliance.device.identity`)
    and a warning when it could not be kept.

    First boot on a full card: the store's reserve is given up for the few bytes; on a card that
    cannot be written at all the secret lives for this run only (printed, since no label has it).
    """
    for retry in (False, True):
        try:
            return identity.load_admin_secret(data_dir), None
        except OSError as exc:
            if retry or not store.release_reserve(data_dir):
                log.error("admin secret not saved: %s", exc)
                secret = identity.new_passphrase()
                return (
                    secret,
                    f"the admin secret could not be saved ({exc.strerror or exc}): it is {secret} until restart",
                )
    raise AssertionError("unreachable")  # pragma: no cover


def bind(app, host: str, port: int, threads: int):
    """The bounded server on ``host:port``; a host that cannot be bound (not up yet, not a local
    address, not resolvable) falls back to all interfaces. Returns (server, host, warning);
    a busy port raises OSError (the one start-up failure that ends the daemon)."""
    try:
        return create_bounded_server(app, host=host, port=port, threads=threads), host, None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE or host in ("0.0.0.0", "::"):
            raise
        warning = f"web.host {host} cannot be listened on ({exc.strerror or exc}): listening on all interfaces"
    log.warning(warning)
    return create_bounded_server(app, host="0.0.0.0", port=port, threads=threads), "0.0.0.0", warning


def ui_addresses(data_dir: Path, host: str, port: int, simulate: bool) -> list[str]:
    """Where a phone finds the UI: the hotspot's name and IP on a device, the bind address otherwise."""
    local = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    if simulate:
        return [local]
    try:
        return [*hotspot.ui_urls(identity.load(data_dir), port=port), local]
    except identity.IdentityError:  # not set up as an appliance (no hotspot identity yet)
        return [local]


def serve(
    *,
    simulate: bool,
    scene: Path | None,
    host: str | None,
    port: int | None,
    data_dir: Path,
    first_sweep: bool = False,
    announce: bool = True,
) -> int:
    """Run until SIGTERM/SIGINT; returns the exit status."""
    watchdog = Watchdog.from_env()  # systemd: READY/STATUS/STOPPING, pings while the worker loop lives
    secret, secret_warning = admin_secret(data_dir)
    appliance = daemon.build(
        hardware=rig.Choice(simulate=simulate, scene_path=scene),
        data_dir=data_dir,
        config_path=paths.config_path(),
        admin_secret=secret,
        heartbeat=watchdog.kick,
    )
    settings = appliance.settings
    host = host or settings["web.host"]
    port = settings["web.port"] if port is None else port
    app = create_app(appliance, {"ADMIN_SECRET_FILE": data_dir / identity.ADMIN_SECRET_FILE})
    app.config["ALLOWED_HOSTS"].add(host.lower())  # serve --host H: H answers too
    if secret_warning:
        appliance.warnings.append(secret_warning)
    try:
        server, host, bind_warning = bind(app, host, port, settings["web.threads"])
    except OSError as exc:
        appliance.close()
        print(f"roomsweep serve: cannot listen on {host}:{port} ({exc.strerror or exc})", file=sys.stderr)
        return 1
    if bind_warning:
        appliance.warnings.append(bind_warning)
        print(f"roomsweep: {bind_warning}", file=sys.stderr)
    appliance.ui_addresses = ui_addresses(data_dir, host, port, simulate)
    stopping = threading.Event()

    def stop(signum, frame):
        if stopping.is_set():
            return
        stopping.set()
        watchdog.stopping()
        appliance.session.events.close_all()  # live streams end, freeing their threads
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if announce:
        print(f"roomsweep: web UI on http://{host}:{port}/ ({'simulated room' if simulate else 'hardware'})")
        if secret_warning:  # no label has this one: the journal is the only place to read it
            print(f"roomsweep: {secret_warning}", file=sys.stderr)
        elif watchdog.notifier.enabled:  # under systemd stdout is the journal: keep the secret off it
            print("roomsweep: admin secret: on the device label ('sudo roomsweep label --text')")
        else:
            print(f"roomsweep: admin secret: {secret}")
        config_path = settings.path or paths.config_path()
        for warning in appliance.warnings:
            if warning not in (secret_warning, bind_warning):
                print(f"roomsweep: {warning}", file=sys.stderr)
        if appliance.config_error:
            print(f"roomsweep: settings file ignored, defaults in use: {appliance.config_error}", file=sys.stderr)
        elif not config_path.exists():
            print(f"roomsweep: no settings file at {config_path}; built-in defaults in use")
        else:
            print(f"roomsweep: settings from {config_path}")
        sys.stdout.flush()
    log.info("ready on %s:%s", host, port)
    watchdog.ready(f"web UI on port {port}", describe=lambda: _describe(appliance.session.status()))
    if first_sweep:
        appliance.session.start_sweep()
    try:
        server.run()
    finally:
        watchdog.stopping()
        appliance.close()
        server.close()
        watchdog.close()
    return 0


def stop_server(server, timeout_s: float = 10.0) -> bool:
    """Stop a running waitress server from another thread; True once its loop has let go.

    The worker threads are stopped first (live streams must have been ended by the caller), so
    none of them can close a connection a second time after its file descriptor number has been
    reused; then the sockets are closed from inside the loop thread (through its trigger), so
    nothing races the loop's select. ``server._map`` is waitress's socket map: it has no public stop.
    """
    from waitress import wasyncore

    server.task_dispatcher.shutdown(timeout=timeout_s)
    done = threading.Event()

    def close_all() -> None:
        wasyncore.close_all(server._map)
        done.set()

    server.trigger.pull_trigger(close_all)
    return done.wait(timeout_s)


def _describe(status: dict) -> str:
    """The session's state as one ``systemctl status`` line."""
    return f"{status['state']}: {status['message']}" if status.get("message") else status["state"]


def run_serve(args: argparse.Namespace) -> int:
    simulate = args.simulate or args.scene is not None
    return serve(
        simulate=simulate,
        scene=args.scene,
        host=args.host,
        port=args.port,
        data_dir=paths.data_dir(),
    )


def run_demo(args: argparse.Namespace) -> int:
    print("roomsweep demo: the simulated appliance in a hotel room (no hardware needed).")
    return serve(
        simulate=True,
        scene=None,
        host=DEMO_HOST,
        port=args.port,
        data_dir=paths.data_dir() / "demo",
        first_sweep=not args.no_sweep,
    )
