"""The SLURM scripts carry any folder name and option value safely: bash reads each as one word
and runs nothing injected, control characters are refused, and a corrupt submission record is
one line of error. (The same values through the real sbatch: test_slurm.py.)"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from identbox.cluster.slurm import SlurmOptions, finalize_script, render_script
from identbox.errors import SettingsError

# Values a folder name or an sbatch option may hold; each must arrive as itself, one word.
HOSTILE = {
    "space": "two  words",
    "single quote": "it's",
    "double quote": 'say "hi"',
    "command substitution": "$(touch pwned)",
    "backticks": "`touch pwned`",
    "semicolon": "x; touch pwned",
    "hash": "a #b",
    "variable": "$HOME",
    "percent": "100%",
    "glob": "*",
}
CONTROL = {"newline": "\ntouch pwned", "carriage return": "\rtouch pwned", "escape": "\x1b[2J"}


def run_as_shell(script: str, folder: Path, record: Path) -> list[str]:
    """Run `script` with bash as a SLURM task would; the argv its Python command received."""
    path = folder / "job.sbatch"
    path.write_text(script)
    assert subprocess.run(["bash", "-n", str(path)], capture_output=True).returncode == 0
    cwd = folder / "cwd"
    cwd.mkdir(exist_ok=True)
    env = {"PATH": os.environ["PATH"], "RECORD": str(record), "SLURM_ARRAY_TASK_ID": "1"}
    done = subprocess.run(["bash", str(path)], cwd=cwd, env=env, capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    return record.read_bytes().decode().split("\0")[:-1]


@pytest.mark.parametrize("value", [*HOSTILE.values(), "debug --wrap=x", ""],
                         ids=[*HOSTILE.keys(), "an option", "empty"])
def test_a_partition_is_names_and_commas_only(value: str) -> None:
    """A partition is names (sbatch would read 'debug --wrap=x' as one unknown partition only
    after the latents and scripts were written)."""
    with pytest.raises(SettingsError, match="partition names"):
        SlurmOptions(shards=2, partition=value)


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_each_value_is_one_word_and_nothing_is_injected(value: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # The scripts run sys.executable: a recorder stands in for Python to show the argv bash built.
    recorder, record = tmp_path / "python", tmp_path / "argv"
    recorder.write_text('#!/bin/bash\nprintf "%s\\0" "$@" > "$RECORD"\n')
    recorder.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(recorder))
    root = tmp_path / value
    (root / "slurm" / "times").mkdir(parents=True)
    options = SlurmOptions(shards=2, partition="gpu,debug", time=value, blender=value,
                           device="cpu", extra_sbatch=shlex.join([f"--comment={value}"]))

    argv = run_as_shell(render_script(root, options), tmp_path, record)
    assert argv == ["-m", "identbox", "render", "--preset", str(root / "manifest.json"),
                    "--out", str(root), "--batch-index", "1", "--n-batches", "2",
                    "--device", "cpu", "--blender", value]
    times = root / "slurm" / "times"
    assert (times / "shard-1.start").exists() and (times / "shard-1.end").exists()
    argv = run_as_shell(finalize_script(root, "7"), tmp_path, record)
    assert argv == ["-m", "identbox", "slurm", "finalize", str(root)]
    assert not list(tmp_path.rglob("pwned"))


@pytest.mark.parametrize("option", ["partition", "time", "blender", "extra_sbatch"])
@pytest.mark.parametrize("char", CONTROL.values(), ids=CONTROL.keys())
def test_a_control_character_in_an_option_is_refused(option: str, char: str) -> None:
    with pytest.raises(SettingsError) as refused:
        SlurmOptions(shards=1, **{option: f"gpu{char}"})  # type: ignore[arg-type]
    assert refused.value.setting == option


def test_an_unclosed_quote_in_extra_sbatch_is_refused() -> None:
    with pytest.raises(SettingsError, match="extra_sbatch"):
        SlurmOptions(shards=1, extra_sbatch="--comment='open")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("out", ["a\nb", "a\rb", "back\\slash"])
def test_an_out_folder_slurm_cannot_log_to_is_refused_and_nothing_written(
        out: str, tmp_path: Path) -> None:
    done = cli("slurm", "submit", "--n-pairs", "2", "--shards", "1", "--dry-run", "--out", out,
               cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.startswith("identbox: error: out = ")
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_newline_in_partition_is_one_line_of_error(tmp_path: Path) -> None:
    done = cli("slurm", "submit", "--n-pairs", "2", "--shards", "1", "--dry-run",
               "--partition", "gpu\ntouch pwned", "--out", "d", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("identbox: error: partition = 'gpu\\ntouch pwned'")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b"[]", b'{"options": {}}',
                                     b'{"options": {"shards": 2}, "script": "s", '
                                     b'"array_jobs": [{"job": 1}], "finalize_jobs": []}'])
@pytest.mark.parametrize("action", ["status", "resubmit"])
def test_a_corrupt_submission_record_is_one_line_naming_it(content: bytes, action: str,
                                                           tmp_path: Path) -> None:
    record = tmp_path / "d" / "slurm" / "submission.json"
    record.parent.mkdir(parents=True)
    record.write_bytes(content)
    done = cli("slurm", action, "d", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"identbox: error: {record}")
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


@pytest.mark.parametrize(("value", "passed"), [("3", ["--workers", "3"]),
                                               ("auto", ["--workers", "auto"]), ("1", [])])
def test_each_task_renders_with_the_workers_asked(value: str, passed: list[str],
                                                  tmp_path: Path) -> None:
    """`slurm submit --workers` reaches every task's render command (1, the default, adds
    nothing)."""
    done = cli("slurm", "submit", "--n-pairs", "4", "--shards", "2", "--dry-run",
               "--workers", value, "--out", "d", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    script = (tmp_path / "d/slurm/render.sbatch").read_text()
    render = shlex.split(next(line for line in script.splitlines() if " render " in line))
    assert render[render.index("--device") + 2:] == passed
