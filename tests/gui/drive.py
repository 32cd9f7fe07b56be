"""What the GUI drivers share (they run inside Blender: blender --python DRIVER -- OUT ZIP ...):
install and enable the add-on from the one zip, take steps one per timer tick as a person
would (a step yields the seconds to wait), write OUT/result.json and quit, recording any
traceback in the result's "errors"."""

import json
import os
import subprocess
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import addon_utils
import bpy


def install(result: dict[str, Any], addon_zip: str) -> None:
    """Install the zip with Blender's own installer and enable IdentBox."""
    result["installed"] = sorted(bpy.ops.preferences.addon_install(filepath=addon_zip))
    addon_utils.enable("identbox", default_set=True)


def main_window_override() -> Any:
    """A context of the first window's largest 3D viewport (its main region)."""
    window = bpy.context.window_manager.windows[0]
    area = max((a for a in window.screen.areas if a.type == "VIEW_3D"),
               key=lambda a: a.width * a.height)
    region = next(r for r in area.regions if r.type == "WINDOW")
    return bpy.context.temp_override(window=window, area=area, region=region,
                                     screen=window.screen)


def xdotool(*args: str) -> None:
    """Type or click in the window as a person does."""
    subprocess.run(["xdotool", *args], check=True, env=dict(os.environ))


def run(steps: Callable[[], Iterator[float]], out: str, result: dict[str, Any],
        persistent: bool = False) -> None:
    """Take the steps on Blender's timer, then write the result and quit (persistent: the
    timer lives on across opening a file)."""
    result.setdefault("errors", [])
    iterator = steps()

    def tick() -> float | None:
        try:
            return next(iterator)
        except StopIteration:
            pass
        except Exception:
            result["errors"].append(traceback.format_exc())
        with open(os.path.join(out, "result.json"), "w") as handle:
            json.dump(result, handle, indent=2)
        print("GUI-DRIVER: quitting", flush=True)
        bpy.ops.wm.quit_blender()
        return None

    bpy.app.timers.register(tick, first_interval=1.0, persistent=persistent)


def run_headless(main: Callable[[], None], out: str, result: dict[str, Any]) -> None:
    """Run a background script's main(), recording a traceback in the result's "errors",
    and write OUT/result.json."""
    result.setdefault("errors", [])
    try:
        main()
    except Exception:
        result["errors"].append(traceback.format_exc())
    with open(os.path.join(out, "result.json"), "w") as handle:
        json.dump(result, handle, indent=2)


FAILING_OPENER = """#!/bin/sh
echo "xdg-open: no method available for opening '$1'" >&2
exit 3
"""


def without_a_file_browser(out: str) -> str:
    """Put first on the PATH an xdg-open that finds no file browser (as on a server); returns
    the PATH before, to put back."""
    opener = os.path.join(out, "bin", "xdg-open")
    os.makedirs(os.path.dirname(opener), exist_ok=True)
    with open(opener, "w") as handle:
        handle.write(FAILING_OPENER)
    os.chmod(opener, 0o755)
    search_path = os.environ.get("PATH", "")
    os.environ["PATH"] = os.path.dirname(opener) + os.pathsep + search_path
    return search_path
