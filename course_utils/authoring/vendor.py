"""The JavaScript an offline deck loads: installed by ``npm ci``, copied next to the decks.

The repository's ``package.json`` names the four packages nbconvert's reveal template loads
(reveal.js, RequireJS, jQuery, MathJax) at exact versions, and ``package-lock.json`` pins each
tarball's SHA-512, which ``npm ci`` checks while it installs them into ``node_modules/``
(https://docs.npmjs.com/cli/commands/npm-ci). The versions matter: reveal.js 6 moved the plugin
files nbconvert 7's template loads, and MathJax 3 has no ``MathJax.Hub``, which the template calls.

:func:`vendor_files` then copies only the files a deck loads (about 5 MB of the 80 MB) into
``<decks>/_vendor/<name>-<version>/``, so the deck folder works on its own, from a USB stick.
Without npm (and no matching ``node_modules/``) the decks load the same versions from the
unpkg CDN instead: :func:`asset_urls` with ``prefix=None``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PROJECT_DIR", "VendorFiles", "VENDOR_FILES", "locked_packages", "installed_node_modules",
           "vendor_files", "asset_urls"]

#: Where ``package.json`` and ``package-lock.json`` live: the repository root.
PROJECT_DIR = Path(__file__).resolve().parents[2]
CDN = "https://unpkg.com"
MARKER = ".vendored"  # in each copied package folder: the integrity it was copied from


@dataclass(frozen=True)
class VendorFiles:
    """Which files of an npm package the decks load."""

    name: str
    entry: str  # the URL path the template uses, relative to the package root
    keep: tuple[str, ...]  # path prefixes to copy (the rest is never loaded)
    drop: tuple[str, ...] = ()

    def wanted(self, path: str) -> bool:
        return path.startswith(self.keep) and not path.startswith(self.drop)


VENDOR_FILES = (
    VendorFiles("reveal.js", entry="", keep=("LICENSE", "dist/", "plugin/notes/"), drop=("dist/reveal.esm.js",)),
    VendorFiles("requirejs", entry="require.js", keep=("LICENSE", "require.js")),
    VendorFiles("jquery", entry="dist/jquery.min.js", keep=("LICENSE", "dist/jquery.min.js")),
    # 60 MB installed; the CommonHTML output with TeX fonts needs about 3 MB of it.
    VendorFiles(
        "mathjax", entry="MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        keep=("LICENSE", "MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "extensions/",
              "jax/input/TeX/", "jax/output/CommonHTML/", "jax/element/", "fonts/HTML-CSS/TeX/woff/",
              "localization/en/"),
        drop=("extensions/a11y/",),
    ),
)


def locked_packages(project_dir: Path = PROJECT_DIR) -> dict[str, dict]:
    """``{name: {"version": …, "integrity": …}}`` of :data:`VENDOR_FILES`, from ``package-lock.json``.

    Raises:
        RuntimeError: if the lock file is missing, lacks a package, or disagrees with
            ``package.json`` (which must pin each package to exactly the locked version).
    """
    project_dir = Path(project_dir)
    try:
        manifest = json.loads((project_dir / "package.json").read_text(encoding="utf-8"))
        lock = json.loads((project_dir / "package-lock.json").read_text(encoding="utf-8"))
    except FileNotFoundError as missing:
        raise RuntimeError(f"{missing.filename} is missing: the decks' JavaScript is declared in "
                           "package.json and pinned in package-lock.json at the repository root") from None
    locked = {}
    for package in VENDOR_FILES:
        entry = lock.get("packages", {}).get(f"node_modules/{package.name}")
        wanted = manifest.get("dependencies", {}).get(package.name)
        if entry is None or wanted != entry.get("version"):
            raise RuntimeError(f"package.json asks for {package.name} {wanted!r} but package-lock.json has "
                               f"{entry and entry.get('version')!r}; pin the exact version in package.json "
                               "and run `npm install --package-lock-only` to update the lock")
        locked[package.name] = {"version": entry["version"], "integrity": entry["integrity"]}
    return locked


def _installed_version(node_modules: Path, name: str) -> str | None:
    try:
        return json.loads((node_modules / name / "package.json").read_text(encoding="utf-8")).get("version")
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def installed_node_modules(project_dir: Path = PROJECT_DIR, npm: str | None = "npm", log=print) -> Path | None:
    """``<project_dir>/node_modules`` with the locked versions installed, running ``npm ci`` if needed.

    Returns ``None`` when they are not installed and ``npm`` cannot be found (the caller falls
    back to the CDN). Raises ``RuntimeError`` when ``npm ci`` fails (a tarball that does not match
    its locked checksum, no registry) or installs other versions than the lock names.
    """
    project_dir = Path(project_dir)
    locked = locked_packages(project_dir)
    node_modules = project_dir / "node_modules"

    def stale():
        return [name for name, pin in locked.items() if _installed_version(node_modules, name) != pin["version"]]

    if not stale():
        return node_modules
    npm_path = shutil.which(npm) if npm else None
    if npm_path is None:
        return None
    specs = ", ".join(f"{name}@{pin['version']}" for name, pin in locked.items())
    log(f"installing {specs} with npm ci …")
    result = subprocess.run([npm_path, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                            cwd=project_dir, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError(f"`npm ci` failed (exit {result.returncode}): {result.stderr.strip()[-800:]}\n"
                           "Check that the npm registry is reachable (npm config get registry), or build with --cdn.")
    if stale():
        raise RuntimeError(f"`npm ci` did not install the locked versions of {', '.join(stale())}")
    return node_modules


def _copy_package(source: Path, package: VendorFiles, target: Path) -> int:
    count = 0
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source).as_posix()
        if path.is_file() and package.wanted(relative):
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
            count += 1
    return count


def vendor_files(node_modules: Path, vendor_dir: Path, project_dir: Path = PROJECT_DIR, log=print) -> Path:
    """Copy the files the decks load from ``node_modules`` into ``vendor_dir/<name>-<version>/``.

    A package folder already copied from the same locked tarball (its integrity in a marker
    file) is kept as it is. Returns ``vendor_dir``.
    """
    locked = locked_packages(project_dir)
    vendor_dir = Path(vendor_dir)
    for package in VENDOR_FILES:
        pin = locked[package.name]
        target = vendor_dir / f"{package.name}-{pin['version']}"
        marker = target / MARKER
        if marker.is_file() and marker.read_text(encoding="utf-8").strip() == pin["integrity"]:
            continue
        shutil.rmtree(target, ignore_errors=True)
        count = _copy_package(Path(node_modules) / package.name, package, target)
        if count == 0:
            raise RuntimeError(f"{Path(node_modules) / package.name} holds none of the files the decks load; "
                               "delete node_modules/ and build again")
        marker.write_text(pin["integrity"] + "\n", encoding="utf-8")
        log(f"  copied {count} files of {package.name} {pin['version']} into {target}")
    return vendor_dir


def asset_urls(prefix: str | None, project_dir: Path = PROJECT_DIR) -> dict[str, str]:
    """URLs of the four libraries, keyed by npm name: under ``prefix`` (a folder relative to the
    decks, e.g. ``"_vendor"``) or, when ``prefix`` is None, on the unpkg CDN."""
    locked = locked_packages(project_dir)
    urls = {}
    for package in VENDOR_FILES:
        spec = f"{package.name}@{locked[package.name]['version']}"
        folder = f"{package.name}-{locked[package.name]['version']}"
        base = f"{prefix}/{folder}" if prefix is not None else f"{CDN}/{spec}"
        urls[package.name] = f"{base}/{package.entry}" if package.entry else base
    return urls
