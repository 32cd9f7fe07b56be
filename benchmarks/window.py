"""Render Dataset in a real Blender window (the modal loop) against the headless loop, on the
same settings and machine: pairs/s of each and their ratio, measured in one run.

Needs Debian's Blender (3.4) and Xvfb (the GUI tests install both). The window run loads this
checkout as the `identbox` add-on, presses Render Dataset the modal way (INVOKE_DEFAULT, from
a timer, as a click does) and times it from the press (building the scene included) to the
end; the headless run is `python -m identbox render` with the same settings, timed whole
(starting Blender included). Xvfb draws with Mesa's software GL, as many cluster login nodes
and remote desktops do: there a redraw of the window costs about half a second, so the window
run also says how often, and for how long, the 3D viewport was drawn. Other load on the
machine falls on both loops; --rounds R runs each R times in turn and compares the medians.
Usage: python benchmarks/window.py [--pairs N] [--resolution PX] [--samples S] [--rounds R]
       [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from identbox.render.headless import load_package_code

WINDOW_RUN = load_package_code() + """\
import json, time
import bpy
argv = sys.argv[sys.argv.index("--") + 1:]
out, pairs, resolution, samples = argv
module.register()
state = {"draws": 0, "draw_seconds": 0.0}

def draw_began():
    state["draw_start"] = time.perf_counter()

def draw_ended():  # the viewport's draws while the run goes: what each tick's redraw costs
    if "start" in state and "draw_start" in state and "seconds" not in state:
        state["draws"] += 1
        state["draw_seconds"] += time.perf_counter() - state.pop("draw_start")

bpy.types.SpaceView3D.draw_handler_add(draw_began, (), "WINDOW", "PRE_VIEW")
bpy.types.SpaceView3D.draw_handler_add(draw_ended, (), "WINDOW", "POST_PIXEL")

def tick():
    window = bpy.context.window_manager.windows[0]
    area = max((a for a in window.screen.areas if a.type == "VIEW_3D"),
               key=lambda a: a.width * a.height)
    area.spaces.active.show_region_ui = True
    props = (window.scene.identbox_home or window.scene).identbox  # the user's scene's
    if "start" not in state:
        props.n_pairs, props.directory = int(pairs), out + "/window"
        props.render.resolution, props.render.samples = int(resolution), int(samples)
        region = next(r for r in area.regions if r.type == "WINDOW")
        state["start"] = time.perf_counter()  # the press: building the scene counts, as headless
        with bpy.context.temp_override(window=window, area=area, region=region):
            bpy.ops.identbox.render_dataset("INVOKE_DEFAULT")
        return 0.01
    if props.progress.running:
        return 0.01
    state["seconds"] = time.perf_counter() - state["start"]
    with open(out + "/window.json", "w") as handle:
        json.dump({"seconds": state["seconds"], "done": props.progress.done,
                   "draws": state["draws"], "draw_seconds": state["draw_seconds"]}, handle)
    bpy.ops.wm.quit_blender()
    return None

bpy.app.timers.register(tick, first_interval=2.0)
"""


def start_display() -> tuple[subprocess.Popen[bytes], str]:
    """Xvfb on a free display number."""
    number = next(n for n in range(120, 300) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1600x1000x24"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("Xvfb did not start")
        time.sleep(0.1)
    return server, f":{number}"


def window_run(blender: str, out: Path, pairs: int, resolution: int,
               samples: int) -> dict[str, float]:
    """Render Dataset pressed in a window: its seconds, and the 3D viewport's draws during it
    (how many, and their seconds)."""
    server, display = start_display()
    folder = out / "window"
    try:
        proc = subprocess.run([blender, "--factory-startup", "--python-expr", WINDOW_RUN, "--",
                               str(out), str(pairs), str(resolution), str(samples)],
                              env=dict(os.environ, DISPLAY=display), capture_output=True,
                              text=True, timeout=900, check=False)
    finally:
        server.terminate()
        server.wait(timeout=10)
    result_file = out / "window.json"
    result = json.loads(result_file.read_text()) if result_file.exists() else {"done": 0}
    result_file.unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)  # the next round renders it again
    if result["done"] != pairs:
        raise RuntimeError(f"the window run stopped at {result['done']}/{pairs} pairs:\n"
                           f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return {key: float(result[key]) for key in ("seconds", "draws", "draw_seconds")}


def headless_seconds(blender: str, out: Path, pairs: int, resolution: int,
                     samples: int) -> float:
    """Seconds of the same job from the command line, in the same Blender (its start and the
    scene's building included, as the window's time includes building the scene)."""
    folder = out / "headless"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "identbox", "render", "--n-pairs", str(pairs),
                    "--resolution", str(resolution), "--samples", str(samples),
                    "--blender", blender, "--device", "cpu", "--out", str(folder)],
                   check=True, capture_output=True, timeout=900)
    seconds = time.perf_counter() - start
    shutil.rmtree(folder, ignore_errors=True)
    return seconds


def measure(pairs: int, resolution: int, samples: int, rounds: int = 1) -> dict[str, float]:
    """Both rates and the window's share of the headless one: the medians of `rounds` runs of
    each, taken in turn (a machine's other load falls on both alike)."""
    blender = shutil.which("blender")
    if blender is None:
        raise RuntimeError("no `blender` on the PATH (apt install blender)")
    windows, headless = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for _ in range(rounds):
            windows.append(window_run(blender, out, pairs, resolution, samples))
            headless.append(headless_seconds(blender, out, pairs, resolution, samples))
    window = sorted(windows, key=lambda run: run["seconds"])[(rounds - 1) // 2]
    headless_time = statistics.median(headless)
    return {"window": pairs / window["seconds"], "headless": pairs / headless_time,
            "window_seconds": window["seconds"], "headless_seconds": headless_time,
            "ratio": headless_time / window["seconds"], "draws": window["draws"],
            "draw_seconds": window["draw_seconds"],
            "ratios": [h / w["seconds"] for w, h in zip(windows, headless, strict=True)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=40)
    parser.add_argument("--resolution", type=int, default=64)
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=1,
                        help="runs of each loop, taken in turn; the medians are compared")
    parser.add_argument("--quick", action="store_true",
                        help="8 pairs at 32 px, 2 samples: seconds (what the tests run)")
    args = parser.parse_args()
    if args.quick:
        args.pairs, args.resolution, args.samples, args.rounds = 8, 32, 2, 1
    try:
        result = measure(args.pairs, args.resolution, args.samples, max(1, args.rounds))
    except RuntimeError as error:
        sys.exit(f"window benchmark: {error}")
    print(f"{'loop':<10} {'pairs/s':>8} {'seconds':>8}   ({args.pairs} pairs, "
          f"{args.resolution} px, {args.samples} samples, Blender 3.4 on the CPU, Xvfb)")
    print(f"{'window':<10} {result['window']:>8.2f} {result['window_seconds']:>8.1f}")
    print(f"{'headless':<10} {result['headless']:>8.2f} {result['headless_seconds']:>8.1f}")
    print(f"window / headless: {result['ratio']:.2f}")
    print()
    print(f"viewport draws in the window run: {result['draws']:.0f}, "
          f"{result['draw_seconds']:.1f} s ({result['draw_seconds'] / result['window_seconds']:.0%}"
          " of it)")
    if args.rounds > 1:
        print("each round's ratio: " + ", ".join(f"{r:.2f}" for r in result["ratios"]))


if __name__ == "__main__":
    main()
