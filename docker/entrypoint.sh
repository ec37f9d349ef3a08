#!/bin/sh
# Makes this container's own host key and installs the login key, then runs sshd in the
# foreground as PID 1, so that `docker stop` ends it and every session with it.
set -eu

key_file=/etc/sshpool/authorized_keys
if [ -n "${SSHPOOL_AUTHORIZED_KEY:-}" ]; then
  authorized=$SSHPOOL_AUTHORIZED_KEY
elif [ -r "$key_file" ]; then
  authorized=$(cat "$key_file")
else
  echo "sshpool target: no login key: set SSHPOOL_AUTHORIZED_KEY or mount $key_file" >&2
  exit 64
fi

[ -f /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -C "$(hostname)" -f /etc/ssh/ssh_host_ed25519_key

home=/home/sshpool
install -d -m 0700 -o sshpool -g sshpool "$home/.ssh"
printf '%s\n' "$authorized" > "$home/.ssh/authorized_keys"
chown sshpool:sshpool "$home/.ssh/authorized_keys"
chmod 0600 "$home/.ssh/authorized_keys"

mkdir -p /run/sshd
exec /usr/sbin/sshd -D -e
