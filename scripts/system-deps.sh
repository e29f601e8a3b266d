#!/usr/bin/env bash
# Debian packages the test suites run for real: gVisor, Chromium, nftables, bubblewrap, iproute2.
# Installs whatever is missing (needs root and apt); says what it could not install.
set -euo pipefail
need=()
command -v runsc >/dev/null || need+=(runsc)
command -v chromium >/dev/null || need+=(chromium)
command -v nft >/dev/null || need+=(nftables)
command -v bwrap >/dev/null || need+=(bubblewrap)
command -v ip >/dev/null || need+=(iproute2)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "[system-deps] missing: ${need[*]} — install them as root (apt-get install -y ${need[*]})" >&2
  exit 1
fi
echo "[system-deps] apt-get install ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
