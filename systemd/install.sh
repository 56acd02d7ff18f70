#!/usr/bin/env bash
# Install roomsweep as an appliance on Raspberry Pi OS Bookworm (64-bit), from this source tree.
#
#   sudo systemd/install.sh               install or update (safe to run again), then: sudo reboot
#   sudo systemd/install.sh --dry-run     print every step, change nothing
#   sudo systemd/install.sh --uninstall   remove the appliance; keep its data, settings and user
#   sudo systemd/install.sh --uninstall --purge   ... and remove those too
#        systemd/install.sh --root DIR    put the files below DIR (an image being built, tests);
#                                         steps that need the running system are listed, not run
# Options:
#   --wifi-country CC   set the Wi-Fi country (ISO 3166 code, e.g. GB): Raspberry Pi OS keeps
#                       Wi-Fi switched off until one is set, and then the hotspot cannot start
#   --no-apt            do not install Debian packages (they are there already)
#   --no-warm           do not warm the Numba cache (the first sweep after boot then compiles)
#   --ethernet          let the phone UI answer on the Ethernet port too (private LAN addresses);
#                       by default only the hotspot's guests and the Pi itself reach it
#   --lan-scan          allow the phone's opt-in "Scan the room's Wi-Fi": the daemon may reach the
#                       private network the USB adapter joins and the discovery groups, and may add
#                       its temporary NetworkManager profile (a polkit rule for the service user)
#
# What it does: apt packages (picamera2, lgpio, NetworkManager); a virtualenv in /opt/roomsweep
# that sees the system's picamera2 and lgpio (--system-site-packages) with roomsweep and its Pi
# extra (pyrtlsdr + pyrtlsdrlib's librtlsdr); the system user 'roomsweep' in plugdev, video and
# gpio; the systemd units, udev rule, DVB-T driver blacklist, settings and CLI wrapper; the
# device's identity and hotspot profile; compiled DSP kernels; a printable label.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
UNITS="$SRC/systemd"
PREFIX=/opt/roomsweep
VENV=$PREFIX/venv
SERVICE_USER=roomsweep
DEVICE_GROUPS=(plugdev video gpio bluetooth)
STATE_DIR=/var/lib/roomsweep
CACHE_DIR=/var/cache/roomsweep
NUMBA_DIR=$CACHE_DIR/numba
NM_CONNECTIONS=/etc/NetworkManager/system-connections
NM_DNSMASQ=/etc/NetworkManager/dnsmasq-shared.d
# iw: the Wi-Fi sweep's monitor interface and channels (hw/wifi/iw.py)
# nftables: the per-address connection cap on the UI port (systemd/roomsweep.nft)
# bluez: the BLE scan talks to bluetoothd over D-Bus (hw/ble.py); its D-Bus policy admits the bluetooth group
APT_PACKAGES=(python3-venv python3-picamera2 python3-lgpio network-manager dnsmasq-base fonts-dejavu-core iw nftables bluez)
UNIT_NAMES=(roomsweep.service roomsweep-hotspot.service)
# source in this tree : installed path : mode
FILES=(
    "systemd/roomsweep.service:/etc/systemd/system/roomsweep.service:0644"
    "systemd/roomsweep-hotspot.service:/etc/systemd/system/roomsweep-hotspot.service:0644"
    "systemd/60-roomsweep-rtl-sdr.rules:/etc/udev/rules.d/60-roomsweep-rtl-sdr.rules:0644"
    "systemd/roomsweep-blacklist-dvb.conf:/etc/modprobe.d/roomsweep-blacklist-dvb.conf:0644"
    "systemd/roomsweep-nm-unmanaged.conf:/etc/NetworkManager/conf.d/roomsweep-wifi-adapter.conf:0644"
    "systemd/roomsweep-cli:/usr/local/bin/roomsweep:0755"
    "systemd/roomsweep.nft:/etc/roomsweep/roomsweep.nft:0644"
    "README.md:/usr/share/doc/roomsweep/README.md:0644"
)
SETTINGS_FILE=/etc/roomsweep/roomsweep.toml
SYSUSERS_FILE=/etc/sysusers.d/roomsweep.conf
ETHERNET_DROPIN=/etc/systemd/system/roomsweep.service.d/ethernet.conf
LAN_SCAN_DROPIN=/etc/systemd/system/roomsweep.service.d/lan-scan.conf
POLKIT_RULE=/etc/polkit-1/rules.d/50-roomsweep.rules

MODE=install
DRY_RUN=0
PURGE=0
ROOT=""
WIFI_COUNTRY=""
APT=1
WARM=1
ETHERNET=0
LAN_SCAN=0

usage_error() {
    echo "install.sh: $* (see the top of systemd/install.sh)" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
        --dry-run) DRY_RUN=1 ;;
        --uninstall) MODE=uninstall ;;
        --purge) PURGE=1 ;;
        --no-apt) APT=0 ;;
        --no-warm) WARM=0 ;;
        --ethernet) ETHERNET=1 ;;
        --lan-scan) LAN_SCAN=1 ;;
        --root)
            [ $# -ge 2 ] || usage_error "--root needs a directory"
            ROOT=$(realpath -m -- "$2")
            [ "$ROOT" != / ] || ROOT=""
            shift
            ;;
        --wifi-country)
            [ $# -ge 2 ] || usage_error "--wifi-country needs a country code"
            WIFI_COUNTRY=$2
            [[ $WIFI_COUNTRY =~ ^[A-Z]{2}$ ]] || usage_error "--wifi-country takes a two-letter code such as GB, got '$2'"
            shift
            ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        *) usage_error "unknown option '$1'" ;;
    esac
    shift
done
[ "$PURGE" -eq 0 ] || [ "$MODE" = uninstall ] || usage_error "--purge only goes with --uninstall"

step() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
warn() { printf '    WARNING: %s\n' "$*" >&2; }
quoted() { printf '%q ' "$@" | sed 's/ $//'; }

# A command that acts on the running system: printed with --dry-run, listed with --root.
live() {
    if [ "$DRY_RUN" -eq 1 ]; then
        note "would run: $(quoted "$@")"
    elif [ -n "$ROOT" ]; then
        note "skipped (--root: needs the running system): $(quoted "$@")"
    else
        note "run: $(quoted "$@")"
        "$@"
    fi
}

# A change to files below $ROOT: printed with --dry-run, done otherwise (also with --root).
change() {
    if [ "$DRY_RUN" -eq 1 ]; then
        note "would run: $(quoted "$@")"
    else
        "$@"
    fi
}

ensure_dir() { # path mode [owner]
    local path=$ROOT$1 mode=$2 owner=${3:-}
    if [ -d "$path" ] && [ "$(stat -c %a "$path")" = "${mode#0}" ]; then
        note "exists: $1 ($mode)"
    else
        change install -d -m "$mode" "$path"
        [ "$DRY_RUN" -eq 1 ] || note "directory: $1 ($mode)"
    fi
    if [ -n "$owner" ]; then
        local spec
        spec=$(owner_spec)
        if [ -z "$spec" ] && [ "$DRY_RUN" -eq 0 ]; then
            note "owner of $1: set by systemd when the service first starts"
        else
            change chown "${spec:-$owner:$owner}" "$path"
        fi
    fi
}

install_file() { # source-in-tree installed-path mode
    local src=$SRC/$1 dest=$ROOT$2 mode=$3
    if [ -f "$dest" ] && cmp -s "$src" "$dest" && [ "$(stat -c %a "$dest")" = "${mode#0}" ]; then
        note "unchanged: $2"
        return
    fi
    change install -D -m "$mode" "$src" "$dest"
    [ "$DRY_RUN" -eq 1 ] || note "installed: $2 ($mode)"
}

remove_path() {
    if [ -e "$ROOT$1" ] || [ -L "$ROOT$1" ]; then
        change rm -rf -- "$ROOT$1"
        [ "$DRY_RUN" -eq 1 ] || note "removed: $1"
    fi
}

have() { command -v "$1" >/dev/null 2>&1; }

preflight() {
    step "Checking the system"
    if [ -z "$ROOT" ] && [ "$DRY_RUN" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
        echo "install.sh: run it as root: sudo $0" >&2
        exit 2
    fi
    local release=$ROOT/etc/os-release codename="" arch=""
    if [ -r "$release" ]; then
        codename=$(sed -n 's/^VERSION_CODENAME=//p' "$release" | tr -d '"')
    fi
    case "$codename" in
        bookworm) note "Debian/Raspberry Pi OS bookworm" ;;
        "") warn "cannot tell the OS release; this installer is made for Raspberry Pi OS Bookworm" ;;
        *) warn "this is '$codename'; the installer is made for Raspberry Pi OS Bookworm (continuing)" ;;
    esac
    if [ -z "$ROOT" ] && have dpkg; then
        arch=$(dpkg --print-architecture)
        case "$arch" in
            arm64) note "64-bit ARM" ;;
            armhf | armel)
                echo "install.sh: this is 32-bit Raspberry Pi OS ($arch); pyrtlsdrlib (the RTL-SDR library)" \
                    "publishes 64-bit ARM wheels only: flash the 64-bit Raspberry Pi OS" >&2
                exit 1
                ;;
            *) warn "architecture $arch: not a Raspberry Pi, but installing anyway" ;;
        esac
    fi
    if [ -r "$ROOT/proc/device-tree/model" ] 2>/dev/null; then
        note "$(tr -d '\0' <"$ROOT/proc/device-tree/model")"
    fi
}

install_packages() {
    step "Debian packages"
    if [ "$APT" -eq 0 ]; then
        note "skipped (--no-apt): ${APT_PACKAGES[*]}"
        return
    fi
    local missing=() pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        if [ -n "$ROOT" ] || ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        note "all there: ${APT_PACKAGES[*]}"
        return
    fi
    live apt-get update
    # no recommends: python3-picamera2 would pull a desktop's worth of Qt and OpenCV
    live env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

wifi_country() {
    step "Wi-Fi country"
    if [ -n "$WIFI_COUNTRY" ]; then
        if [ -z "$ROOT" ] && ! have raspi-config && [ "$DRY_RUN" -eq 0 ]; then
            warn "raspi-config is missing: set the Wi-Fi country yourself (iw reg set $WIFI_COUNTRY)"
        else
            live raspi-config nonint do_wifi_country "$WIFI_COUNTRY"
        fi
    elif [ -z "$ROOT" ] && have raspi-config; then
        local current
        current=$(raspi-config nonint get_wifi_country 2>/dev/null || true)
        if [ -n "$current" ]; then
            note "set: $current"
        else
            warn "no Wi-Fi country set: Wi-Fi stays blocked and the hotspot will not appear;" \
                "run again with --wifi-country XX (e.g. GB, US, DE)"
        fi
    else
        note "not checked (no raspi-config here); the hotspot needs one: see README, troubleshooting"
    fi
}

service_user() {
    step "Service user '$SERVICE_USER' (groups: ${DEVICE_GROUPS[*]})"
    install_file systemd/roomsweep.sysusers "$SYSUSERS_FILE" 0644
    if [ -n "$ROOT" ]; then
        # writes the image's /etc/passwd and /etc/group; existing users and groups are kept
        change systemd-sysusers --root="$ROOT" "$ROOT$SYSUSERS_FILE"
    else
        live systemd-sysusers "$SYSUSERS_FILE"
    fi
}

# user:group for chown below $ROOT: numeric from the image's passwd, which this host may not know
owner_spec() {
    if [ -n "$ROOT" ]; then
        awk -F: -v user="$SERVICE_USER" '$1 == user { print $3 ":" $4 }' "$ROOT/etc/passwd" 2>/dev/null || true
    else
        echo "$SERVICE_USER:$SERVICE_USER"
    fi
}

directories() {
    step "Directories"
    ensure_dir "$PREFIX" 0755
    ensure_dir "$STATE_DIR" 0750 "$SERVICE_USER"
    ensure_dir "$CACHE_DIR" 0755
    ensure_dir "$NUMBA_DIR" 0750 "$SERVICE_USER"
    ensure_dir /etc/roomsweep 0755
    ensure_dir "$NM_CONNECTIONS" 0700
    ensure_dir "$NM_DNSMASQ" 0755
}

python_env() {
    step "Python environment in $VENV"
    if [ -x "$ROOT$VENV/bin/python" ]; then
        note "exists: $VENV"
    else
        # the system's picamera2 (and its libcamera bindings) and lgpio come from apt
        live python3 -m venv --system-site-packages "$VENV"
    fi
    # rebuilt from this tree every time (an update is 'git pull' and this script again), from a
    # copy of it: a build as root would leave root-owned build/ and egg-info files in the checkout
    local tree=$SRC stage=""
    if [ "$DRY_RUN" -eq 0 ] && [ -z "$ROOT" ]; then
        stage=$(mktemp -d)
        tar -C "$SRC" --exclude=./.git --exclude=./.venv --exclude=./build --exclude='*.egg-info' \
            --exclude=__pycache__ -cf - . | tar -C "$stage" -xf -
        tree=$stage
    fi
    live "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        --constraint "$UNITS/pi-constraints.txt" "${tree}[pi]"
    [ -z "$stage" ] || rm -rf -- "$stage"
}

system_files() {
    step "Units, udev rule, driver blacklist, CLI, documentation"
    local entry src rest dest mode
    for entry in "${FILES[@]}"; do
        src=${entry%%:*}
        rest=${entry#*:}
        dest=${rest%%:*}
        mode=${rest##*:}
        install_file "$src" "$dest" "$mode"
    done
    step "Who reaches the phone UI"
    if [ "$ETHERNET" -eq 1 ]; then
        install_file systemd/roomsweep-ethernet.conf "$ETHERNET_DROPIN" 0644
    elif [ -f "$ROOT$ETHERNET_DROPIN" ]; then
        note "kept: $ETHERNET_DROPIN (Ethernet allowed; delete it to allow only the hotspot)"
    else
        note "the hotspot's guests and this Pi only (--ethernet adds the Ethernet port)"
    fi
    step "The room's network scan"
    if [ "$LAN_SCAN" -eq 1 ]; then
        install_file systemd/roomsweep-lan-scan.conf "$LAN_SCAN_DROPIN" 0644
        install_file systemd/roomsweep-nm.rules "$POLKIT_RULE" 0644
    elif [ -f "$ROOT$LAN_SCAN_DROPIN" ]; then
        note "kept: $LAN_SCAN_DROPIN and $POLKIT_RULE (delete both to disallow the scan)"
    else
        note "not allowed (--lan-scan lets the phone scan the room's Wi-Fi)"
    fi
    step "Settings"
    if [ -f "$ROOT$SETTINGS_FILE" ]; then
        note "kept (yours): $SETTINGS_FILE"
    else
        install_file systemd/roomsweep.toml "$SETTINGS_FILE" 0644
    fi
}

activate() {
    step "Activating"
    if [ -n "$ROOT" ]; then
        # systemctl edits the image's unit links without a running systemd
        change systemctl --root="$ROOT" --quiet enable "${UNIT_NAMES[@]}"
        [ "$DRY_RUN" -eq 1 ] || note "enabled in $ROOT: ${UNIT_NAMES[*]}"
    else
        live systemctl daemon-reload
        live systemctl enable "${UNIT_NAMES[@]}"
    fi
    live udevadm control --reload
    live udevadm trigger --subsystem-match=usb --action=change
    if [ -z "$ROOT" ] && [ -d /sys/module/dvb_usb_rtl28xxu ]; then
        # the TV driver grabbed a dongle before the blacklist existed: let go of it now
        live modprobe -r dvb_usb_rtl28xxu || warn "could not unload dvb_usb_rtl28xxu: reboot before sweeping"
    fi
}

warm_cache() {
    step "Compiling the DSP kernels (Numba cache in $NUMBA_DIR)"
    if [ "$WARM" -eq 0 ]; then
        note "skipped (--no-warm): the first sweep after boot compiles them"
        return
    fi
    # As the service user, with the service's cache directory: the daemon finds them there at
    # boot instead of compiling for a minute (and without the compiler's memory peak). A full
    # simulated sweep runs every RF kernel, a simulated optical scan every glint kernel.
    live runuser -u "$SERVICE_USER" -- env NUMBA_CACHE_DIR="$NUMBA_DIR" ROOMSWEEP_SIM_TIME_SCALE=0 \
        "$VENV/bin/roomsweep" sweep --simulate --preset full
    live runuser -u "$SERVICE_USER" -- env NUMBA_CACHE_DIR="$NUMBA_DIR" ROOMSWEEP_SIM_TIME_SCALE=0 \
        "$VENV/bin/roomsweep" glint --simulate
    # the Wi-Fi header parser's kernels: a short simulated capture kept as a pcap, then replayed
    live runuser -u "$SERVICE_USER" -- env NUMBA_CACHE_DIR="$NUMBA_DIR" ROOMSWEEP_SIM_TIME_SCALE=0 \
        "$VENV/bin/roomsweep" wifi --simulate --channels 6 --stimulus none --seconds 2 --pcap "$NUMBA_DIR/warm-wifi.pcap"
    live runuser -u "$SERVICE_USER" -- env NUMBA_CACHE_DIR="$NUMBA_DIR" \
        "$VENV/bin/roomsweep" wifi --replay "$NUMBA_DIR/warm-wifi.pcap"
    live rm -f "$NUMBA_DIR/warm-wifi.pcap"
    # the picture's fold and timing kernels: one short picture of the demo room's camera
    live runuser -u "$SERVICE_USER" -- env NUMBA_CACHE_DIR="$NUMBA_DIR" ROOMSWEEP_SIM_TIME_SCALE=0 \
        "$VENV/bin/roomsweep" picture 1280M --simulate --seconds 0.5 --out "$NUMBA_DIR/warm-picture.png"
    live rm -f "$NUMBA_DIR/warm-picture.png"
}

identity_and_label() {
    step "Device identity, hotspot profile and label"
    if [ -n "$ROOT" ]; then
        note "skipped (--root): each device makes its own identity at first boot (roomsweep-hotspot.service);"
        note "an identity made now would be shared by every card written from this image"
        return
    fi
    # makes them only if missing (first install); NetworkManager picks the profile up at boot,
    # so an SSH session over the current Wi-Fi is not cut now
    live systemctl start roomsweep-hotspot.service
    local home label_dir
    home=$(getent passwd "${SUDO_USER:-root}" | cut -d: -f6)
    label_dir=${home:-/root}
    live /usr/local/bin/roomsweep label --text \
        --png "$label_dir/roomsweep-label.png" --svg "$label_dir/roomsweep-label.svg"
}

restart_if_running() {
    step "Service"
    live systemctl try-restart roomsweep.service
}

uninstall() {
    step "Stopping and disabling the service"
    local unit installed=()
    for unit in "${UNIT_NAMES[@]}"; do
        [ ! -f "$ROOT/etc/systemd/system/$unit" ] || installed+=("$unit")
    done
    if [ "${#installed[@]}" -eq 0 ]; then
        note "not installed"
    elif [ -n "$ROOT" ]; then
        change systemctl --root="$ROOT" --quiet disable "${installed[@]}"
    else
        live systemctl disable --now "${installed[@]}"
    fi
    step "Removing files"
    local entry rest
    for entry in "${FILES[@]}"; do
        rest=${entry#*:}
        remove_path "${rest%%:*}"
    done
    remove_path /usr/share/doc/roomsweep
    remove_path "$SYSUSERS_FILE"
    remove_path "$(dirname "$ETHERNET_DROPIN")"
    remove_path "$POLKIT_RULE"
    remove_path "$NM_CONNECTIONS/roomsweep-hotspot.nmconnection"
    remove_path "$NM_DNSMASQ/roomsweep.conf"
    remove_path "$PREFIX"
    if [ -z "$ROOT" ]; then
        live systemctl daemon-reload
        live udevadm control --reload
        if have nmcli; then
            # NetworkManager forgets the hotspot (it goes down if it was up)
            live nmcli connection reload
        fi
    fi
    if [ "$PURGE" -eq 1 ]; then
        step "Purging data, settings, cache and the service user"
        remove_path "$STATE_DIR"
        remove_path "$CACHE_DIR"
        remove_path /etc/roomsweep
        if [ -n "$ROOT" ]; then
            note "the user '$SERVICE_USER' stays in the image's /etc/passwd (userdel --root $ROOT $SERVICE_USER)"
        elif id "$SERVICE_USER" >/dev/null 2>&1; then
            live userdel "$SERVICE_USER"
        fi
    else
        step "Kept (remove with --uninstall --purge)"
        note "sweeps and device identity: $STATE_DIR"
        note "settings: /etc/roomsweep; compiled kernels: $CACHE_DIR; user: $SERVICE_USER"
    fi
}

summary() {
    step "Done"
    if [ "$DRY_RUN" -eq 1 ]; then
        note "dry run: nothing was changed"
    elif [ -n "$ROOT" ]; then
        note "files installed below $ROOT; at first boot the device makes its identity and hotspot"
    elif [ "$MODE" = install ]; then
        note "reboot now (sudo reboot): the hotspot, the DVB-T blacklist and the groups take effect"
        note "then join the Wi-Fi on the label and open the address on it; status: systemctl status roomsweep"
    fi
}

main() {
    if [ "$DRY_RUN" -eq 1 ]; then
        note "dry run: every step is printed, nothing is changed"
    fi
    if [ -n "$ROOT" ]; then
        note "installing below $ROOT"
    fi
    preflight
    if [ "$MODE" = uninstall ]; then
        uninstall
    else
        install_packages
        wifi_country
        service_user
        directories
        python_env
        system_files
        activate
        warm_cache
        identity_and_label
        restart_if_running
    fi
    summary
}

main
