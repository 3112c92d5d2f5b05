#!/usr/bin/env bash
# Installs the Debian packages mdsim needs, if any is missing. Idempotent and silent when all
# are present. Called by run_tests and run_bench.py; safe to run by hand.
set -euo pipefail
pkgs=(cmake g++ make git libabsl-dev nlohmann-json3-dev libbenchmark-dev libgtest-dev
      python3 python3-matplotlib python3-pytest mdadm fio)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "bootstrap: installing Debian packages: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "bootstrap: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
