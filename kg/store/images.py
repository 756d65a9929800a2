"""Graph images: a file per stored graph holding its triples, so a memory copy of the graph is a
parse of that file rather than a read of the on-disk store.

Why (issue 14, pyoxigraph 0.5.13): validating a model stored on disk runs on a memory copy of its
graph (:mod:`kg.validation.working_copy`). Reading a 1M-triple graph out of RocksDB costs 14-30 s
(every term is a lookup; ``Store.dump`` is no faster), where parsing the same triples from a file
into a memory store takes a few seconds. So the embedded store keeps, for the graphs it is asked
to (model graphs), the file each was loaded from.

Two kinds of image:

- a **source** image is the file as loaded, in its format. ``Store.bulk_load`` gives blank nodes
  fresh ids, so a copy loaded from it equals the stored graph only if the graph has no blank node
  (the copy is checked; dataset formats are loaded by ``parse``, which keeps ids, so they always
  match);
- an **exact** image is N-Quads written from a copy read out of the store, with the stored
  blank-node ids; ``parse`` keeps them. It is written the first time the process that opened the
  store copies a graph with blank nodes (the CLI does), so only that copy is slow; a forked child
  cannot write one, so the server's validation runs (each in a child) copy such a graph out of the
  store every time until some copy in the server process writes the image.

Validity: an image must never outlive a change to its graph. Every write through the store
removes the images of the graphs it may change (all of them when that is unknown, e.g. a user's
SPARQL Update) before it starts and again when it ends; a new image is put in place only if no
write started or ended since its data was read, and only by the process that opened the store (a
forked child sees the data as it was at the fork). An image is named after its graph in a JSON
file that points at the data file, so replacing or removing one is a single rename or unlink.
"""

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox


@dataclass(frozen=True)
class Image:
    """One graph's image: its data file, the file's format and whether blank-node ids are the store's."""

    graph: ox.NamedNode
    path: Path
    format: ox.RdfFormat
    exact: bool


class GraphImages:
    """The images of one on-disk store, in ``directory`` (created when the first is kept)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._epoch = 0  # moves at the start and the end of every write
        self._writing = 0  # writes under way
        self._owner = os.getpid()

    # -- reading ------------------------------------------------------------------------------

    def find(self, graph: ox.NamedNode) -> Image | None:
        """The image of ``graph``, if one is kept."""
        entry = self._entry_file(graph)
        try:
            described = json.loads(entry.read_text())
            image = Image(
                graph,
                self.directory / described["file"],
                ox.RdfFormat.from_media_type(described["format"]),  # type: ignore[arg-type]
                bool(described["exact"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if described.get("graph") != graph.value or not image.path.is_file():
            return None
        return image

    # -- writes to the store ------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self, graphs: Collection[str] | None) -> Iterator["_Write"]:
        """Bracket a write to the store that may change ``graphs`` (IRIs; one ending in ``/`` stands
        for every graph under it; ``None``: any graph). Yields the write, whose ``stamp`` is set
        when it ends, for :meth:`keep` of an image made from what the write wrote."""
        write = _Write()
        with self._lock:
            self._epoch += 1
            self._writing += 1
            self._remove(graphs)
        try:
            yield write
        finally:
            with self._lock:
                self._writing -= 1
                self._epoch += 1
                self._remove(graphs)
                write.stamp = self._epoch

    def stamp(self) -> int:
        """Note this before reading a graph's data to :meth:`keep` an image of it."""
        with self._lock:
            return self._epoch if self._writing == 0 else -1

    def keep(
        self, graph: ox.NamedNode, data: Path | bytes, format: ox.RdfFormat, *, exact: bool, stamp: int | None
    ) -> bool:
        """Keep ``data`` (a file, copied, or bytes) as the image of ``graph``, unless the store was
        written since ``stamp``; returns whether it was kept."""
        if stamp is None or stamp < 0 or os.getpid() != self._owner:
            return False
        self.directory.mkdir(parents=True, exist_ok=True)
        key = self._key(graph)
        name = f"{key}-{secrets.token_hex(4)}.data"
        target = self.directory / name
        if isinstance(data, Path):
            shutil.copyfile(data, target)
        else:
            target.write_bytes(data)
        entry = {"graph": graph.value, "file": name, "format": format.media_type, "exact": exact}
        staged = self.directory / f"{key}-{secrets.token_hex(4)}.staged"
        staged.write_text(json.dumps(entry))
        with self._lock:
            if self._writing or self._epoch != stamp:
                staged.unlink(missing_ok=True)
                target.unlink(missing_ok=True)
                return False
            os.replace(staged, self._entry_file(graph))  # the switch: readers see the old image or this one
            for old in self.directory.glob(f"{key}-*.data"):
                if old != target:
                    old.unlink(missing_ok=True)
        return True

    # -- inside -------------------------------------------------------------------------------

    def _remove(self, graphs: Collection[str] | None) -> None:
        if not self.directory.is_dir():
            return
        if graphs is not None and not any(g.endswith("/") for g in graphs):
            # Named graphs only (the usual write): their entries are found by name, not by reading all.
            for graph in graphs:
                self._unlink(self._key(ox.NamedNode(graph)))
            return
        for entry in self.directory.glob("*.json"):
            if graphs is not None:
                try:
                    graph = json.loads(entry.read_text()).get("graph", "")
                except (OSError, ValueError, AttributeError):
                    graph = None  # unreadable: removed, as any image we cannot vouch for
                if graph is not None and not any(_covers(g, graph) for g in graphs):
                    continue
            self._unlink(entry.stem)

    def _unlink(self, key: str) -> None:
        """Remove the image named ``key``: its entry first (it is what readers look up), then its data."""
        (self.directory / f"{key}.json").unlink(missing_ok=True)
        for data in self.directory.glob(f"{key}-*"):
            data.unlink(missing_ok=True)

    def _key(self, graph: ox.NamedNode) -> str:
        return hashlib.sha256(graph.value.encode()).hexdigest()[:40]

    def _entry_file(self, graph: ox.NamedNode) -> Path:
        return self.directory / f"{self._key(graph)}.json"


@dataclass
class _Write:
    stamp: int | None = None


def _covers(written: str, graph: str) -> bool:
    return graph == written or (written.endswith("/") and graph.startswith(written))
