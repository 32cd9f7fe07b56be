#!/usr/bin/env bash
# On the GPU machine (see prepare.sh): `receive` keeps what this call carried under ROUTE
# (default /tmp/gpu-route; it lasts while the machine stays warm), `install` joins the bpy
# wheel's parts, checks every file's SHA-256, unpacks Debian's Python 3.11 into ROUTE/python
# (not into /) and the wheels into ROUTE/site, and writes ROUTE/bin/python, which
# benchmarks/gpu.sh takes as PYTHON_BIN.
# Usage: bash benchmarks/gpu_route/device.sh receive | install | check
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
script=$repo/benchmarks/gpu_route/device.sh
route=${ROUTE:-/tmp/gpu-route}
case ${1:-} in
  receive)
    mkdir -p "$route"
    cp -r "$repo"/gpu-route/* "$route/"
    ls "$route"
    ;;
  install)
    cd "$route"
    wheel=$(ls part-00/*.whl.00 | sed 's|.*/||; s|\.00$||')
    cat part-*/"$wheel".* > "base/$wheel"
    (cd base && sha256sum -c --quiet SHA256SUMS)
    rm -rf python site bin && mkdir -p python site bin
    for deb in base/*.deb; do dpkg -x "$deb" python; done
    lib=$route/python/usr/lib/x86_64-linux-gnu:$route/python/lib/x86_64-linux-gnu
    cat > bin/python <<WRAP
#!/bin/sh
export LD_LIBRARY_PATH=$lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
export PYTHONPATH=$route/site\${PYTHONPATH:+:\$PYTHONPATH}
exec $route/python/usr/bin/python3.11 "\$@"
WRAP
    chmod +x bin/python
    for whl in base/*.whl; do
      bin/python -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])" \
        "$whl" site
    done
    rm "base/$wheel"
    "$script" check
    ;;
  check)
    "$route/bin/python" -c "import sys, bpy, numpy, PIL; print('Python', sys.version.split()[0], \
'Blender', bpy.app.version_string, 'numpy', numpy.__version__)"
    ;;
  *)
    echo "device.sh: receive, install or check" >&2
    exit 2
    ;;
esac
