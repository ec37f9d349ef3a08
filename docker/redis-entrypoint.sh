#!/bin/sh
# Starts redis-server with the password from $SSHPOOL_REDIS_PASSWORD, given on its standard input as
# a config line, not as an argument that ps would show.
set -eu
if [ -z "${SSHPOOL_REDIS_PASSWORD:-}" ]; then
  echo 'sshpool-redis: set SSHPOOL_REDIS_PASSWORD' >&2
  exit 64
fi
case "$SSHPOOL_REDIS_PASSWORD" in
  *[\"\\[:space:]]*) echo 'sshpool-redis: SSHPOOL_REDIS_PASSWORD may not hold quotes, backslashes or spaces' >&2; exit 64 ;;
esac
# noeviction: BullMQ's keys must never be evicted to make room (BullMQ warns on any other policy).
printf 'requirepass "%s"\n' "$SSHPOOL_REDIS_PASSWORD" | exec redis-server - \
  --bind 0.0.0.0 --port 6379 --protected-mode no --dir /var/lib/redis --appendonly yes --maxmemory-policy noeviction
