"""SLURM job arrays on a real one-node cluster (slurmctld + slurmd started by the fixture):
submit, status, finalize; a cancelled task resubmitted alone; dry runs; folder names and option
values with spaces, quotes and shell syntax, read by the real sbatch and run to completion."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from image_checks import load_rgba
from test_slurm_scripts import HOSTILE

from identbox.cluster.slurm import SlurmOptions, render_script

pytestmark = pytest.mark.blender

TINY = ("--resolution", "32", "--samples", "4")


def cli(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def wait_for_queue(env: dict[str, str], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while subprocess.run(["squeue", "-h"], env=env, capture_output=True,
                         text=True).stdout.strip():
        assert time.monotonic() < deadline, "SLURM jobs did not finish"
        time.sleep(0.5)


def status(root: Path, env: dict[str, str]) -> dict:
    out = cli("slurm", "status", str(root), "--json", cwd=root.parent, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_a_three_shard_array_matches_a_single_run(slurm_cluster, tmp_path: Path) -> None:
    env = slurm_cluster
    args = ("--n-pairs", "7", "--seed", "4", *TINY)
    out = cli("slurm", "submit", *args, "--shards", "3", "--out", "array", cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    assert "array job" in out.stdout and "squeue -j" in out.stdout
    wait_for_queue(env)
    assert cli("render", *args, "--out", "single", cwd=tmp_path, env=env).returncode == 0
    array, single = tmp_path / "array", tmp_path / "single"
    for rel in ("manifest.json", "factors/m1/latents.npy", "factors/m2/raw_latents.npy"):
        assert (array / rel).read_bytes() == (single / rel).read_bytes()
    for view in ("m1", "m2"):
        names = sorted(p.name for p in (single / "samples" / view).iterdir())
        assert sorted(p.name for p in (array / "samples" / view).iterdir()) == names
        assert len(names) == 7
        for name in names:  # one machine, one seed: the very same pixels
            assert np.array_equal(load_rgba(array / "samples" / view / name),
                                  load_rgba(single / "samples" / view / name)), (view, name)
    report = status(array, env)
    assert report["done"] == 7 and report["percent"] == 100.0
    assert [row["state"] for row in report["shards"]] == ["complete"] * 3
    summary = json.loads((array / "slurm" / "summary.json").read_text())
    assert summary["valid"] and summary["missing_pairs"] == [] and summary["failed_shards"] == []
    assert set(summary["seconds_per_shard"]) == {"0", "1", "2"}
    assert cli("validate", "array", cwd=tmp_path, env=env).returncode == 0


def test_a_sequence_renders_as_an_array_of_frame_ranges(slurm_cluster, tmp_path: Path) -> None:
    """A shard is a range of a sequence's images (frames, then independent frames and
    triplets); status counts frames and finalize validates it as a sequence."""
    env = slurm_cluster
    args = ("--preset", "temporal_causal3dident", "--n-frames", "6", "--n-independent", "1",
            "--n-triplets", "2", "--resolution", "16", "--samples", "1", "--denoiser", "none")
    out = cli("slurm", "submit", *args, "--shards", "2", "--out", "seq", cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    wait_for_queue(env)
    report = status(tmp_path / "seq", env)
    assert (report["done"], report["pairs"], report["unit"]) == (9, 9, "frames")
    assert [row["pairs"] for row in report["shards"]] == [5, 4]
    summary = json.loads((tmp_path / "seq" / "slurm" / "summary.json").read_text())
    assert summary["valid"] and summary["missing_pairs"] == [], summary
    said = cli("slurm", "status", "seq", cwd=tmp_path, env=env).stdout
    assert "seq: 9/9 frames (100.0%)" in said and "frames/s per task" in said, said


def test_a_cancelled_shard_is_resubmitted_alone(slurm_cluster, tmp_path: Path) -> None:
    env = slurm_cluster
    out = cli("slurm", "submit", "--n-pairs", "36", "--resolution", "64", "--samples", "64",
              "--shards", "3", "--out", "d", cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    root = tmp_path / "d"
    job = json.loads((root / "slurm" / "submission.json").read_text())["array_jobs"][0]["job"]
    shard1 = root / "samples" / "m1" / "000012.png"  # the first pair of shard 1 (12 to 23)
    deadline = time.monotonic() + 120
    while not shard1.exists():
        assert time.monotonic() < deadline, "shard 1 never started"
        time.sleep(0.02)
    subprocess.run(["scancel", f"{job}_1"], env=env, check=True)
    wait_for_queue(env)
    report = status(root, env)
    states = [row["state"] for row in report["shards"]]
    assert states[0] == states[2] == "complete" and states[1] != "complete", states
    kept = {p: p.stat().st_mtime_ns for p in (root / "samples").rglob("*.png")
            if int(p.stem) < 12 or int(p.stem) >= 24}

    again = cli("slurm", "resubmit", str(root), cwd=tmp_path, env=env)
    assert again.returncode == 0 and "[1]" in again.stdout, again.stdout + again.stderr
    wait_for_queue(env)
    assert status(root, env)["percent"] == 100.0
    assert {p: p.stat().st_mtime_ns for p in kept} == kept  # shards 0 and 2 did not rerun
    record = json.loads((root / "slurm" / "submission.json").read_text())
    assert record["array_jobs"][1]["shards"] == [1]
    assert json.loads((root / "slurm" / "summary.json").read_text())["valid"]
    nothing = cli("slurm", "resubmit", str(root), cwd=tmp_path, env=env)
    assert "nothing to resubmit" in nothing.stdout


def test_dry_run_writes_scripts_and_submits_nothing(slurm_cluster, tmp_path: Path) -> None:
    env = slurm_cluster
    out = cli("slurm", "submit", "--n-pairs", "4", *TINY, "--shards", "2", "--gpus-per-task",
              "1", "--partition", "gpu", "--time", "01:00:00", "--extra-sbatch=--account=lab",
              "--dry-run", "--out", "dry", cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    script = (tmp_path / "dry" / "slurm" / "render.sbatch").read_text()
    for line in ("#SBATCH --array=0-1", "#SBATCH --gpus-per-task=1", "#SBATCH --partition=gpu",
                 "#SBATCH --time=01:00:00", "#SBATCH --account=lab", "--device gpu",
                 "--n-batches 2", "--batch-index \"$SLURM_ARRAY_TASK_ID\""):
        assert line in script, line
    record = json.loads((tmp_path / "dry" / "slurm" / "submission.json").read_text())
    assert record["array_jobs"] == [] and record["finalize_jobs"] == []
    assert (tmp_path / "dry" / "factors" / "m1" / "latents.npy").exists()  # sampled once


def test_a_job_sbatch_refuses_writes_nothing(slurm_cluster, tmp_path: Path) -> None:
    """A partition the cluster does not have: sbatch's refusal comes before the latents,
    manifest and scripts are written (they were left behind)."""
    done = cli("slurm", "submit", "--n-pairs", "2", "--shards", "2", "--partition", "nosuch",
               "--out", str(tmp_path / "ds"), cwd=tmp_path, env=slurm_cluster)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "sbatch refuses the job" in lines[0], done.stderr
    assert "partition" in lines[0]
    assert list(tmp_path.iterdir()) == []


def squeue_field(job: str, field: str, env: dict[str, str]) -> str:
    return subprocess.run(["squeue", "-h", "-j", job, "-O", f"{field}:1000"], env=env,
                          capture_output=True, text=True, check=True).stdout.rstrip()


def test_sbatch_reads_each_hostile_value_as_itself(slurm_cluster, tmp_path: Path) -> None:
    env = slurm_cluster
    for name, value in {**HOSTILE, "backslash": "back\\slash"}.items():
        root = tmp_path / name / value.replace("\\", "")
        options = SlurmOptions(shards=2, extra_sbatch=shlex.join([f"--comment={value}"]))
        script = tmp_path / name / "render.sbatch"
        root.mkdir(parents=True)
        script.write_text(render_script(root, options))
        out = subprocess.run(["sbatch", "--parsable", "--hold", str(script)], env=env,
                             capture_output=True, text=True)
        assert out.returncode == 0, (name, out.stderr)
        job = out.stdout.strip().split(";")[0]
        try:
            assert squeue_field(job, "name", env) == f"identbox-{root.name}", name
            assert squeue_field(job, "comment", env) == value, name
            logs = str(root / "slurm" / "logs").replace("%", "%%")  # SLURM's literal '%'
            assert squeue_field(job, "stdout", env) == f"{logs}/shard-%a.log", name
        finally:
            subprocess.run(["scancel", job], env=env, check=True)
    wait_for_queue(env)
    assert not list(tmp_path.rglob("pwned"))


def test_an_output_folder_with_spaces_and_quotes_renders_and_resubmits(slurm_cluster,
                                                                       tmp_path: Path) -> None:
    env = slurm_cluster
    name = """out dir "q" 'x' $(touch pwned) 100%"""
    out = cli("slurm", "submit", "--n-pairs", "2", "--seed", "3", *TINY, "--shards", "2",
              "--out", name, cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    wait_for_queue(env)
    root = tmp_path / name
    logs = root / "slurm" / "logs"
    assert {p.name for p in logs.iterdir()} == {"shard-0.log", "shard-1.log", "finalize.log"}
    assert status(root, env)["done"] == 2
    assert json.loads((root / "slurm" / "summary.json").read_text())["valid"]

    (root / "samples" / "m2" / "000001.png").unlink()  # pair 1: shard 1 to render again
    again = cli("slurm", "resubmit", str(root), cwd=tmp_path, env=env)
    assert again.returncode == 0 and "[1]" in again.stdout, again.stdout + again.stderr
    wait_for_queue(env)
    assert status(root, env)["done"] == 2
    assert json.loads((root / "slurm" / "summary.json").read_text())["valid"]
    assert cli("validate", name, cwd=tmp_path, env=env).returncode == 0
    assert not list(tmp_path.rglob("pwned"))
