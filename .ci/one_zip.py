"""Make the extension zip install on every Blender IdentBox supports: every file moves under a
folder named after the module (identbox/...). Blender 4.2+ installs it as an extension (it
finds the manifest in one top-level folder); Blender 3.4-4.1 installs it as a legacy add-on
(the folder is the module, its __init__.py has bl_info). One zip: no wrong one to pick.

Usage: python .ci/one_zip.py dist/identbox-<version>.zip   (rewrites it in place)
"""

import sys
import zipfile
from pathlib import Path

FOLDER = "identbox"


def one_zip(extension_zip: Path) -> Path:
    """Rewrite the zip with its files under identbox/ (once: a second call changes nothing)."""
    with zipfile.ZipFile(extension_zip) as source:
        files = {name: source.read(name) for name in source.namelist()}
    if all(name.startswith(f"{FOLDER}/") for name in files):
        return extension_zip
    with zipfile.ZipFile(extension_zip, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in files.items():
            target.writestr(f"{FOLDER}/{name}", data)
    return extension_zip


if __name__ == "__main__":
    print(one_zip(Path(sys.argv[1])))
