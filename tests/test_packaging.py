"""The built wheel carries the data folders, so `pip install .` works outside the checkout."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_ontology_shapes_queries_and_examples(tmp_path):
    """Every data file of the checkout is inside the wheel under kg/data/, next to the code."""
    subprocess.run(
        [Path(sys.executable).parent / "hatchling", "build", "-t", "wheel", "-d", tmp_path],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("stskg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("ontology", "shapes", "queries", "examples"):
        expected = {
            f"kg/data/{folder}/{p.relative_to(ROOT / folder)}" for p in (ROOT / folder).rglob("*") if p.is_file()
        }
        assert expected and expected <= names, folder
    assert {"kg/paths.py", "kg/cli.py", "api/app.py"} <= names


def test_paths_resolve_to_the_checkout():
    """In a checkout the data folders are found beside the kg package."""
    from kg import paths

    assert paths.ONTOLOGY_DIR == ROOT / "ontology" and paths.SHAPES_DIR == ROOT / "shapes"
