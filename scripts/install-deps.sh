#!/usr/bin/env bash
# Installs everything attnscope needs from Debian packages (and npm, for browser tests only).
# Idempotent: packages already present are not reinstalled; safe to run before every build.
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake ccache pkg-config
  libtorch-dev                     # the numerical engine (CPU, Debian 12: 1.13)
  libopenblas0-pthread             # fast BLAS behind libtorch (Debian defaults to reference BLAS: 25x slower)
  nlohmann-json3-dev               # JSON for headers, configs, metadata
  libcairo2-dev fonts-dejavu-core  # static figures (PNG, SVG, PDF)
  libgtest-dev                     # unit tests
  python3-torch python3-numpy      # benchmarks and cross-checks against PyTorch / numpy
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
