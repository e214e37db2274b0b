#!/usr/bin/env bash
# Installs what `make test` needs when it is missing; fast when everything is there.
set -euo pipefail
have() { command -v "$1" >/dev/null 2>&1; }
apt_install() {
  if ! have apt-get; then echo "ensure-tools: cannot install $* (no apt-get)" >&2; return 1; fi
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
have cargo || { echo "ensure-tools: cargo is required (rustup)" >&2; exit 1; }
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
have python3 || apt_install python3
# The vector model needs the IANA database for Python's zoneinfo.
python3 -c 'import zoneinfo; zoneinfo.ZoneInfo("Europe/Berlin")' 2>/dev/null || apt_install tzdata
echo "ensure-tools: ok"
