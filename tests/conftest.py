"""Shared helpers: the repository root, statistical checks, and running the real Blender."""

from __future__ import annotations

import contextlib
import importlib.abc
import json
import os
import shlex
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
RESULT_MARK = "IDENTBOX_TEST_RESULT "


def load_benchmark(name: str) -> Any:
    """benchmarks/NAME.py as a module (the fidelity tests use its functions)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_close(estimate: float, expected: float, standard_error: float, what: str,
                 k: float = 5.0) -> None:
    """|estimate - expected| within k standard errors (k = 5: a fixed seed never flakes, a real
    bias of a few percent at n = 20,000 still fails)."""
    assert abs(estimate - expected) <= k * standard_error, (
        f"{what}: {estimate:.4f} vs expected {expected:.4f} (tolerance {k * standard_error:.4f})")


def se_mean(x: np.ndarray) -> float:
    """Standard error of a sample mean."""
    return float(np.std(x) / np.sqrt(x.size))


def se_corr(rho: float, n: int) -> float:
    """Large-sample standard error of a Pearson correlation."""
    return (1.0 - rho**2) / np.sqrt(n)


def se_std(x: np.ndarray) -> float:
    """Delta-method standard error of a sample standard deviation."""
    d2 = (x - x.mean()) ** 2
    return float(np.std(d2) / (2.0 * np.sqrt(d2.mean()) * np.sqrt(x.size)))


def blender_env(user_resources: Path) -> dict[str, str]:
    """Environment for a Blender subprocess that never touches a real user configuration."""
    env = dict(os.environ)
    env["BLENDER_USER_RESOURCES"] = str(user_resources)
    return env


# The bpy 4.2 wheel crashes (SIGSEGV) after any script that registered a property with a Python
# callback, even unregistered again: at exit its C++ static destructors call into the finalised
# Python (SpaceType -> bpy_class_free -> PyGILState_Ensure). Five lines of plain bpy show it; the
# 4.5 and 5.2 wheels exit cleanly after these scripts. A script that reached its end succeeded,
# so on 4.2 it leaves before those destructors; one that failed still exits non-zero.
EPILOGUE = """
import os as _os, bpy as _bpy
if _bpy.app.version < (4, 3, 0):
    sys.stdout.flush()
    sys.stderr.flush()
    _os._exit(0)
"""


def run_blender(script: str, tmp_path: Path, *args: str) -> dict:
    """Run `script` in a fresh Python with the real bpy wheel; return the JSON it reported
    with `report(obj)`. Each run is a new process: Blender state never leaks between tests."""
    prelude = textwrap.dedent(f"""
        import json, sys
        def report(obj):
            print({RESULT_MARK!r} + json.dumps(obj), flush=True)
    """)
    user = tmp_path / "blender_user"
    user.mkdir(exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(script) + EPILOGUE, *args],
        env=blender_env(user), capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, f"Blender script failed:\n{proc.stdout}\n{proc.stderr}"
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_MARK)]
    assert lines, f"the script reported nothing:\n{proc.stdout}\n{proc.stderr}"
    result = json.loads(lines[-1][len(RESULT_MARK):])
    result["_output"] = proc.stdout + proc.stderr
    return result


def extension_cli() -> Path:
    """The extension CLI bundled in the bpy wheel (blender_ext.py)."""
    import importlib.util

    spec = importlib.util.find_spec("bpy")
    assert spec is not None and spec.submodule_search_locations, "the bpy wheel is not installed"
    base = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(base.glob("*/scripts/addons_core/bl_pkg/cli/blender_ext.py"))
    assert found, f"no blender_ext.py under {base}"
    return found[-1]


@pytest.fixture(scope="session")
def extension_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one zip for every Blender, as `make extension` builds it: Blender's own CLI, then
    .ci/one_zip.py. `make blenders` passes the zip it built once (IDENTBOX_EXTENSION_ZIP), so
    each wheel installs that very file."""
    import runpy

    built = os.environ.get("IDENTBOX_EXTENSION_ZIP")
    if built:
        assert Path(built).is_file(), f"IDENTBOX_EXTENSION_ZIP={built!r} is not a file"
        return Path(built)
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, str(extension_cli()), "build", "--source-dir", str(REPO),
                           "--output-dir", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (zip_path,) = out.glob("identbox-*.zip")
    return Path(runpy.run_path(str(REPO / ".ci" / "one_zip.py"))["one_zip"](zip_path))


def _apt_install(*packages: str) -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True, env=env,
                   capture_output=True)


@pytest.fixture(scope="session")
def debian_blender() -> str:
    """Debian's windowed Blender (3.4), installed once if missing, with the numpy it lacks."""
    import shutil

    probe = "import numpy"
    blender = shutil.which("blender")
    ok = blender and subprocess.run(
        [blender, "-b", "--factory-startup", "--python-exit-code", "1", "--python-expr", probe],
        capture_output=True).returncode == 0
    if not ok:
        _apt_install("blender", "python3-numpy")
        blender = shutil.which("blender")
    assert blender, "Debian's blender did not install"
    return blender


def _pid_from(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory: pytest.TempPathFactory):
    """A one-node SLURM cluster on this host: Debian's slurm-wlm and munge installed when
    missing, a slurm.conf in a temporary folder, munged, slurmctld and slurmd started here,
    and exactly those stopped afterwards. Yields the environment to run SLURM commands in."""
    import shutil
    import signal
    import socket
    import time

    if os.geteuid() != 0:
        pytest.skip("starting slurmctld and slurmd needs root")
    if not (shutil.which("slurmctld") and shutil.which("munged")):
        _apt_install("slurm-wlm", "munge")
    root = tmp_path_factory.mktemp("slurm")
    host = socket.gethostname().split(".")[0]
    for folder in ("state", "spool", "log", "run"):
        (root / folder).mkdir()
    conf = root / "slurm.conf"
    conf.write_text(textwrap.dedent(f"""\
        ClusterName=identboxtest
        SlurmctldHost={host}
        SlurmUser=root
        SlurmdUser=root
        AuthType=auth/munge
        StateSaveLocation={root}/state
        SlurmdSpoolDir={root}/spool
        SlurmctldPidFile={root}/run/slurmctld.pid
        SlurmdPidFile={root}/run/slurmd.pid
        SlurmctldLogFile={root}/log/slurmctld.log
        SlurmdLogFile={root}/log/slurmd.log
        SlurmctldPort=16917
        SlurmdPort=16918
        ProctrackType=proctrack/linuxproc
        TaskPlugin=task/none
        SelectType=select/cons_tres
        SelectTypeParameters=CR_Core
        JobAcctGatherType=jobacct_gather/none
        AccountingStorageType=accounting_storage/none
        JobCompType=jobcomp/none
        MpiDefault=none
        ReturnToService=2
        NodeName={host} CPUs={os.cpu_count()} RealMemory=1000 State=UNKNOWN
        PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP
        """))
    env = dict(os.environ, SLURM_CONF=str(conf))
    started_munge = None
    # A working munged answers a credential round trip (a dead one can linger as a zombie).
    munge_works = subprocess.run("munge -n | unmunge", shell=True,
                                 capture_output=True).returncode == 0
    if not munge_works:
        Path("/run/munge").mkdir(parents=True, exist_ok=True)
        shutil.chown("/run/munge", "munge", "munge")
        subprocess.run(["su", "-s", "/bin/sh", "munge", "-c", "/usr/sbin/munged"], check=True)
        started_munge = _pid_from(Path("/run/munge/munged.pid"))
    subprocess.run(["slurmctld", "-f", str(conf)], env=env, check=True)
    subprocess.run(["slurmd", "-f", str(conf)], env=env, check=True)
    deadline = time.monotonic() + 60
    while True:
        state = subprocess.run(["sinfo", "-h", "-o", "%t"], env=env, capture_output=True,
                               text=True).stdout.strip()
        if state == "idle":
            break
        if time.monotonic() > deadline:
            pytest.fail(f"the SLURM node never became idle ({state!r}); see {root}/log")
        time.sleep(0.5)
    previous = os.environ.get("SLURM_CONF")
    os.environ["SLURM_CONF"] = str(conf)
    yield env
    if previous is None:
        os.environ.pop("SLURM_CONF", None)
    else:
        os.environ["SLURM_CONF"] = previous
    for pid in (_pid_from(root / "run" / "slurmd.pid"), _pid_from(root / "run" / "slurmctld.pid"),
                started_munge):
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)


BLENDER_SCRIPTS = Path(__file__).resolve().parent / "blender_scripts"


def run_blender_file(name: str, tmp_path: Path, *args: str) -> dict:
    """Run `main(args)` of the module tests/blender_scripts/<name>.py as run_blender runs a
    script, and return the dict it returns: Blender-side code kept in files is linted and
    typed, where code in strings was not. The scripts import each other from that folder."""
    return run_blender(f"""
        import importlib
        sys.path.insert(0, {str(BLENDER_SCRIPTS)!r})
        report(importlib.import_module({name!r}).main(sys.argv[1:]))
    """, tmp_path, *args)


# Markers that tell the truth: a test not marked `blender` cannot start Blender. While it sets
# up and runs, `import bpy` fails, in this process and in every subprocess (a stand-in `bpy`
# first on PYTHONPATH), and so does a `blender` found on the PATH; the message names the marker.
# `pytest -m "not blender"` therefore runs without Blender, or fails saying which test needs it.
UNMARKED = ("this test starts Blender (bpy or a blender executable) but is not marked "
            "@pytest.mark.blender")


class _NoBlender(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "bpy" or name.startswith("bpy."):
            raise ImportError(UNMARKED)


def _stand_ins() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="identbox-no-blender-"))
    (folder / "bpy").mkdir()
    (folder / "bpy" / "__init__.py").write_text(f"raise ImportError({UNMARKED!r})\n")
    blender = folder / "blender"
    blender.write_text(f"#!/bin/sh\necho {shlex.quote(UNMARKED)} >&2\nexit 1\n")
    blender.chmod(0o755)
    return folder


_STAND_INS: list[Path] = []


@contextlib.contextmanager
def _without_blender(item: pytest.Item):
    if item.get_closest_marker("blender") is not None:
        yield
        return
    if not _STAND_INS:
        _STAND_INS.append(_stand_ins())
    folder = str(_STAND_INS[0])
    saved = {name: os.environ.get(name) for name in ("PYTHONPATH", "PATH", "BLENDER")}
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [folder, saved["PYTHONPATH"]]))
    os.environ["PATH"] = os.pathsep.join(filter(None, [folder, saved["PATH"]]))
    os.environ.pop("BLENDER", None)
    finder = _NoBlender()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that runs in every Blender runs in Blender: every_blender implies blender."""
    for item in items:
        if item.get_closest_marker("every_blender") and not item.get_closest_marker("blender"):
            item.add_marker(pytest.mark.blender)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    with _without_blender(item):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item):
    with _without_blender(item):
        yield


def pytest_unconfigure(config: pytest.Config) -> None:
    import shutil

    for folder in _STAND_INS:
        shutil.rmtree(folder, ignore_errors=True)
