"""One dataset as a SLURM job array: the latents are sampled once, each array task renders
one shard with the ordinary `render` command, and a finalize job (after all tasks, whatever
their fate) validates the dataset and writes a summary. Status and resubmission read the
files themselves, so they work without SLURM's accounting database."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import time
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..dataset.files.layout import MANIFEST
from ..dataset.files.manifest import read_any_manifest, settings_from_manifest
from ..errors import DatasetError, SettingsError
from ..jsonfile import UnreadableJSONError, read_json
from ..limits import Limit
from ..render.loop import shard_indices
from ..settings.contract import KindSettings
from ..settings.kinds import kind_of
from ..settings.parts import as_complete, as_validate, as_write
from ..settings.render import WORKERS

SLURM_DIR = "slurm"
SUBMISSION = "submission.json"
SUMMARY = "summary.json"
_TASK_ID = '"$SLURM_ARRAY_TASK_ID"'
SHARDS = Limit("shards", "Shards", "Array tasks (shards) to split the pairs into", 1, 1, 100_000)


class SlurmError(RuntimeError):
    """A SLURM command failed or is missing."""


@dataclass(frozen=True)
class SlurmOptions:
    """How the array is submitted: shards and the sbatch resources of each task."""

    shards: int
    partition: str | None = None
    gpus_per_task: int = 0
    cpus_per_task: int = 1
    time: str | None = None
    blender: str | None = None
    extra_sbatch: str | None = None
    device: str = "auto"
    workers: int = WORKERS.default  # per task, 0: auto (see settings/render.py)

    def __post_init__(self) -> None:
        SHARDS.check(self.shards)
        WORKERS.check(self.workers)
        if self.gpus_per_task < 0 or self.cpus_per_task < 1:
            raise SettingsError("gpus_per_task/cpus_per_task",
                                (self.gpus_per_task, self.cpus_per_task),
                                "gpus >= 0 and cpus >= 1 per task")
        for name in ("partition", "time", "blender", "extra_sbatch"):
            _refuse_control_characters(name, getattr(self, name))
        if self.partition is not None and not _PARTITIONS.fullmatch(self.partition):
            raise SettingsError("partition", self.partition, "partition names (letters, digits, "
                                "'_', '-', '.'), separated by commas")
        _extra_options(self.extra_sbatch)


_PARTITIONS = re.compile(r"[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*")


def _refuse_control_characters(setting: str, value: str | None) -> None:
    """A newline (or any control character) in a value written into a job script would end its
    line there and start a new one that SLURM or the shell reads as something else."""
    if value and any(unicodedata.category(char) == "Cc" for char in value):
        raise SettingsError(setting, value, "text without newlines or other control "
                                            "characters (it is written into the SLURM script)")


def _extra_options(extra_sbatch: str | None) -> list[str]:
    """--extra-sbatch split as a shell would, or a SettingsError (e.g. an unclosed quote)."""
    try:
        return shlex.split(extra_sbatch or "")
    except ValueError as error:
        raise SettingsError("extra_sbatch", extra_sbatch,
                            f"sbatch options quoted as in a shell ({error})") from None


def _check_root(root: Path) -> None:
    """The dataset folder goes into #SBATCH --output, where SLURM drops a backslash (it means
    'no %-patterns') and a control character would end the line."""
    _refuse_control_characters("out", str(root))
    if "\\" in str(root):
        raise SettingsError("out", str(root), "a folder without a backslash: SLURM's --output "
                                              "treats it as an escape, so the logs would go astray")


_PLAIN = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")


def _sbatch_word(text: str) -> str:
    """`text` as one argument of an #SBATCH line: sbatch splits these lines like a shell, with
    double quotes and backslash escapes, and ends them at an unquoted '#'. (The shell reads the
    line as a comment, so only sbatch's reading matters.)"""
    if _PLAIN.fullmatch(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _output_pattern(path: Path) -> str:
    """A literal path for --output/--error: '%' starts a SLURM pattern, '%%' is a '%'."""
    return str(path).replace("%", "%%")


def _run(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise SlurmError(f"{command[0]} not found: is SLURM installed here?") from None
    if done.returncode != 0:
        raise SlurmError(f"{' '.join(command)} failed: {done.stderr.strip() or done.stdout}")
    return done.stdout.strip()


def _sbatch_accepts(script: str) -> None:
    """sbatch's own reading of the job script (--test-only: it checks the partition, time and
    other options against the cluster and submits nothing), so a refusal comes before the
    latents and scripts are written, not after."""
    try:
        done = subprocess.run(["sbatch", "--test-only"], input=script, capture_output=True,
                              text=True, timeout=60)
    except FileNotFoundError:
        raise SlurmError("sbatch not found: is SLURM installed here?") from None
    if done.returncode != 0:
        said = " ".join(done.stderr.split()) or f"exit status {done.returncode}"
        raise DatasetError(f"sbatch refuses the job, so nothing was written: {said}")


def render_script(root: Path, options: SlurmOptions) -> str:
    """The job-array script: task $SLURM_ARRAY_TASK_ID renders that shard, timed. Every value
    is quoted for sbatch on #SBATCH lines and for the shell below them."""
    _check_root(root)
    folder = root / SLURM_DIR
    log = _sbatch_word(_output_pattern(folder / "logs") + "/shard-%a.log")
    lines = ["#!/bin/bash", f"#SBATCH --job-name={_sbatch_word(f'identbox-{root.name}')}",
             f"#SBATCH --array=0-{options.shards - 1}",
             f"#SBATCH --output={log}",
             f"#SBATCH --cpus-per-task={options.cpus_per_task}"]
    if options.gpus_per_task:
        lines.append(f"#SBATCH --gpus-per-task={options.gpus_per_task}")
    if options.partition:
        lines.append(f"#SBATCH --partition={_sbatch_word(options.partition)}")
    if options.time:
        lines.append(f"#SBATCH --time={_sbatch_word(options.time)}")
    lines += [f"#SBATCH {_sbatch_word(extra)}" for extra in _extra_options(options.extra_sbatch)]
    device = "gpu" if options.gpus_per_task else options.device
    command = [sys.executable, "-m", "identbox", "render", "--preset", str(root / MANIFEST),
               "--out", str(root), "--batch-index", _TASK_ID,
               "--n-batches", str(options.shards), "--device", device]
    if options.workers != 1:
        command += ["--workers", str(options.workers or "auto")]
    if options.blender:
        command += ["--blender", options.blender]
    # Only the task id is left for the shell to expand; any other '$' is a user's text.
    quoted = " ".join(part if part == _TASK_ID else shlex.quote(part) for part in command)
    lines += [
        "# One shard per task. With --gpus-per-task, SLURM sets CUDA_VISIBLE_DEVICES to the",
        "# GPU(s) it assigned: Cycles sees only those, one process per GPU.",
        "set -euo pipefail",
        f"times={shlex.quote(str(folder / 'times'))}",
        'date +%s > "$times/shard-$SLURM_ARRAY_TASK_ID.start"',
        quoted,
        'date +%s > "$times/shard-$SLURM_ARRAY_TASK_ID.end"',
    ]
    return "\n".join(lines) + "\n"


def finalize_script(root: Path, array_job: str) -> str:
    """Runs after every array task (afterany): validate, summarise."""
    _check_root(root)
    command = [sys.executable, "-m", "identbox", "slurm", "finalize", str(root)]
    log = _sbatch_word(_output_pattern(root / SLURM_DIR / "logs" / "finalize.log"))
    return "\n".join([
        "#!/bin/bash", f"#SBATCH --job-name={_sbatch_word(f'identbox-{root.name}-finalize')}",
        f"#SBATCH --output={log}",
        f"#SBATCH --dependency=afterany:{array_job}", "#SBATCH --cpus-per-task=1",
        " ".join(shlex.quote(p) for p in command)]) + "\n"


def _record(root: Path) -> dict[str, Any]:
    path = root / SLURM_DIR / SUBMISSION
    if not path.exists():
        raise DatasetError(f"{root} has no {SLURM_DIR}/{SUBMISSION}: submit it first")
    try:
        record = read_json(path)
    except UnreadableJSONError as error:
        raise DatasetError(f"{path} {error}") from None
    problem = _record_problem(record)
    if problem:
        raise DatasetError(f"{path} is not a submission record written by IdentBox: {problem}")
    return dict(record)


def _record_problem(record: object) -> str | None:
    """What is wrong with a parsed submission.json, or None: status and resubmit index into it."""
    if not isinstance(record, dict):
        return f"it holds a {type(record).__name__}, not an object"
    options, script = record.get("options"), record.get("script")
    if not isinstance(options, dict) or not _is_int(options.get("shards"), 1):
        return "options.shards is missing or not a positive integer"
    if not isinstance(script, str) or not script:
        return "script is missing or not a path"
    arrays, finals = record.get("array_jobs"), record.get("finalize_jobs")
    if not isinstance(arrays, list) or not all(
            isinstance(a, dict) and isinstance(a.get("job"), str)
            and isinstance(a.get("shards"), list) and all(_is_int(i, 0) for i in a["shards"])
            for a in arrays):
        return "array_jobs is not a list of {job, shards}"
    if not isinstance(finals, list) or not all(isinstance(job, str) for job in finals):
        return "finalize_jobs is not a list of job ids"
    return None


def _is_int(value: object, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def _save(root: Path, record: dict[str, Any]) -> None:
    (root / SLURM_DIR / SUBMISSION).write_text(json.dumps(record, indent=2) + "\n")


def submit(settings: KindSettings, root: Path, options: SlurmOptions,
           dry_run: bool = False) -> dict[str, Any]:
    """Sample the latents once, write the scripts, submit the array and its finalize job."""
    text = render_script(root, options)  # first: it refuses a folder SLURM cannot log to
    kind = kind_of(settings)
    if not kind.shards:  # the cube has a command of its own
        raise SettingsError("preset", kind.name, "a dataset `render` draws (pairs, objects, "
                            "multimodal3dident, sequence)")
    if not dry_run:
        _sbatch_accepts(text)  # before anything is written
    as_write(kind.write)(settings, root)
    folder = root / SLURM_DIR
    for sub in ("logs", "times"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    script = folder / "render.sbatch"
    script.write_text(text)
    record: dict[str, Any] = {"options": asdict(options), "n_pairs": _count(settings),
                              "script": str(script), "array_jobs": [], "finalize_jobs": []}
    if not dry_run:
        array_job = _run(["sbatch", "--parsable", str(script)]).split(";")[0]
        final = folder / "finalize.sbatch"
        final.write_text(finalize_script(root, array_job))
        record["array_jobs"].append({"job": array_job, "shards": list(range(options.shards))})
        record["finalize_jobs"].append(_run(["sbatch", "--parsable", str(final)]).split(";")[0])
    _save(root, record)
    return record


def _count(settings: KindSettings) -> int:
    """Items a render of these settings draws: pairs, or a sequence's images."""
    return kind_of(settings).items(settings)


def _complete(root: Path, settings: KindSettings, index: int) -> bool:
    """Item `index` is drawn whole."""
    return as_complete(kind_of(settings).complete)(root, settings, index)


def _settings(root: Path) -> KindSettings:
    """The settings of the dataset in `root`, of whichever kind."""
    return settings_from_manifest(read_any_manifest(root / MANIFEST))


def _shard_done(root: Path, settings: KindSettings, shards: int, shard: int) -> tuple[int, int]:
    """(items complete, items) of one shard, from the files."""
    indices = shard_indices(_count(settings), shard, shards)
    return sum(_complete(root, settings, i) for i in indices), len(indices)


def _queue_states(record: dict[str, Any]) -> dict[int, str]:
    """Shard -> SLURM state of the tasks still in the queue (empty without squeue)."""
    states: dict[int, str] = {}
    for entry in record["array_jobs"]:
        try:
            out = _run(["squeue", "-h", "-r", "-j", entry["job"], "-o", "%i %T"])
        except SlurmError:
            continue
        for line in out.splitlines():
            task, _, state = line.partition(" ")
            _, _, index = task.partition("_")
            if index.isdigit():
                states[int(index)] = state.lower()
    return states


def status(root: Path) -> dict[str, Any]:
    """Pairs (or a sequence's images) rendered, per-shard state, throughput and ETA; the
    counts are called pairs whatever the kind, `unit` says what they are."""
    record = _record(root)
    settings = _settings(root)
    total = _count(settings)
    shards = record["options"]["shards"]
    queued = _queue_states(record)
    rows, total_done, seconds, shard_pairs = [], 0, 0.0, 0
    for shard in range(shards):
        done, size = _shard_done(root, settings, shards, shard)
        total_done += done
        state = "complete" if done == size else queued.get(shard, "incomplete")
        times = _times(root, shard)
        if times and state == "complete":
            seconds += times[1] - times[0]
            shard_pairs += size
        rows.append({"shard": shard, "pairs": size, "done": done, "state": state,
                     "seconds": times[1] - times[0] if times else None})
    rate = shard_pairs / seconds if seconds else None
    left = total - total_done
    return {"root": str(root), "pairs": total, "unit": kind_of(settings).unit,
            "done": total_done, "percent": 100.0 * total_done / total, "shards": rows,
            "pairs_per_second_per_task": rate,
            "eta_seconds_one_task": left / rate if rate else None}


def _times(root: Path, shard: int) -> tuple[float, float] | None:
    folder = root / SLURM_DIR / "times"
    try:
        return (float((folder / f"shard-{shard}.start").read_text()),
                float((folder / f"shard-{shard}.end").read_text()))
    except (OSError, ValueError):
        return None


def resubmit(root: Path) -> list[int]:
    """Submit again only the shards that are neither complete nor queued."""
    record = _record(root)
    report = status(root)
    again = [row["shard"] for row in report["shards"]
             if row["state"] not in ("complete", "running", "pending")]
    if not again:
        return []
    script = Path(record["script"])
    array = ",".join(map(str, again))
    job = _run(["sbatch", "--parsable", f"--array={array}", str(script)]).split(";")[0]
    final = root / SLURM_DIR / "finalize.sbatch"
    final.write_text(finalize_script(root, job))
    record["array_jobs"].append({"job": job, "shards": again})
    record["finalize_jobs"].append(_run(["sbatch", "--parsable", str(final)]).split(";")[0])
    _save(root, record)
    return again


def finalize(root: Path) -> dict[str, Any]:
    """Validate the dataset and write slurm/summary.json: done, missing, failed shards, times."""
    report = status(root)
    settings = _settings(root)
    checks = as_validate(kind_of(settings).validate)(root)
    shards = report["shards"]
    missing = [i for row in shards if row["done"] < row["pairs"]
               for i in shard_indices(_count(settings), row["shard"], len(shards))
               if not _complete(root, settings, i)]
    summary = {"pairs": report["pairs"], "done": report["done"], "missing_pairs": missing,
               "failed_shards": [r["shard"] for r in shards if r["state"] != "complete"],
               "seconds_per_shard": {r["shard"]: r["seconds"] for r in shards},
               "valid": all(c.ok for c in checks),
               "failed_checks": [f"{c.name}: {c.detail}" for c in checks if not c.ok],
               "written": time.strftime("%Y-%m-%d %H:%M:%S")}
    (root / SLURM_DIR / SUMMARY).write_text(json.dumps(summary, indent=2) + "\n")
    return summary
