# Redis for sshpool's workers (Debian's redis-server), with a password it refuses to start without:
#
#   docker build -f docker/redis.Dockerfile -t sshpool-redis docker
#   docker run -d -e SSHPOOL_REDIS_PASSWORD=... -p 127.0.0.1:26379:6379 sshpool-redis
#
# Anyone who can write to it can run commands on every host the workers reach: keep it on a network
# only the controller and the workers share, and use TLS (Redis's tls-port) where that network is not yours.
FROM debian:bookworm

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/*

COPY redis-entrypoint.sh /usr/local/bin/sshpool-redis-entrypoint
USER redis
ENTRYPOINT ["/usr/local/bin/sshpool-redis-entrypoint"]
