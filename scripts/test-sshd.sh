#!/usr/bin/env bash
# A private sshd on 127.0.0.1 for the remote-engine-over-SSH test: its own
# host key, its own authorized_keys and a client key pair, all under one
# state folder, so the machine's own sshd and root's ~/.ssh are never
# touched. Idempotent: a second run finds it running and does nothing.
# Prints nothing on success; the test reads the folder's files:
#   $DIR/client_key (private key), $DIR/known_hosts, and the port below.
set -euo pipefail

DIR="${DSYNC_TEST_SSH_DIR:-/tmp/dsync-test-sshd}"
PORT="${DSYNC_TEST_SSH_PORT:-2222}"

log() { printf '[sshd] %s\n' "$*" >&2; }

if ! command -v sshd >/dev/null && [[ ! -x /usr/sbin/sshd ]]; then
  log "installing openssh-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq openssh-server openssh-client >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq openssh-server openssh-client >/dev/null; }
fi

mkdir -p "$DIR" /run/sshd
chmod 700 "$DIR"
[[ -f "$DIR/host_key" ]] || ssh-keygen -q -t ed25519 -N '' -f "$DIR/host_key"
[[ -f "$DIR/client_key" ]] || ssh-keygen -q -t ed25519 -N '' -f "$DIR/client_key" -C dsync-test
cp "$DIR/client_key.pub" "$DIR/authorized_keys"
chmod 600 "$DIR/authorized_keys"
cat > "$DIR/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $PORT
HostKey $DIR/host_key
PidFile $DIR/sshd.pid
AuthorizedKeysFile $DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
CONF

if [[ -f "$DIR/sshd.pid" ]] && kill -0 "$(cat "$DIR/sshd.pid")" 2>/dev/null; then
  exit 0
fi
/usr/sbin/sshd -f "$DIR/sshd_config" -E "$DIR/sshd.log"
for _ in $(seq 1 50); do
  if ssh-keyscan -p "$PORT" -t ed25519 127.0.0.1 2>/dev/null > "$DIR/known_hosts.tmp" && [[ -s "$DIR/known_hosts.tmp" ]]; then
    mv "$DIR/known_hosts.tmp" "$DIR/known_hosts"
    log "test sshd listening on 127.0.0.1:$PORT (state in $DIR)"
    exit 0
  fi
  sleep 0.1
done
log "the test sshd did not come up; its log:"
tail -n 20 "$DIR/sshd.log" >&2 || true
exit 1
