"""Run the render loop without a user interface: in this process when `bpy` is importable
(the bpy wheel, or inside Blender), otherwise in a `blender -b` child with this package's code."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..console import Bar, quiet_stdout, stderr_is_terminal
from ..dataset.writing.writer import check_output_folder
from ..errors import SettingsError
from ..settings.kinds import kind_of
from ..settings.parts import as_job, as_renderer
from ..settings.render import RunOptions
from ..settings.views import image_views
from .loop import ImageJob, Progress, Renderer

PACKAGE_DIR = Path(__file__).resolve().parents[1]

# Loads this package under the name `identbox` inside any Blender without touching sys.path.
LOAD_PACKAGE = """\
import importlib.util, sys
spec = importlib.util.spec_from_file_location(
    "identbox", {init!r}, submodule_search_locations=[{package!r}])
module = importlib.util.module_from_spec(spec)
sys.modules["identbox"] = module
spec.loader.exec_module(module)
"""
# ...then runs the same command line with the arguments after `--`.
BOOTSTRAP = LOAD_PACKAGE + """\
from identbox.cli import main
sys.exit(main(sys.argv[sys.argv.index("--") + 1:]))
"""


def load_package_code() -> str:
    """Python code that loads this checkout as `identbox` (for scripts run inside Blender)."""
    return LOAD_PACKAGE.format(init=str(PACKAGE_DIR / "__init__.py"), package=str(PACKAGE_DIR))


def bpy_importable() -> bool:
    """True inside Blender or with the bpy wheel installed."""
    return "bpy" in sys.modules or importlib.util.find_spec("bpy") is not None


def find_blender(explicit: str | None) -> str:
    """The Blender executable: --blender, else $BLENDER, else `blender` on the PATH."""
    candidate = explicit or os.environ.get("BLENDER") or shutil.which("blender")
    if not candidate:
        raise SettingsError("blender", None, "a Blender executable (--blender PATH or $BLENDER), "
                            "or the bpy module (make demo installs it)")
    if not (Path(candidate).is_file() and os.access(candidate, os.X_OK)) \
            and not shutil.which(candidate):
        raise SettingsError("blender", candidate, "an executable Blender")
    if blender_version(candidate) is None:
        raise SettingsError("blender", candidate, f"a Blender executable (`{candidate} "
                            "--version` printed no Blender version)")
    return candidate


def blender_version(executable: str) -> tuple[int, int] | None:
    """(major, minor) that `EXECUTABLE --version` prints, or None if it is not Blender."""
    try:
        done = subprocess.run([executable, "--version"], capture_output=True, text=True,
                              timeout=120, errors="replace")
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"^Blender (\d+)\.(\d+)", done.stdout, re.MULTILINE)
    return (int(found[1]), int(found[2])) if found and done.returncode == 0 else None


def without_option(argv: Sequence[str], option: str) -> list[str]:
    """The arguments minus `option` and its value (`--option V` or `--option=V`)."""
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == option:
            skip = True
        elif not arg.startswith(f"{option}="):
            kept.append(arg)
    return kept


def without_blender_option(argv: Sequence[str]) -> list[str]:
    """The arguments minus --blender (the child is that Blender already)."""
    return without_option(argv, "--blender")


def script_command(code: str, argv: Sequence[str], blender: str | None = None) -> list[str]:
    """A command line running Python `code` in a new process, `argv` after `--`: in
    `blender -b` when `blender` is given, else in this Python (which imports bpy)."""
    if blender:
        return [blender, "-b", "--factory-startup", "--python-exit-code", "1",
                "--python-expr", code, "--", *argv]
    return [sys.executable, "-c", code, "--", *argv]


def identbox_command(blender: str | None, argv: Sequence[str]) -> list[str]:
    """A command line running `python -m identbox ARGV` in a new process: in `blender -b`
    when `blender` is given, else in this Python (which imports bpy); this checkout's code
    either way, wherever the process starts."""
    code = BOOTSTRAP.format(init=str(PACKAGE_DIR / "__init__.py"), package=str(PACKAGE_DIR))
    return script_command(code, argv, blender)


def gpu_found(blender: str | None) -> bool:
    """True when Cycles finds a GPU: asked in this process when bpy imports here, else in a
    short `blender -b` run."""
    if not blender:
        from ..scene.device import gpu_available

        return gpu_available()
    code = load_package_code() + (
        "from identbox.scene.device import gpu_available\n"
        "print('IDENTBOX-GPU', gpu_available())\n")
    try:
        done = subprocess.run([blender, "-b", "--factory-startup", "--python-expr", code],
                              capture_output=True, text=True, timeout=300, errors="replace")
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "IDENTBOX-GPU True" in done.stdout


def run_in_blender(blender: str, argv: Sequence[str]) -> int:
    """Run `python -m identbox ARGV` inside `blender -b`; return its exit status."""
    status = subprocess.call(identbox_command(blender, argv))
    if status < 0:  # killed by a signal: it could not say why itself
        raise RuntimeError(f"{blender} was stopped by signal {-status} "
                           f"({signal.strsignal(-status)}) before the command finished")
    return status


class ThrottledPrinter:
    """Prints progress lines at most every `interval` seconds, and the last one once; or, with
    `bar` (stderr is a terminal), moves a progress bar instead."""

    def __init__(self, write: Callable[[str], None], interval: float = 2.0,
                 unit: str = "pairs", bar: bool = False) -> None:
        self.write = write
        self.interval = interval
        self.unit = unit
        self.last = 0.0
        self.finished = False
        self.use_bar = bar
        self.bar: Bar | None = None

    def __call__(self, progress: Progress) -> None:
        if self.use_bar:
            if self.bar is None:
                self.bar = Bar(progress.total, "render", self.unit, progress.done)
            self.bar.show(progress.done, progress.total)
            return
        now = time.monotonic()
        if progress.done == progress.total:
            if self.finished:
                return
            self.finished = True
        elif now - self.last < self.interval:
            return
        self.last = now
        self.write(f"render: {progress.line(self.unit)}")


def run_quietly(job: ImageJob, renderer: Any, log: Callable[[str], None], unit: str,
                should_stop: Callable[[], bool] | None = None) -> Progress:
    """Run a job with throttled progress lines and Blender's own prints silenced."""
    with quiet_stdout():
        progress = job.run(renderer, on_progress=ThrottledPrinter(log, unit=unit,
                                                                  bar=stderr_is_terminal()),
                           should_stop=should_stop)
    if job.rendered:
        seconds = renderer.render_seconds
        overhead = progress.elapsed / seconds if seconds else 0.0
        log(f"render: drew {job.rendered} {unit} in {progress.elapsed:.1f} s "
            f"({job.rendered / progress.elapsed:.2f} {unit}/s; loop/Cycles time "
            f"{overhead:.2f})")
    return progress


def make_renderer(settings: Any, device: str, log: Callable[[str], None]) -> Renderer:
    """The Blender renderer of the job's kind (builds its scene)."""
    renderer: Renderer = as_renderer(kind_of(settings).renderer)(settings, device,
                                                                           log=log)
    return renderer


def start_job(settings: Any, out: Path, options: RunOptions, log: Callable[[str], None],
              **job_options: Any) -> ImageJob:
    """Write the latents or labels and find this shard's pending items; log what the run
    will do. `job_options` go to the kind's job (a pair dataset's: `only`, a range of pairs;
    `extra` manifest entries; `restore` damaged latents from the manifest)."""
    kind = kind_of(settings)
    job: ImageJob = as_job(kind.job)(settings, out, options, **job_options)
    for note in job.notes:
        log(f"render: {note}")
    first = job.progress()
    log(f"render: {settings.name}, shard {options.batch_index} of {options.n_batches}: "
        f"{first.total} {kind.unit}, {first.done} already done, {settings.summary()}, "
        f"into {out}")
    return job


def render_in_process(settings: Any, out: Path, options: RunOptions,
                      log: Callable[[str], None], should_stop: Callable[[], bool] | None = None,
                      **job_options: Any) -> Progress:
    """Build the scene (device chosen first, so a bad device writes nothing), write the
    latents or labels, then render this shard's pending items (see start_job). A dataset of
    text views alone is written in plain Python: there is nothing for Blender to draw."""
    if kind_of(settings).pairs and not image_views(settings):
        job = start_job(settings, out, options, log, **job_options)
        log(f"render: text views only: {settings.n_pairs} sentences per view written in {out}")
        return job.progress()
    check_output_folder(out)
    said: list[str] = []  # the device's line, said once the job is accepted: a refusal
    renderer = make_renderer(settings, options.device, said.append)  # is the only line
    job = start_job(settings, out, options, log, **job_options)
    for line in said:
        log(line)
    return run_quietly(job, renderer, log, kind_of(settings).unit, should_stop)
