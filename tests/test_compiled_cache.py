"""The compiled passes' cache is keyed by every file they are built from."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numba
from conftest import ROOT

from simulation.core import compiled

PACKAGE = ROOT / "simulation"


def _module_file(name: str) -> Path | None:
    path = ROOT.joinpath(*name.split("."))
    if (path / "__init__.py").exists():
        return path / "__init__.py"
    return path.with_suffix(".py") if path.with_suffix(".py").exists() else None


def _imported(path: Path) -> set[Path]:
    """The package's modules a file imports (``from a.b import c`` may name module a.b.c)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        found |= {f for n in names if n.startswith("simulation.") and (f := _module_file(n))}
    return found


def test_the_fingerprint_covers_every_module_the_passes_import():
    # Everything the compiled code can reach: the passes, the rules, and every module of
    # the package they import, directly or through another.
    todo = [*PACKAGE.glob("core/passes/*.py"), *PACKAGE.glob("core/rules/*.py")]
    reached = set(todo)
    while todo:
        for module in _imported(todo.pop()):
            if module not in reached:
                reached.add(module)
                todo.append(module)
    assert PACKAGE / "core" / "codes.py" in reached  # the walk follows imports
    # This module only says where the cache is; it adds nothing to the compiled code.
    reached.discard(Path(compiled.__file__))
    assert reached <= set(compiled.compiled_sources(PACKAGE))


def test_an_edited_rule_gets_a_cache_of_its_own(tmp_path):
    copy = tmp_path / "simulation"
    for source in compiled.compiled_sources(PACKAGE):
        target = copy / source.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    # The same sources elsewhere: the same key.
    assert compiled.fingerprint(copy) == compiled.fingerprint(PACKAGE)
    rule = copy / "core" / "rules" / "meetings.py"
    original = rule.read_text()
    rule.write_text(original.replace("return competent_detection if", "return detection if"))
    assert compiled.fingerprint(copy) != compiled.fingerprint(PACKAGE)
    rule.write_text(original)
    assert compiled.fingerprint(copy) == compiled.fingerprint(PACKAGE)
    # A file outside the compiled sources does not recompile the passes.
    (copy / "core" / "model.py").write_text("# the model's Python\n")
    assert compiled.fingerprint(copy) == compiled.fingerprint(PACKAGE)


def _directory_in_a_process(**environment: str) -> str:
    script = "from simulation.core import compiled; print(compiled.cache_directory())"
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_bounds_checked_code_is_cached_apart_and_numba_cache_dir_is_honoured(tmp_path):
    plain = _directory_in_a_process()
    assert plain == str(compiled.cache_directory())
    assert _directory_in_a_process(NUMBA_BOUNDSCHECK="1") != plain
    given = _directory_in_a_process(NUMBA_CACHE_DIR=str(tmp_path))
    assert Path(given).parent == tmp_path / "simulation"
    assert Path(given).name == Path(plain).name


def test_the_passes_are_loaded_from_the_keyed_directory():
    from simulation.core.passes import census  # noqa: F401 - its passes are decorated

    directory = compiled.use_keyed_cache()
    assert numba.config.CACHE_DIR == str(directory) == str(compiled.cache_directory())
    assert any(directory.rglob("census.registered-*.nbi"))


def test_old_versions_are_pruned_to_the_newest_few(tmp_path):
    versions = []
    for i in range(compiled.KEPT_VERSIONS + 3):
        version = tmp_path / f"passes-{i:016x}"
        version.mkdir()
        os.utime(version, (time.time() - 100 + i, time.time() - 100 + i))
        versions.append(version)
    (tmp_path / "unrelated").mkdir()
    current = versions[0]  # the oldest, but in use: kept
    compiled.prune_versions(tmp_path, current)
    kept = sorted(p.name for p in tmp_path.iterdir())
    newest = [v.name for v in versions[-compiled.KEPT_VERSIONS :]]
    assert kept == sorted([current.name, *newest, "unrelated"])
