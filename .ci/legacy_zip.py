"""Repackage the extension zip for Blender 3.4-4.1's legacy add-on installer, which wants the
files under a folder named after the module: identbox/...

Usage: python .ci/legacy_zip.py dist/identbox-<version>.zip  (writes ...-legacy.zip beside it)
"""

import sys
import zipfile
from pathlib import Path


def legacy_zip(extension_zip: Path) -> Path:
    """Write and return <name>-legacy.zip next to the extension zip."""
    target = extension_zip.with_name(extension_zip.stem + "-legacy.zip")
    with zipfile.ZipFile(extension_zip) as source, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as legacy:
        for name in source.namelist():
            legacy.writestr(f"identbox/{name}", source.read(name))
    return target


if __name__ == "__main__":
    print(legacy_zip(Path(sys.argv[1])))
