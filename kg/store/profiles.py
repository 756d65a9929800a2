"""What SPARQL 1.1 servers do differently, as data: one profile per server, no branches in code.

Each difference here silently corrupts results when ignored. :class:`kg.store.remote.RemoteStore`
reads the profile's settings from its :class:`~kg.store.remote.RemoteConfig`; choose one with
``STSKG_ENDPOINT_PROFILE`` (the ``--endpoint-profile`` of the CLI) and override single settings
with their own variables.

Sources: each server's documentation (cited per profile) and, for ``oxigraph`` and ``virtuoso``,
the backend test suite run against the real server (``tests/test_store.py`` and the others
parametrised over ``tests.conftest.BACKENDS``).
"""

from dataclasses import dataclass, fields

from kg.store.remote import RemoteConfig


@dataclass(frozen=True)
class ServerProfile:
    """How one kind of SPARQL server behaves.

    Attributes:
        name: the profile's name (``STSKG_ENDPOINT_PROFILE``).
        union_default_graph: a query without a dataset already sees the union of all graphs.
            Where false, stskg names every graph with ``default-graph-uri``.
        result_cap: the most rows (or triples) the server returns for one query, whatever the
            query asks; a result of exactly that size is treated as truncated and refused,
            never returned short (``None``: the server has no cap).
        system_graphs: IRI prefixes of graphs the server keeps for itself; stskg neither lists,
            queries nor drops them.
        auth: how to send ``username``/``password``: ``basic`` or ``digest``.
        graph_parameter: the Graph Store Protocol's query parameter naming the graph.
        query_rewrites: the names of the rewrites validation applies to its queries for this
            server, for forms it evaluates wrongly or not at all (:mod:`kg.validation.rewrites`).
        notes: what else a user must know, for the README's table.
    """

    name: str
    union_default_graph: bool = False
    result_cap: int | None = None
    system_graphs: tuple[str, ...] = ()
    auth: str = "basic"
    graph_parameter: str = "graph"
    query_rewrites: tuple[str, ...] = ()
    notes: str = ""

    def config(self, **settings) -> RemoteConfig:
        """A configuration for a server of this kind: its quirks, then ``settings`` (the endpoints,
        credentials and whatever the user overrides)."""
        quirks = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("name", "notes")}
        return RemoteConfig(**{**quirks, **settings})


PROFILES: dict[str, ServerProfile] = {
    profile.name: profile
    for profile in (
        ServerProfile(
            "oxigraph",
            notes="`oxigraph serve`: /query, /update, /store; `--union-default-graph` makes the default graph "
            "the union (then set STSKG_ENDPOINT_UNION_DEFAULT_GRAPH); `--timeout-s` stops slow queries.",
        ),
        ServerProfile(
            # Virtuoso 7: ResultSetMaxRows (10,000 by default in virtuoso.ini [SPARQL]) cuts SELECT and
            # CONSTRUCT results without an error; the default graph of a query without FROM is every
            # graph, its own schema graphs included; /sparql-auth and /sparql-graph-crud-auth want
            # digest authentication; its Graph Store endpoint takes graph-uri (OpenLink, "Virtuoso
            # SPARQL 1.1 Graph Store HTTP Protocol" and virtuoso.ini [SPARQL] documentation).
            # Found by running the validation suites on 7.2.5: repeated paths joined with other
            # patterns fail (errors, and a crash of the server process on R-WST-08's query), and
            # MINUS over a group of only VALUES subtracts nothing or does not compile.
            "virtuoso",
            result_cap=10_000,
            system_graphs=(
                "http://www.openlinksw.com/",
                "http://www.w3.org/ns/ldp#",
                "http://localuriqaserver/",
            ),
            auth="digest",
            graph_parameter="graph-uri",
            query_rewrites=("unroll-repeated-paths", "values-anti-join-as-optional"),
            notes="/sparql (or /sparql-auth with digest authentication) for query and update, "
            "/sparql-graph-crud-auth for the Graph Store Protocol; set STSKG_ENDPOINT_RESULT_CAP to the "
            "server's ResultSetMaxRows if it is not 10,000; grant SPARQL_UPDATE to the user that writes.",
        ),
        ServerProfile(
            # Fuseki: the union default graph is opt-in (tdb2:unionDefaultGraph) and then also answers
            # <urn:x-arq:UnionGraph> (Apache Jena, "TDB2 dataset configuration").
            "fuseki",
            notes="/DATASET/query, /DATASET/update, /DATASET/data; a dataset with tdb2:unionDefaultGraph "
            "true needs STSKG_ENDPOINT_UNION_DEFAULT_GRAPH=true.",
        ),
        ServerProfile(
            # GraphDB: the default graph is the union of all named graphs plus the default one
            # (Ontotext, "Query behaviour").
            "graphdb",
            union_default_graph=True,
            notes="/repositories/REPO, /repositories/REPO/statements; the default graph is always the union.",
        ),
        ServerProfile(
            # Amazon Neptune: the default graph is the union of all graphs (AWS, "Neptune SPARQL
            # default graph and named graphs").
            "neptune",
            union_default_graph=True,
            notes="/sparql for query and update; IAM authentication (SigV4) is not supported by stskg: "
            "put a signing proxy in front.",
        ),
    )
}


def profile(name: str) -> ServerProfile:
    """The profile called ``name``; raises ``ValueError`` naming the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown server profile {name!r}: choose one of {', '.join(PROFILES)}") from None
