# An sshpool worker: takes the hosts `sshpool run --redis` queues and works on them from here, with the
# keys, known_hosts and ssh_config in /home/sshpool/.ssh (mount them, owned by uid 1000).
#
#   bash docker/worker-context.sh && docker build -f docker/worker.Dockerfile -t sshpool-worker docker/worker-context
#   docker run -d -e SSHPOOL_REDIS='redis://:PASSWORD@queue:6379' -v /srv/fleet-ssh:/home/sshpool/.ssh:ro sshpool-worker -f 64
#
# Arguments after the image name go to `sshpool worker`; SIGTERM (docker stop) finishes the running hosts:
# give it `--time` as long as the runs' longest --timeout.
FROM debian:bookworm

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*

COPY node /usr/local/bin/node
COPY app /opt/sshpool
RUN ln -s /opt/sshpool/node_modules/.bin/sshpool /usr/local/bin/sshpool \
 && useradd --uid 1000 --create-home --shell /usr/sbin/nologin sshpool

USER sshpool
WORKDIR /home/sshpool
ENTRYPOINT ["sshpool", "worker"]
