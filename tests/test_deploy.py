"""The Raspberry Pi deployment: units verified by systemd, scripts by shellcheck, the installer run
for real against a temporary root directory and as a dry run, and the files agreeing with the code.

The tools are Debian packages (.ci/apt-packages.txt); a machine without them fails these tests
rather than skipping them.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from appliance import config as cfg
from appliance.cli import build_parser
from appliance.device import hotspot, identity
from webui import server

REPO = Path(__file__).resolve().parents[1]
SYSTEMD = REPO / "systemd"
INSTALL = SYSTEMD / "install.sh"
UNITS = sorted(SYSTEMD.glob("*.service"))
VENV_ROOMSWEEP = "/opt/roomsweep/venv/bin/roomsweep"
ROOMSWEEP = str(Path(sys.executable).with_name("roomsweep"))


def tool(name: str) -> str:
    found = shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if Path(p).exists()), None)
    if found is None:
        pytest.fail(f"{name} is not installed: .ci/test installs it from .ci/apt-packages.txt")
    return found


def unit_entries(path: Path) -> dict[tuple[str, str], list[str]]:
    """(section, key) -> values, repeated keys kept in order (DeviceAllow=, Environment=)."""
    entries: dict[tuple[str, str], list[str]] = {}
    section = ""
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        entries.setdefault((section, key), []).append(value)
    return entries


def install(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(INSTALL), *args], capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})}
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


# --- systemd, shellcheck and friends --------------------------------------------------------------


def test_there_are_units_to_check():
    assert [u.name for u in UNITS] == ["roomsweep-hotspot.service", "roomsweep.service"]


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_systemd_analyze_verify_passes(unit, tmp_path):
    """As installed, except that ExecStart points at this checkout's roomsweep (verify checks it exists)."""
    text = unit.read_text()
    assert VENV_ROOMSWEEP in text
    copy = tmp_path / unit.name
    copy.write_text(text.replace(VENV_ROOMSWEEP, ROOMSWEEP))
    done = subprocess.run(
        [tool("systemd-analyze"), "verify", "--man=no", str(copy)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stdout == "" and done.stderr == "", done.stdout + done.stderr


@pytest.mark.parametrize(("unit", "limit"), [("roomsweep.service", 2.5), ("roomsweep-hotspot.service", 2.0)])
def test_systemd_rates_the_hardening(unit, limit):
    """systemd's own exposure score (0 = locked down, 10 = nothing): what we could harden, we did."""
    done = subprocess.run(
        [tool("systemd-analyze"), "security", "--offline=yes", "--no-pager", str(SYSTEMD / unit)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.search(r"Overall exposure level for \S+: ([0-9.]+)", done.stdout + done.stderr)
    assert found, done.stdout + done.stderr
    assert float(found.group(1)) <= limit


def scripts() -> list[Path]:
    candidates = [p for d in (SYSTEMD, REPO / ".ci") for p in sorted(d.iterdir()) if p.is_file()]
    candidates += sorted(REPO.glob("**/*.sh"))
    found = {p for p in candidates if p.read_bytes()[:2] == b"#!" or p.suffix == ".sh"}
    return sorted(p for p in found if ".venv" not in p.parts and "venv" not in p.parts)


def test_every_script_passes_shellcheck():
    found = scripts()
    names = {p.relative_to(REPO).as_posix() for p in found}
    assert {"systemd/install.sh", "systemd/roomsweep-cli", ".ci/test", ".ci/bootstrap.sh"} <= names
    done = subprocess.run(
        [tool("shellcheck"), "--external-sources", *map(str, found)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_dvb_blacklist_parses_as_kmod_reads_it(tmp_path):
    shutil.copy(SYSTEMD / "roomsweep-blacklist-dvb.conf", tmp_path)
    done = subprocess.run(
        [tool("modprobe"), "--config", str(tmp_path), "--showconfig"], capture_output=True, text=True, timeout=60
    )
    assert "ERROR" not in done.stderr, done.stderr
    assert {"blacklist dvb_usb_rtl28xxu", "blacklist rtl2832_sdr", "blacklist rtl2832"} <= set(done.stdout.splitlines())


def test_the_sysusers_file_makes_the_user_in_the_device_groups(tmp_path):
    done = subprocess.run(
        [tool("systemd-sysusers"), "--dry-run", f"--root={tmp_path}", str(SYSTEMD / "roomsweep.sysusers")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Creating user 'roomsweep'" in done.stdout + done.stderr


def test_the_udev_rule_gives_every_rtl_sdr_to_plugdev_only():
    rules = [
        line
        for line in (SYSTEMD / "60-roomsweep-rtl-sdr.rules").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    products = set()
    for rule in rules:
        pairs = dict(re.findall(r'(\S+?)(?:==|=|\+=|:=)"([^"]*)"', rule))
        assert pairs["SUBSYSTEM"] == "usb" and pairs["ATTRS{idVendor}"] == "0bda"
        assert pairs["GROUP"] == "plugdev" and pairs["MODE"] == "0660"  # not world-writable
        assert re.fullmatch(r'(\S+?(==|=|\+=|:=)"[^"]*"(, )?)+', rule), rule  # key-op-"value", comma separated
        products.add(pairs["ATTRS{idProduct}"])
    assert products == {"2832", "2838"}  # 2838: the RTL-SDR Blog V3 and V4 as well


# --- the units agree with the code ------------------------------------------------------------------


def test_the_daemon_unit_is_a_watched_hardened_notify_service():
    entries = unit_entries(SYSTEMD / "roomsweep.service")
    one = {key: values[-1] for key, values in entries.items()}
    assert one["Service", "Type"] == "notify"
    assert 10 <= int(one["Service", "WatchdogSec"]) <= 120
    assert one["Service", "Restart"] == "on-failure"
    assert int(one["Unit", "StartLimitIntervalSec"]) > 0 and int(one["Unit", "StartLimitBurst"]) > 0
    assert one["Service", "User"] == "roomsweep"
    assert one["Service", "DevicePolicy"] == "closed"
    allowed = {v.split()[0] for v in entries["Service", "DeviceAllow"]}
    assert {"char-usb_device", "char-video4linux", "char-media", "char-gpiochip"} <= allowed
    env = dict(v.split("=", 1) for v in entries["Service", "Environment"])
    assert env["GPIOZERO_PIN_FACTORY"] == "lgpio" and env["NUMBA_CACHE_DIR"].startswith("%C/roomsweep")
    for key in ("NoNewPrivileges", "ProtectHome", "PrivateTmp"):
        assert one["Service", key] == "yes"
    assert one["Service", "ProtectSystem"] == "strict"
    assert one["Service", "StateDirectory"] == one["Service", "ConfigurationDirectory"] == "roomsweep"
    command = one["Service", "ExecStart"].split()
    assert command[0] == VENV_ROOMSWEEP
    assert build_parser().parse_args(command[1:]).func.__name__ == "run_serve"


def test_the_daemon_unit_bounds_memory_and_who_reaches_the_ui():
    """Issue 13 rows 4 and 17: a MemoryMax that restarts the daemon before a 1 GB Pi runs out, and
    the UI only for the hotspot's subnet and the Pi itself."""
    entries = unit_entries(SYSTEMD / "roomsweep.service")
    one = {key: values[-1] for key, values in entries.items()}
    mib = {"M": 1, "G": 1024}
    high, top = (int(one["Service", k][:-1]) * mib[one["Service", k][-1]] for k in ("MemoryHigh", "MemoryMax"))
    assert 300 <= high < top <= 600, "above the optical sweep's ~230 MiB peak, far below 1 GB"
    assert entries["Service", "IPAddressDeny"] == ["any"]
    allowed = set(entries["Service", "IPAddressAllow"])
    assert allowed == {"localhost", "10.42.0.0/16"}
    assert ipaddress.ip_address(hotspot.HOTSPOT_ADDRESS) in ipaddress.ip_network("10.42.0.0/16")
    assert entries["Service", "ExecStartPre"] == ["+-/usr/sbin/nft -f /etc/roomsweep/roomsweep.nft"]
    assert entries["Service", "ExecStopPost"] == ["+-/usr/sbin/nft delete table inet roomsweep"]


def test_the_installed_connection_cap_parses_and_matches_the_daemon(tmp_path):
    root = tmp_path / "root"
    assert install("--root", str(root), "--no-apt", "--no-warm").returncode == 0
    rules = root / "etc/roomsweep/roomsweep.nft"
    checked = subprocess.run([tool("nft"), "-c", "-f", str(rules)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    text = rules.read_text()
    assert text.count(f"ct count over {server.PER_SOURCE_LIMIT} }} reject") == 2, "IPv4 and IPv6, the daemon's cap"
    ports = {int(p) for p in re.search(r"tcp dport \{ ([0-9, ]+) \}", text).group(1).split(",")}
    installed_port = cfg.load(root / "etc/roomsweep/roomsweep.toml", env={})["web.port"]
    assert {installed_port, cfg.BY_KEY["web.port"].default} <= ports


def test_the_connection_cap_resets_the_17th_connection_from_one_address(tmp_path):
    """The installed rules loaded for real, in a network namespace of this test's own."""
    if os.geteuid() != 0:
        pytest.skip("loading nftables rules in a network namespace needs root")
    name = f"roomsweep-{os.getpid()}"
    made = subprocess.run([tool("ip"), "netns", "add", name], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot make a network namespace here: {made.stderr.strip()}")
    try:
        inside = [tool("ip"), "netns", "exec", name]
        subprocess.run([*inside, tool("ip"), "link", "set", "lo", "up"], check=True)
        subprocess.run([*inside, tool("nft"), "-f", str(SYSTEMD / "roomsweep.nft")], check=True)
        probe = (
            "import socket\n"
            "srv = socket.socket(); srv.bind(('127.0.0.1', 8080)); srv.listen(100); held = []\n"
            "def connect(source):\n"
            "    s = socket.socket(); s.settimeout(2); s.bind((source, 0))\n"
            "    try:\n"
            "        s.connect(('127.0.0.1', 8080)); held.append(s); return 1\n"
            "    except OSError:\n"
            "        return 0\n"
            "print(sum(connect('127.0.0.2') for _ in range(24)), connect('127.0.0.3'))\n"
        )
        done = subprocess.run([*inside, sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        accepted, other = map(int, done.stdout.split())
        assert accepted == server.PER_SOURCE_LIMIT, "the 17th and later are reset"
        assert other == 1, "another guest still gets in"
    finally:
        subprocess.run([tool("ip"), "netns", "del", name], capture_output=True)


def test_ethernet_access_is_an_installer_choice_that_is_kept(tmp_path):
    root = tmp_path / "root"
    dropin = root / "etc/systemd/system/roomsweep.service.d/ethernet.conf"
    assert install("--root", str(root), "--no-apt", "--no-warm").returncode == 0
    assert not dropin.exists(), "the hotspot only, unless asked"
    done = install("--root", str(root), "--no-apt", "--no-warm", "--ethernet")
    assert done.returncode == 0 and dropin.read_bytes() == (SYSTEMD / "roomsweep-ethernet.conf").read_bytes()
    allowed = unit_entries(dropin)["Service", "IPAddressAllow"][0].split()
    assert all(ipaddress.ip_network(n).is_private for n in allowed) and "192.168.0.0/16" in allowed
    again = install("--root", str(root), "--no-apt", "--no-warm")
    assert again.returncode == 0 and dropin.exists() and "kept: /etc/systemd/system/roomsweep.service.d" in again.stdout
    assert install("--root", str(root), "--uninstall").returncode == 0
    assert not dropin.parent.exists()


def test_the_first_boot_unit_watches_the_files_the_code_writes():
    entries = unit_entries(SYSTEMD / "roomsweep-hotspot.service")
    conditions = entries["Unit", "ConditionPathExists"]
    profile = hotspot.NM_CONNECTIONS_DIR / hotspot.PROFILE_NAME
    assert f"|!{profile}" in conditions
    assert f"|!/var/lib/roomsweep/{identity.IDENTITY_FILE}" in conditions
    assert f"|!/var/lib/roomsweep/{identity.ADMIN_SECRET_FILE}" in conditions
    writable = entries["Service", "ReadWritePaths"][0].split()
    assert {f"-{hotspot.NM_CONNECTIONS_DIR}", f"-{hotspot.NM_DNSMASQ_SHARED_DIR}", "-/var/lib/roomsweep"} == set(
        writable
    )
    assert "network-pre.target" in entries["Unit", "Before"][0]  # NetworkManager loads the profile at start
    command = entries["Service", "ExecStart"][0].split()
    assert command[0] == VENV_ROOMSWEEP
    args = build_parser().parse_args(command[1:])
    assert args.func.__module__ == "appliance.commands.hotspot" and args.no_reload


def test_every_file_in_systemd_is_used_by_the_installer():
    text = INSTALL.read_text()
    for path in SYSTEMD.iterdir():
        if path.name != "install.sh":
            assert f"systemd/{path.name}" in text or path.name in text, path.name


# --- the installer ----------------------------------------------------------------------------------

INSTALLED = {
    "etc/systemd/system/roomsweep.service": ("systemd/roomsweep.service", 0o644),
    "etc/systemd/system/roomsweep-hotspot.service": ("systemd/roomsweep-hotspot.service", 0o644),
    "etc/udev/rules.d/60-roomsweep-rtl-sdr.rules": ("systemd/60-roomsweep-rtl-sdr.rules", 0o644),
    "etc/modprobe.d/roomsweep-blacklist-dvb.conf": ("systemd/roomsweep-blacklist-dvb.conf", 0o644),
    "etc/NetworkManager/conf.d/roomsweep-wifi-adapter.conf": ("systemd/roomsweep-nm-unmanaged.conf", 0o644),
    "etc/sysusers.d/roomsweep.conf": ("systemd/roomsweep.sysusers", 0o644),
    "usr/local/bin/roomsweep": ("systemd/roomsweep-cli", 0o755),
    "usr/share/doc/roomsweep/README.md": ("README.md", 0o644),
    "etc/roomsweep/roomsweep.toml": ("systemd/roomsweep.toml", 0o644),
    "etc/roomsweep/roomsweep.nft": ("systemd/roomsweep.nft", 0o644),
}


def test_install_into_a_root_directory_puts_every_file_in_place(tmp_path):
    root = tmp_path / "root"
    done = install("--root", str(root))
    assert done.returncode == 0, done.stdout + done.stderr
    for dest, (src, expected_mode) in INSTALLED.items():
        path = root / dest
        assert path.read_bytes() == (REPO / src).read_bytes(), dest
        assert mode(path) == expected_mode, dest
    for unit in ("roomsweep.service", "roomsweep-hotspot.service"):  # enabled, as systemctl does it
        link = root / "etc/systemd/system/multi-user.target.wants" / unit
        assert str(link.readlink()) == f"/etc/systemd/system/{unit}"
    user = next(line.split(":") for line in (root / "etc/passwd").read_text().splitlines() if line[:10] == "roomsweep:")
    assert user[5:] == ["/var/lib/roomsweep", "/usr/sbin/nologin"]
    groups = {line.split(":")[0]: line.split(":")[3] for line in (root / "etc/group").read_text().splitlines()}
    assert all("roomsweep" in groups[g].split(",") for g in ("plugdev", "video", "gpio", "bluetooth"))
    state = (root / "var/lib/roomsweep").stat()
    assert mode(root / "var/lib/roomsweep") == 0o750 and (state.st_uid, state.st_gid) == (int(user[2]), int(user[3]))
    assert mode(root / "var/cache/roomsweep/numba") == 0o750
    assert mode(root / "etc/NetworkManager/system-connections") == 0o700  # profiles hold passphrases
    assert mode(root / "etc/NetworkManager/dnsmasq-shared.d") == 0o755
    # what needs the running system is named, not silently dropped
    for skipped in ("apt-get install", "python3 -m venv", "pip install", "udevadm control", "runuser -u roomsweep"):
        assert re.search(rf"skipped \(--root[^)]*\): .*{re.escape(skipped)}", done.stdout), skipped
    assert "each device makes its own identity at first boot" in done.stdout
    assert not (root / "var/lib/roomsweep/identity.json").exists()  # never baked into an image
    # the installed settings are valid and move the phone UI to port 80
    assert cfg.load(root / "etc/roomsweep/roomsweep.toml", env={})["web.port"] == 80


def test_installing_again_changes_nothing_and_keeps_the_administrators_settings(tmp_path):
    root = tmp_path / "root"
    assert install("--root", str(root)).returncode == 0
    settings = root / "etc/roomsweep/roomsweep.toml"
    settings.write_text("[web]\nport = 8081\n")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    again = install("--root", str(root))
    assert again.returncode == 0, again.stderr
    assert "installed:" not in again.stdout and "directory:" not in again.stdout
    assert again.stdout.count("unchanged: ") == len(INSTALLED) - 1
    assert "kept (yours): /etc/roomsweep/roomsweep.toml" in again.stdout
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_a_dry_run_prints_every_step_and_changes_nothing(tmp_path):
    root = tmp_path / "root"
    dry = install("--dry-run", "--root", str(root))
    assert dry.returncode == 0, dry.stderr
    assert not root.exists()
    assert "would run: install -D -m 0644" in dry.stdout and "nothing was changed" in dry.stdout


def test_a_dry_run_on_this_machine_shows_the_whole_installation(tmp_path):
    unit = Path("/etc/systemd/system/roomsweep.service")
    existed = unit.exists(), Path("/opt/roomsweep").exists()
    done = install("--dry-run", env={"SUDO_USER": ""})
    assert done.returncode == 0, done.stdout + done.stderr
    steps = re.findall(r"^==> (.*)$", done.stdout, re.M)
    assert steps == [
        "Checking the system",
        "Debian packages",
        "Wi-Fi country",
        "Service user 'roomsweep' (groups: plugdev video gpio bluetooth)",
        "Directories",
        "Python environment in /opt/roomsweep/venv",
        "Units, udev rule, driver blacklist, CLI, documentation",
        "Who reaches the phone UI",
        "The room's network scan",
        "Settings",
        "Activating",
        "Compiling the DSP kernels (Numba cache in /var/cache/roomsweep/numba)",
        "Device identity, hotspot profile and label",
        "Service",
        "Done",
    ]
    for expected in (
        "systemd-sysusers /etc/sysusers.d/roomsweep.conf",
        "python3 -m venv --system-site-packages /opt/roomsweep/venv",
        "--constraint",
        "systemctl enable roomsweep.service roomsweep-hotspot.service",
        "runuser -u roomsweep -- env NUMBA_CACHE_DIR=/var/cache/roomsweep/numba",
        "systemctl start roomsweep-hotspot.service",
        "roomsweep label --text",
    ):
        assert re.search(rf"^    would run: .*{re.escape(expected)}", done.stdout, re.M), expected
    assert all(line.startswith(("    ", "==> ")) for line in done.stdout.splitlines())
    assert (unit.exists(), Path("/opt/roomsweep").exists()) == existed


def test_uninstall_removes_the_appliance_and_keeps_data_unless_purged(tmp_path):
    root = tmp_path / "root"
    assert install("--root", str(root)).returncode == 0
    (root / "var/lib/roomsweep/roomsweep.db").write_text("sweeps")
    removed = install("--uninstall", "--root", str(root))
    assert removed.returncode == 0, removed.stderr
    for dest in INSTALLED:
        if dest != "etc/roomsweep/roomsweep.toml":
            assert not (root / dest).exists(), dest
    assert not list((root / "etc/systemd/system").rglob("roomsweep*"))
    assert (root / "var/lib/roomsweep/roomsweep.db").exists() and (root / "etc/roomsweep/roomsweep.toml").exists()
    purged = install("--uninstall", "--purge", "--root", str(root))
    assert purged.returncode == 0, purged.stderr
    for gone in ("var/lib/roomsweep", "var/cache/roomsweep", "etc/roomsweep", "opt/roomsweep"):
        assert not (root / gone).exists(), gone


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--frobnicate"], "unknown option '--frobnicate'"),
        (["--purge"], "--purge only goes with --uninstall"),
        (["--wifi-country", "gb"], "two-letter code"),
        (["--root"], "--root needs a directory"),
    ],
)
def test_installer_mistakes_are_one_line_with_status_2(args, message):
    done = install(*args)
    assert done.returncode == 2 and message in done.stderr and done.stderr.count("\n") == 1


def test_the_cli_wrapper_points_at_the_devices_data_unless_told_otherwise(tmp_path):
    fake = tmp_path / "roomsweep"
    fake.write_text('#!/bin/sh\necho "$ROOMSWEEP_DATA_DIR|$ROOMSWEEP_CONFIG|$*"\n')
    fake.chmod(0o755)
    wrapper = tmp_path / "wrapper"
    wrapper.write_text((SYSTEMD / "roomsweep-cli").read_text().replace(VENV_ROOMSWEEP, str(fake)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROOMSWEEP_")}
    out = subprocess.run(["sh", str(wrapper), "label", "--text"], capture_output=True, text=True, env=env).stdout
    assert out == "/var/lib/roomsweep|/etc/roomsweep/roomsweep.toml|label --text\n"
    env["ROOMSWEEP_DATA_DIR"] = "/tmp/elsewhere"
    out = subprocess.run(["sh", str(wrapper), "demo"], capture_output=True, text=True, env=env).stdout
    assert out.startswith("/tmp/elsewhere|")


def test_the_network_scan_is_an_installer_choice_confined_to_private_ranges(tmp_path):
    root = tmp_path / "root"
    dropin = root / "etc/systemd/system/roomsweep.service.d/lan-scan.conf"
    rule = root / "etc/polkit-1/rules.d/50-roomsweep.rules"
    assert install("--root", str(root), "--no-apt", "--no-warm").returncode == 0
    assert not dropin.exists() and not rule.exists(), "the hotspot only, unless asked"
    done = install("--root", str(root), "--no-apt", "--no-warm", "--lan-scan")
    assert done.returncode == 0 and dropin.read_bytes() == (SYSTEMD / "roomsweep-lan-scan.conf").read_bytes()
    allowed = [ipaddress.ip_network(n) for n in unit_entries(dropin)["Service", "IPAddressAllow"][0].split()]
    assert all(n.is_private or (n.is_multicast and n.num_addresses == 1) for n in allowed)
    assert {str(n) for n in allowed if n.is_multicast} == {"224.0.0.251/32", "239.255.255.250/32"}
    text = rule.read_text()
    assert 'subject.user !== "roomsweep"' in text and text.count("action.id ===") == 2
    again = install("--root", str(root), "--no-apt", "--no-warm")
    assert (
        again.returncode == 0
        and dropin.exists()
        and "kept: /etc/systemd/system/roomsweep.service.d/lan-scan" in again.stdout
    )
    assert install("--root", str(root), "--uninstall").returncode == 0
    assert not dropin.parent.exists() and not rule.exists()
