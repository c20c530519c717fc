"""What goes into the wheel; everything else about the package is in pyproject.toml.

Every package named ``utils`` or ``utils.*`` (found, so a new subpackage cannot be forgotten;
``toolkit/``, ``tests/`` and ``notebooks/`` stay out), and the catalogue: ``data/catalog.toml``,
its hash listings and its README stay where they are in the checkout, and an installed copy of
``utils`` carries them as ``utils/data/_catalogue/`` (a folder mapped onto a package name; no
symlinks, so it works on Windows too). ``utils/_locations.py`` prefers a checkout's ``data/`` and
falls back on that copy. pyproject.toml can discover packages or map a folder to one, not both:
hence this file.
"""

from setuptools import find_packages, setup

CATALOGUE = "utils.data._catalogue"

setup(
    packages=[*find_packages(include=["utils", "utils.*"]), CATALOGUE],
    package_dir={CATALOGUE: "data"},
    package_data={CATALOGUE: ["catalog.toml", "*.sha256", "README.md"]},
)
