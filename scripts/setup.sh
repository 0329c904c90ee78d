#!/usr/bin/env bash
# Installs everything referee needs on a fresh Debian machine: the C++ toolchain and
# libraries from apt, the Python build tooling and test oracles from PyPI.
# Idempotent: packages already present are left alone.
set -euo pipefail

apt_packages=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev libboost-math-dev nlohmann-json3-dev doctest-dev
  libbenchmark-dev
  clang libclang-rt-14-dev  # libFuzzer and the sanitizer runtimes (scripts/fuzz.sh)
  chromium                  # the HTML report measured and screenshotted headless (tests/python/test_report_in_browser.py)
  openjdk-17-jre-headless   # pyspark's local mode (issue 16)
)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python3 -m pip install -q --disable-pip-version-check -r "$(dirname "$0")/requirements-dev.txt"
