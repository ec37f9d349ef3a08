#!/usr/bin/env bash
# Makes sure the image debian:bookworm exists for `FROM debian:bookworm`: pulled where a
# registry can be reached, else made here from Debian's packages (debootstrap from the
# mirror apt already uses), since a machine without registry access cannot pull it.
set -euo pipefail

image=debian:bookworm
suite=bookworm

docker image inspect "$image" >/dev/null 2>&1 && exit 0
if docker pull "$image" >/dev/null 2>&1; then
  echo "base.sh: pulled $image"
  exit 0
fi
echo "base.sh: cannot pull $image; making it with debootstrap"

# The first mirror apt's sources list for the suite (deb822 .sources files, then one-line .list files).
apt_mirror() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -r "$file" ] || continue
    awk -v suite="$suite" 'BEGIN { RS = ""; FS = "\n" }
      {
        uris = ""; deb = 0; has_suite = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uris = u[1] }
          if ($i ~ /^Types:/ && $i ~ /[ \t]deb([ \t]|$)/) deb = 1
          if ($i ~ /^Suites:/ && (" " $i " ") ~ ("[ \t]" suite "[ \t]")) has_suite = 1
        }
        if (deb && has_suite && uris != "") { print uris; exit }
      }' "$file"
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    if [ -r "$file" ]; then cat "$file"; fi
  done | awk -v suite="$suite" '$1 == "deb" { sub(/\[[^]]*\][ \t]*/, ""); if ($3 == suite) { print $2; exit } }'
}

mirror=${SSHPOOL_DEBIAN_MIRROR:-$(apt_mirror | sed -n 1p)}
if [ -z "$mirror" ]; then
  echo "base.sh: no apt source for $suite found; set SSHPOOL_DEBIAN_MIRROR to a Debian mirror URL" >&2
  exit 1
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends debootstrap
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/sshpool-debootstrap.XXXXXX")
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.log" 2>&1 || {
  tail -n 30 "$root.log" >&2
  rm -f "$root.log"
  exit 1
}
rm -f "$root.log"
tar -C "$root" -c . | docker import - "$image" >/dev/null
echo "base.sh: made $image from $mirror"
