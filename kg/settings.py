"""Configuration, read from ``STSKG_*`` environment variables (and CLI options) at the edge only.

Build one :class:`Settings` in ``create_app`` or the CLI and pass what is needed down; nothing in
``kg`` reads the environment by itself.
"""

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kg.store import RemoteConfig, Store, open_store
from kg.store.profiles import profile


def _default_data_dir() -> Path:
    # XDG base directory spec: user data lives under $XDG_DATA_HOME, default ~/.local/share.
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "stskg"


class Settings(BaseSettings):
    """Everything stskg can be told. Field ``x`` is read from ``STSKG_X``."""

    model_config = SettingsConfigDict(env_prefix="STSKG_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir, description="where the embedded store lives")
    endpoint: str | None = Field(None, description="SPARQL query endpoint of a remote server; unset: embedded")
    update_endpoint: str | None = Field(None, description="SPARQL update endpoint (default: the query endpoint)")
    store_endpoint: str | None = Field(None, description="Graph Store Protocol endpoint (optional)")
    endpoint_user: str | None = None
    endpoint_password: str | None = None
    endpoint_token: str | None = None
    endpoint_timeout: float = Field(60.0, gt=0)
    endpoint_profile: str = Field(
        "oxigraph", description="the server's quirks (kg.store.profiles): oxigraph, virtuoso, fuseki, graphdb, neptune"
    )
    endpoint_union_default_graph: bool | None = Field(None, description="overrides the profile's")
    endpoint_result_cap: int | None = Field(None, gt=0, description="the server's row cap; overrides the profile's")
    endpoint_auth: Literal["basic", "digest"] | None = Field(None, description="overrides the profile's")
    max_load_bytes: int = Field(512 * 1024 * 1024, gt=0, description="largest RDF file a load accepts")
    # -- HTTP API (read by ``api.create_app`` only) -------------------------------------------
    environment: Literal["development", "production"] = Field(
        "development", description="outside development the API refuses to start without strong write tokens"
    )
    write_tokens: list[str] = Field(
        default_factory=list, description="bearer tokens allowed to write, as a JSON list in STSKG_WRITE_TOKENS"
    )
    read_tokens: list[str] = Field(
        default_factory=list, description="if set, reads need one of these (or a write token); empty: reads are open"
    )
    max_upload_bytes: int = Field(64 * 1024 * 1024, gt=0, description="largest RDF body the API accepts")
    max_result_rows: int = Field(10_000, gt=0, description="SELECT results are cut after this many rows")
    service_enabled: bool = Field(False, description="allow federated SERVICE clauses in API queries")
    load_enabled: bool = Field(
        False, description="allow SPARQL Update's LOAD of http(s) IRIs (the server fetches them)"
    )
    cors_origins: list[str] = Field(default_factory=list, description="origins allowed by CORS; empty: no CORS")
    expensive_queries_per_client: int = Field(
        2, gt=0, description="queries not known to be cheap that one client may run at once; more: 429"
    )
    query_timeout: float = Field(
        30.0, gt=0, description="seconds a query may run; a longer one is stopped and answered 503 (remote: 504)"
    )

    @field_validator("endpoint_profile")
    @classmethod
    def _known_profile(cls, name: str) -> str:
        return profile(name).name

    def remote(self) -> RemoteConfig | None:
        """The remote server configuration, or ``None`` for the embedded store."""
        if not self.endpoint:
            return None
        overrides = {
            "union_default_graph": self.endpoint_union_default_graph,
            "result_cap": self.endpoint_result_cap,
            "auth": self.endpoint_auth,
        }
        return profile(self.endpoint_profile).config(
            query_url=self.endpoint,
            update_url=self.update_endpoint,
            store_url=self.store_endpoint,
            username=self.endpoint_user,
            password=self.endpoint_password,
            token=self.endpoint_token,
            timeout=self.endpoint_timeout,
            query_timeout=min(self.query_timeout, self.endpoint_timeout),
            **{name: value for name, value in overrides.items() if value is not None},
        )

    def open_store(self) -> Store:
        """The configured store, opened."""
        return open_store(data_dir=self.data_dir, remote=self.remote(), query_timeout=self.query_timeout)
