#!/usr/bin/env bash
# Builds (once per machine) the Debian sid root that CI runs the tests on CPython 3.14 and 3.15 in,
# and prints its path. The root is keyed by everything it is made from (packages, wheels, this
# script), lives outside /tmp and every work tree, and is only ever entered through
# scripts/sid-python (a private mount namespace: nothing stays mounted).
#   scripts/sid-root.sh          build if missing, print the root
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# The -dev packages carry CPython's real headers: check-pylayout checks the debug-offsets structures
# pystack.c reads against them.
packages="python3.14,python3.14-venv,python3.14-dev,python3.15,python3.15-venv,python3.15-dev,libunwind8,libstdc++6"
wheels="numpy==2.5.5 numba==0.68.1"
venvs="3.14:/opt/v314 3.15:/opt/v315"
recipe=1 # raise when the steps below change what the root holds
key=$(echo "$recipe|$packages|$wheels|$venvs" | sha256sum | cut -c1-16)
cache=${NONATIVELEAK_ROOT_CACHE:-/var/cache/nonativeleak}
root="$cache/sid-$key"

if [ -e "$root/.complete" ]; then echo "$root"; exit 0; fi
[ "$(id -u)" = 0 ] || { echo "NoNativeLeak's sid root needs root (debootstrap, chroot): run as root or pass -DskipSidTests" >&2; exit 1; }
command -v debootstrap >/dev/null 2>&1 || {
  apt-get update -q >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null; }
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
[ -e "$root/.complete" ] && { echo "$root"; exit 0; }

partial="$root.partial"
# A partial root is only ever deleted when nothing is mounted below it.
if [ -e "$partial" ]; then
  if grep -qF " $partial/" /proc/mounts || grep -qF " $partial " /proc/mounts; then
    echo "NoNativeLeak: $partial has live mounts; unmount them before rebuilding" >&2; exit 1
  fi
  rm -rf --one-file-system "$partial"
fi
echo "Building the sid root $root (debootstrap, about a minute, then the wheels)" >&2
debootstrap --variant=minbase --include="$packages" sid "$partial" >"$cache/debootstrap-$key.log" 2>&1 ||
  { echo "debootstrap failed: see $cache/debootstrap-$key.log" >&2; exit 1; }
# The host's resolver and CA bundle (a proxy's CA may be in it): pip inside uses them.
cp /etc/resolv.conf "$partial/etc/resolv.conf"
mkdir -p "$partial/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$partial/etc/ssl/certs/ca-certificates.crt"
# chroot without /proc and /dev mounts: venv and pip need neither; scripts/sid-python binds /proc
# when the tests run.
for venv in $venvs; do
  version=${venv%%:*} dir=${venv#*:}
  chroot "$partial" "python$version" -m venv "$dir"
  env -u PIP_FIND_LINKS PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    chroot "$partial" "$dir/bin/pip" install -q --disable-pip-version-check $wheels
done
chroot "$partial" apt-get clean
touch "$partial/.complete"
mv "$partial" "$root"
echo "$root"
