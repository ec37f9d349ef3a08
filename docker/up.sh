#!/usr/bin/env bash
# Brings up what the container tests and docker/compose*.yaml need, doing only what is
# missing: Debian's docker.io and docker-compose, a running dockerd, the debian:bookworm base image
# and the sshpool-sshd-target and sshpool-redis images. Safe to run again and from two shells at once.
set -euo pipefail
cd "$(dirname "$0")"

# One at a time: two runs would both debootstrap, or both start a dockerd.
exec 9>"${TMPDIR:-/tmp}/sshpool-docker-up.lock"
flock -w 900 9

need_apt=()
command -v dockerd >/dev/null 2>&1 || [ -x /usr/sbin/dockerd ] || need_apt+=(docker.io)
# Debian's compose is 1.29 (docker-compose), not the v2 plugin: docker/compose*.yaml are written for it.
command -v docker-compose >/dev/null 2>&1 || need_apt+=(docker-compose)
if [ "${#need_apt[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

if ! docker info >/dev/null 2>&1; then
  log=/var/log/sshpool-dockerd.log
  # Not a service here: started by hand, detached so that it outlives this script. It must
  # not inherit the lock's descriptor, or it would hold the lock for as long as it runs.
  setsid nohup "$(command -v dockerd || echo /usr/sbin/dockerd)" >"$log" 2>&1 </dev/null 9>&- &
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    echo "up.sh: dockerd did not come up within 60 s; the end of $log:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
fi

bash ./base.sh
# Cached layers make this a second's work when nothing changed.
docker build -q -t sshpool-sshd-target . >/dev/null
docker build -q -f redis.Dockerfile -t sshpool-redis . >/dev/null
echo "up.sh: engine running, images sshpool-sshd-target and sshpool-redis ready"
