#!/usr/bin/env bash
# The GPU machine's route to bpy (issue 31), prepared here: it has Python 3.12 and no package
# registry, bpy 4.5 needs Python 3.11, and one device call carries at most 64 MiB. This puts
# into gpu-route/ (git-ignored, named in each call's `carry`):
#   gpu-route/base/     Debian's python3.11 packages, the numpy and pillow wheels, SHA256SUMS
#   gpu-route/part-NN/  the bpy wheel in pieces of PART_MIB (default 55) MiB
# benchmarks/gpu_route/device.sh receives them on the warm machine, one call each, joins,
# checks and unpacks them, and benchmarks/gpu.sh measures with PYTHON_BIN set.
# Usage: bash benchmarks/gpu_route/prepare.sh      (about 400 MB of downloads; run as root)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
route=$repo/gpu-route
part_mib=${PART_MIB:-55}
python=${PYTHON:-$repo/.venv/bin/python}
rm -rf "$route"
mkdir -p "$route/base" "$route/wheels"
# Debian's Python 3.11 and the libraries it loads that a bare machine may lack.
(cd "$route/base" && apt-get download -q python3.11-minimal libpython3.11-minimal \
  libpython3.11-stdlib python3.11 libpython3.11 libffi8 libssl3 libsqlite3-0 libbz2-1.0 \
  liblzma5 libexpat1 zlib1g libncursesw6 libtinfo6 libreadline8 libuuid1 media-types)
"$python" -m pip download -q --no-deps --only-binary :all: --python-version 3.11 \
  --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 \
  --platform manylinux_2_17_x86_64 -d "$route/wheels" \
  "bpy==${BPY_VERSION:-4.5.15}" "numpy==1.26.4" "pillow==13.0.0"
mv "$route"/wheels/numpy-*.whl "$route"/wheels/pillow-*.whl "$route/base/"
wheel=$(ls "$route"/wheels/bpy-*.whl)
(cd "$route/base" && sha256sum ./*.deb ./*.whl > SHA256SUMS && \
  (cd "$route/wheels" && sha256sum "$(basename "$wheel")") >> SHA256SUMS)
split -b "${part_mib}M" -d -a 2 "$wheel" "$route/wheels/piece-"
for piece in "$route"/wheels/piece-*; do
  number=${piece##*-}
  mkdir -p "$route/part-$number"
  mv "$piece" "$route/part-$number/$(basename "$wheel").$number"
done
rm "$wheel"
rmdir "$route/wheels"
du -sh "$route"/* | sed "s|$repo/||"
echo "carry gpu-route/base in the first call, then gpu-route/part-NN one call each"
