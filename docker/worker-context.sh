#!/usr/bin/env bash
# Fills docker/worker-context/ for docker/worker.Dockerfile: this machine's node (Node 20) and sshpool
# as `npm install` of this checkout's package makes it (its dependencies, and the ssh2 it bundles with
# patches/ applied). The image starts FROM debian:bookworm (docker/base.sh makes it where no registry can
# be reached), which has no Node 20 of its own: the binary is copied in.
#
#   bash docker/worker-context.sh && docker build -f docker/worker.Dockerfile -t sshpool-worker docker/worker-context
set -euo pipefail
cd "$(dirname "$0")/.."

context=docker/worker-context
rm -rf "$context"
mkdir -p "$context/app"

node_bin=$(command -v node)
case "$(node -p 'process.versions.node.split(".")[0]')" in
  20) ;;
  *) echo "worker-context.sh: $node_bin is Node $(node -v); the worker image needs Node 20" >&2; exit 1 ;;
esac
cp "$node_bin" "$context/node"

# The package's own build (its `prepare` without patch-package: node_modules is already patched here).
npm run --silent build
tarball=$(npm pack --ignore-scripts --silent --pack-destination "$context")
# No install scripts: ssh2's optional native binding stays unbuilt (it falls back to Node's crypto).
# A package.json of its own, or npm would install into the checkout above it.
echo '{ "private": true }' > "$context/app/package.json"
(cd "$context/app" && npm install --omit=dev --ignore-scripts --no-package-lock --no-audit --no-fund --silent "../$tarball")
rm "$context/$tarball"
echo "worker-context.sh: $context ready ($(du -sh "$context" | cut -f1))"
