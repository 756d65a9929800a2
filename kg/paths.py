"""The one place that finds the project's data folders (ontology, shapes, queries, examples).

In a checkout they sit beside the ``kg`` package; in an installed wheel they are shipped inside it,
under ``kg/data/`` (see ``pyproject.toml``).
"""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_root() -> Path:
    shipped = _PACKAGE / "data"
    return shipped if (shipped / "ontology").is_dir() else _PACKAGE.parent


DATA_ROOT = _data_root()
ONTOLOGY_DIR = DATA_ROOT / "ontology"
SHAPES_DIR = DATA_ROOT / "shapes"
QUERIES_DIR = DATA_ROOT / "queries"
EXAMPLES_DIR = DATA_ROOT / "examples"
