#!/usr/bin/env bash
# The README's GPU figures in one command, on a GPU machine that may have no package registry.
#
# Usage: bash benchmarks/gpu.sh [STAGE ...]     STAGE: setup warm render quality workers (all)
#   WHEELS=DIR   install bpy, numpy and pillow from wheel files in DIR (no registry needed);
#                without it, pip asks PyPI for the bpy 4.5 wheel.
#   PYTHON_BIN=PATH   a Python that imports bpy already (benchmarks/gpu_route/device.sh's
#                ROUTE/bin/python, on a machine whose own Python is not 3.11): no venv.
#   OUT=DIR      where the tables go (default: ./gpu-figures); one .txt per stage.
#   BACKENDS="OPTIX CUDA"   the Cycles backends to measure.
#
# The first OptiX render of a machine compiles Cycles' kernels (about ten minutes on an H100
# with the 4.5 wheel; cached per machine under ~/.cache). `warm` does it once, timed, so the
# figures exclude it; CUDA ships compiled kernels. Run the stages in one go where a machine is
# lent for a short while only: the cache is lost with the machine.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$PWD/gpu-figures}
backends=${BACKENDS:-OPTIX CUDA}
venv=${VENV:-/tmp/identbox-gpu-venv}
stages=("$@")
[[ ${#stages[@]} -gt 0 ]] || stages=(setup warm render quality workers)
mkdir -p "$out"

# The repository root is the package: import it as `identbox` through a link of that name.
link=$(mktemp -d)
ln -s "$repo" "$link/identbox"
export PYTHONPATH=$link${PYTHONPATH:+:$PYTHONPATH}
export PYTHONUNBUFFERED=1
python=${PYTHON_BIN:-$venv/bin/python}

for stage in "${stages[@]}"; do
  case $stage in
    setup)
      if [[ ! -x $python ]]; then
        "${PYTHON:-python3.11}" -m venv "$venv"
        if [[ -n ${WHEELS:-} ]]; then
          "$python" -m pip install -q --no-index --find-links "$WHEELS" bpy numpy pillow
        else
          "$python" -m pip install -q 'bpy>=4.5,<4.6' numpy pillow
        fi
      fi
      { nvidia-smi -L || true; "$python" -c "import bpy; print('Blender', bpy.app.version_string)"; } \
        | tee "$out/setup.txt"
      ;;
    warm)  # one tiny frame per backend: kernel compile or load, timed and left out of the figures
      for backend in $backends; do
        start=$(date +%s)
        "$python" "$repo/benchmarks/render.py" --quick --no-cpu --gpu "$backend" > /dev/null
        echo "$backend kernels ready in $(( $(date +%s) - start )) s (first render of this machine)"
      done | tee "$out/warm.txt"
      ;;
    render)
      # shellcheck disable=SC2086  # one argument per backend
      "$python" "$repo/benchmarks/render.py" --no-cpu --gpu $backends | tee "$out/render.txt"
      ;;
    quality)
      "$python" "$repo/benchmarks/quality.py" | tee "$out/quality.txt"
      ;;
    workers)
      "$python" "$repo/benchmarks/workers.py" --gpu | tee "$out/workers.txt"
      ;;
    *)
      echo "gpu.sh: unknown stage $stage (setup warm render quality workers)" >&2
      exit 2
      ;;
  esac
done
echo "tables in $out"
