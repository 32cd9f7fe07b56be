"""Render Dataset in a real Blender window (the modal loop) against the headless loop, on the
same settings and machine: pairs/s of each and their ratio, measured in one run.

Needs Debian's Blender (3.4) and Xvfb (the GUI tests install both). The window run loads this
checkout as the `identbox` add-on, presses Render Dataset the modal way (INVOKE_DEFAULT, from
a timer, as a click does) and times it to the end; the headless run is `python -m identbox
render` with the same settings.
Usage: python benchmarks/window.py [--pairs N] [--resolution PX] [--samples S] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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
state = {}

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
        with bpy.context.temp_override(window=window, area=area, region=region):
            bpy.ops.identbox.render_dataset("INVOKE_DEFAULT")
        state["start"] = time.perf_counter()
        return 0.01
    if props.progress.running:
        return 0.01
    seconds = time.perf_counter() - state["start"]
    with open(out + "/window.json", "w") as handle:
        json.dump({"seconds": seconds, "done": props.progress.done}, handle)
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


def window_rate(blender: str, out: Path, pairs: int, resolution: int, samples: int) -> float:
    """Pairs/s of Render Dataset pressed in a window."""
    server, display = start_display()
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
    if result["done"] != pairs:
        raise RuntimeError(f"the window run stopped at {result['done']}/{pairs} pairs:\n"
                           f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return pairs / float(result["seconds"])


def headless_rate(blender: str, out: Path, pairs: int, resolution: int, samples: int) -> float:
    """Pairs/s of the same job from the command line, in the same Blender."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "identbox", "render", "--n-pairs", str(pairs),
                    "--resolution", str(resolution), "--samples", str(samples),
                    "--blender", blender, "--device", "cpu", "--out", str(out / "headless")],
                   check=True, capture_output=True, timeout=900)
    return pairs / (time.perf_counter() - start)


def measure(pairs: int, resolution: int, samples: int) -> dict[str, float]:
    """Both rates and the window's share of the headless one."""
    blender = shutil.which("blender")
    if blender is None:
        raise RuntimeError("no `blender` on the PATH (apt install blender)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        window = window_rate(blender, out, pairs, resolution, samples)
        headless = headless_rate(blender, out, pairs, resolution, samples)
    return {"window": window, "headless": headless, "ratio": window / headless}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=40)
    parser.add_argument("--resolution", type=int, default=64)
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--quick", action="store_true",
                        help="8 pairs at 32 px, 2 samples: seconds (what the tests run)")
    args = parser.parse_args()
    if args.quick:
        args.pairs, args.resolution, args.samples = 8, 32, 2
    try:
        result = measure(args.pairs, args.resolution, args.samples)
    except RuntimeError as error:
        sys.exit(f"window benchmark: {error}")
    print(f"{'loop':<10} {'pairs/s':>8}   ({args.pairs} pairs, {args.resolution} px, "
          f"{args.samples} samples, Blender 3.4 on the CPU, Xvfb)")
    print(f"{'window':<10} {result['window']:>8.2f}")
    print(f"{'headless':<10} {result['headless']:>8.2f}")
    print(f"window / headless: {result['ratio']:.2f}")


if __name__ == "__main__":
    main()
