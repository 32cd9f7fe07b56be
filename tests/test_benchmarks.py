"""Every benchmark in its quick mode (seconds, tiny sizes, the same code path as the full run),
as a user runs it: a benchmark that crashes or stops printing its table fails the tests, so
none can rot unnoticed. Nothing here is about speed; `make bench` runs them in full."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, _apt_install, blender_env

from identbox.presets import preset_names


def run_benchmark(tmp_path: Path, name: str, *args: str) -> list[str]:
    """The lines `benchmarks/<name>` printed; fails unless it exited 0."""
    user = tmp_path / "blender_user"
    user.mkdir(exist_ok=True)
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / name), *args],
                          env=blender_env(user), capture_output=True, text=True, timeout=600,
                          cwd=tmp_path)
    assert proc.returncode == 0, f"{name} {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout.splitlines()


def rows_below(lines: list[str], header_word: str) -> list[list[str]]:
    """The words of each non-empty line after the first line holding `header_word`, up to the
    first empty line."""
    start = next(k for k, line in enumerate(lines) if header_word in line) + 1
    rows = []
    for line in lines[start:]:
        if not line.strip():
            break
        rows.append(line.split())
    return rows


def test_the_sampling_benchmark_samples_every_preset(tmp_path: Path) -> None:
    """One row per bundled preset, pair and multi-object alike, each with a rate (the seconds
    column rounds a quick run's 200 pairs to 0.000)."""
    lines = run_benchmark(tmp_path, "sampling.py", "--quick")
    rows = rows_below(lines, "x floor")
    assert [row[0] for row in rows] == preset_names()
    assert any(row[0] == "clevr_like" for row in rows)  # a multi-object preset is in the table
    for row in rows:
        assert float(row[1]) >= 0 and float(row[2].replace(",", "")) > 0, row
    assert any(line.startswith("slowest preset:") for line in lines)


@pytest.mark.blender
def test_the_render_benchmark_measures_every_loop(tmp_path: Path) -> None:
    """One tiny CPU row with the IdentBox, rebuild and re-open loops, and the memory check."""
    lines = run_benchmark(tmp_path, "render.py", "--quick")
    rows = rows_below(lines, "x rebuild")
    assert [row[:3] for row in rows[:1]] == [["CPU", "16", "1"]]
    assert rows[1][0] == "devices:" and rows[2][:2] == ["median", "overhead:"]
    assert any(line.startswith("memory over 8 frames") for line in lines)


@pytest.mark.blender
def test_the_fidelity_benchmark_compares_and_draws_the_figure(tmp_path: Path) -> None:
    """The summary row of the bpy wheel against the reference, and the side-by-side figure
    (tests/test_fidelity.py checks the figures it measures)."""
    from PIL import Image

    figure = tmp_path / "fidelity.png"
    lines = run_benchmark(tmp_path, "fidelity.py", "--quick", "--figure", str(figure))
    rows = rows_below(lines, "PSNR dB")
    assert [row[:2] for row in rows] == [["bpy", "wheel"]]
    assert len(rows[0]) == 7, rows
    with Image.open(figure) as image:
        assert image.size == (96 + 128, 4 * 128)


@pytest.mark.blender
def test_the_validate_benchmark_checks_a_dataset(tmp_path: Path) -> None:
    lines = run_benchmark(tmp_path, "validate.py", "--quick")
    assert any(line.startswith("validate: 50 pairs") for line in lines), lines


@pytest.mark.blender
def test_the_tamper_benchmark_counts_what_validate_catches(tmp_path: Path) -> None:
    """A row per preset and tamper, each with detected/tried, after the untampered datasets
    passed (the benchmark stops otherwise)."""
    lines = run_benchmark(tmp_path, "tamper_detection.py", "--quick")
    rows = rows_below(lines, "detected/tried")
    presets = {row[0] for row in rows}
    assert presets == {"hues_positions_rotations", "three_views_camera", "multimodal3dident",
                       "temporal_causal3dident_teapot"}, rows
    for row in rows:
        detected, tried = (int(n) for n in row[-1].split("/"))
        assert 0 <= detected <= tried and tried > 0, row
    assert "untampered datasets: all pass" in lines


@pytest.mark.blender
def test_the_share_benchmark_exports_in_both_formats(tmp_path: Path) -> None:
    """Rows for the folder layout and both export formats, each with its files and bytes per
    pair, and the extrapolation to a published-size dataset."""
    lines = run_benchmark(tmp_path, "share.py", "--quick")
    rows = rows_below(lines, "pairs/s")
    assert [row[0] for row in rows] == ["folder", "webdataset", "hf"]
    for row in rows[1:]:
        assert float(row[2].replace(",", "")) > 0 and float(row[3].replace(",", "")) > 0, row
    assert any(line.startswith("published size (270,000 pairs)") for line in lines), lines


@pytest.mark.blender
def test_the_window_benchmark_measures_both_loops(tmp_path: Path, debian_blender: str) -> None:
    """Render Dataset pressed in a real window (Debian's Blender under Xvfb) and the same job
    headless both finish and are measured (the ratio is for the README, not asserted)."""
    if shutil.which("Xvfb") is None:
        _apt_install("xvfb")
    lines = run_benchmark(tmp_path, "window.py", "--quick")
    rows = rows_below(lines, "pairs/s")
    assert [row[0] for row in rows] == ["window", "headless", "window"]
    assert float(rows[0][1]) > 0 and float(rows[1][1]) > 0
    # What the window's redraws cost: the 3D viewport's draws during the run.
    assert any(line.startswith("viewport draws in the window run: ") for line in lines)


@pytest.mark.blender
def test_the_workers_benchmark_measures_one_and_two_cpu_workers(tmp_path: Path) -> None:
    """CPU rows for 1 and 2 workers with a rate (their files equal, or it exits non-zero);
    GPU rows for 1, 2, 4 and 8 workers, marked not measured without --gpu."""
    lines = run_benchmark(tmp_path, "workers.py", "--quick")
    rows = rows_below(lines, "x 1 worker")
    assert [row[:2] for row in rows] == [["CPU", "1"], ["CPU", "2"], ["GPU", "1"],
                                         ["GPU", "2"], ["GPU", "4"], ["GPU", "8"]]
    assert all(float(row[6]) > 0 for row in rows[:2]) and rows[0][7] == "1.00x"
    assert all(row[5:] == ["not", "measured", "(no", "GPU)"] for row in rows[2:])


@pytest.mark.blender
def test_the_quality_benchmark_stores_its_references_and_prints_the_table(
        tmp_path: Path) -> None:
    """Two quick runs on one cache: the first renders and stores the references, the second
    reads them back (rendering the published settings again only to time them) and measures
    the same PSNRs; each prints a row per candidate and the cheapest one meeting the bar."""
    cache = tmp_path / "cache"
    runs = [run_benchmark(tmp_path, "quality.py", "--quick", "--cache", str(cache))]
    stored = {path.name: path.read_bytes() for path in cache.iterdir()}
    runs.append(run_benchmark(tmp_path, "quality.py", "--quick", "--cache", str(cache)))
    assert len(stored) == 6 and all(name.endswith(".png") for name in stored)
    assert {path.name: path.read_bytes() for path in cache.iterdir()} == stored
    said = [[line for line in lines if line.startswith("references")] for lines in runs]
    assert "0 cached, 6 rendered" in said[0][0] and "6 cached, 0 rendered" in said[1][0]
    tables = [rows_below(lines, "frames/s") for lines in runs]
    for rows in tables:
        labels = [row[0] for row in rows]
        assert labels[0] == "published" and "4+oidn=published_fast" in labels, labels
        assert {"8+none", "8+oidn/a0.05", "2+optix"} <= set(labels), labels
        for row in rows[:-1]:
            if row[2:4] == ["not", "measured"]:  # a GPU row where Cycles finds no GPU
                assert row[1] == "gpu", row
                continue
            assert float(row[2]) > 0 and float(row[3]) > 0 and row[-1].endswith("x"), row
        assert rows[-1][0] == "cheapest"
    published = tables[1][0]  # the second run drew these again: the same pixels, or nearly
    assert float(published[5]) > 60, published  # worst dB
    psnr = [{row[0]: (float(row[4]), float(row[5])) for row in rows[1:-1] if row[1] == "cpu"}
            for rows in tables]
    assert psnr[0].keys() == psnr[1].keys()
    for label, (mean, worst) in psnr[0].items():
        assert 15 < worst <= mean < 60, (label, mean, worst)
        assert psnr[1][label] == pytest.approx((mean, worst), abs=0.2), label


def test_the_gpu_script_parses_and_names_its_stages(tmp_path: Path) -> None:
    """benchmarks/gpu.sh runs only where a GPU is lent; here: its syntax, and a wrong stage is
    one line and exit 2 before anything is installed."""
    script = REPO / "benchmarks" / "gpu.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    done = subprocess.run(["bash", str(script), "nonsense"], capture_output=True, text=True,
                          cwd=tmp_path, env={**os.environ, "OUT": str(tmp_path / "figures")})
    assert done.returncode == 2
    assert done.stderr.strip() == ("gpu.sh: unknown stage nonsense "
                                   "(setup warm render quality workers)")
