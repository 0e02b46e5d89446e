#!/usr/bin/env bash
# Installs the Debian packages cxsim needs, only those that are missing.
# Works as root or through sudo. Nothing is downloaded at build time; this is the only network step.
set -euo pipefail

packages=(
  # C++ toolchain and build
  g++ cmake ninja-build pkg-config
  clang libclang-rt-14-dev   # libFuzzer harnesses (scripts/fuzz.sh)
  # libraries the core and the I/O layer link
  libboost-random-dev libboost-math-dev libtbb-dev libhdf5-dev hdf5-tools
  libcli11-dev catch2 libtomlplusplus-dev librandom123-dev libnlopt-cxx-dev libssl-dev
  # ensembles across MPI ranks (CXSIM_WITH_MPI, docs/cluster.md)
  libopenmpi-dev openmpi-bin
  # Python module, tests and notebooks (Debian's /usr/bin/python3)
  python3 python3-dev pybind11-dev python3-numpy python3-pandas python3-h5py
  python3-matplotlib python3-pytest python3-pytest-xdist python3-nbclient python3-nbformat python3-ipykernel
  python3-scipy python3-xarray
  # the report test renders HTML in a headless browser
  chromium
  # packaging tests (cpack -G DEB with dpkg-shlibdeps; pip install into a scratch venv) and the
  # format check
  dpkg-dev python3-pip python3-venv python3-setuptools python3-wheel clang-format
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo" >&2
  exit 2
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
