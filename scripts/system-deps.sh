#!/usr/bin/env bash
# Debian/Ubuntu packages Proximus runs for real, by profile (default: test):
#   dev   what `npm run dev` needs for the sandbox host: gVisor (runsc), python3 (the in-sandbox
#         supervisor), nftables + iproute2 + procps (allowlisted egress), bubblewrap (fallback)
#   test  dev + chromium (the dashboard's browser tests)
# Installs whatever is missing with apt (as root). When it cannot, it prints the exact command to
# run and exits 1; `npm run dev` then goes on without a sandbox, `npm test` stops.
set -euo pipefail
profile="${1:-test}"
case "$profile" in
  dev | test) ;;
  *)
    echo "usage: system-deps.sh [dev|test]" >&2
    exit 64
    ;;
esac

# nft, ip and sysctl live in sbin, which a non-root PATH often lacks: look there too.
has() { command -v "$1" >/dev/null || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }
need=()
want() { has "$1" || need+=("$2"); }
want runsc runsc
want python3 python3
want nft nftables
want ip iproute2
want sysctl procps
want bwrap bubblewrap
[ "$profile" = test ] && want chromium chromium
[ ${#need[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "[system-deps] missing: ${need[*]} — there is no apt-get here: install them with this system's package manager" >&2
  echo "[system-deps] (gVisor's runsc: https://gvisor.dev/docs/user_guide/install/)" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "[system-deps] missing: ${need[*]} — not root, so not installed. Run:" >&2
  echo "    sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "[system-deps] apt-get install ${need[*]}"
if ! apt-get update -qq || ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; then
  echo "[system-deps] apt-get install -y ${need[*]} failed (see above). Debian 12 packages runsc;" >&2
  echo "[system-deps] where apt has none, add gVisor's apt repository: https://gvisor.dev/docs/user_guide/install/" >&2
  exit 1
fi
