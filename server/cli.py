"""The `wes` command: serve, migrate, demo, audit, layout, bulk CSV import/export, and the optimizer/label/bench
tools."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from server.settings import Settings, get_settings

app = typer.Typer(help="Warehouse execution system", no_args_is_help=True, pretty_exceptions_enable=False)
bench_app = typer.Typer(help="Benchmarks that print JSON", no_args_is_help=True)
layout_app = typer.Typer(help="Warehouse layout: import a CSV, generate a rectangular warehouse", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
app.add_typer(layout_app, name="layout")

out = Console()
err = Console(stderr=True)
T = TypeVar("T")
KEEP_ALIVE_S = 75  # seconds an idle keep-alive connection stays open (see serve)


@asynccontextmanager
async def _uow(settings: Settings) -> AsyncIterator[Any]:
    """A unit of work for the CLI: acts as the system (no caller), commits on success."""
    from server.db.engine import create_engine, create_session_factory
    from server.db.uow import UnitOfWork
    from server.identity.principal import SYSTEM
    from server.identity.security import configure_password_hashing
    from server.layout.rules import configure_check_digit_key

    configure_password_hashing(settings.password_time_cost, settings.password_memory_kib)
    configure_check_digit_key(settings.secret_key)
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            uow = UnitOfWork(session, SYSTEM)
            yield uow
            await session.commit()
    finally:
        await engine.dispose()


def _run(fn: Callable[[], Awaitable[T]]) -> T:
    from server.errors import DomainError

    try:
        return asyncio.run(fn())  # type: ignore[arg-type]
    except DomainError as exc:
        err.print(f"[red]{exc.code}[/red]: {exc.message}")
        for e in exc.errors[:50]:
            err.print("  " + ", ".join(f"{k}={v}" for k, v in e.items()))
        raise typer.Exit(2) from None


def _migrate(settings: Settings) -> None:
    from server.db.migrate import upgrade

    if settings.is_sqlite:
        db_file = settings.database_url.split("///", 1)[-1]
        if db_file and db_file != ":memory:":
            Path(db_file).parent.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)


@app.command()
def migrate() -> None:
    """Bring the database schema up to date (Alembic)."""
    settings = get_settings()
    _migrate(settings)
    out.print(f"[green]Database is up to date[/green] ({settings.database_url.split('@')[-1]})")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default WES_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default WES_PORT)")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default WES_WORKERS)")] = None,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate", help="Run migrations first")] = True,
) -> None:
    """Run the HTTP server (API, board, OpenAPI at /schema)."""
    import uvicorn

    settings = get_settings()
    if migrate_first:
        _migrate(settings)
    if settings.uses_dev_secret():
        err.print("[yellow]WES_SECRET_KEY is the development default; set your own in production.[/yellow]")
    n = workers or settings.workers
    if n > 1 and settings.is_sqlite:
        err.print("[yellow]SQLite serialises writers; several workers help only on PostgreSQL.[/yellow]")
    uvicorn.run(
        "server.asgi:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=n,
        log_level=settings.log_level.lower(),
        access_log=False,
        proxy_headers=True,
        # longer than any client's or proxy's idle timeout (httpx 5 s, load balancers 60 s): the client then closes
        # an idle connection first, and never sends a request just as the server closes it (a lost reply)
        timeout_keep_alive=KEEP_ALIVE_S,
    )


@app.command()
def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the demo afterwards")] = True,
    reset: Annotated[bool, typer.Option(help="Delete the SQLite demo database first")] = False,
) -> None:
    """Create a demo warehouse (3 owners, 2 zones, 2,016 locations, 500 SKUs, stock, users, handhelds), then serve."""
    from server.demo import DEMO_OWNERS, demo_exists, seed_demo

    settings = get_settings()
    if reset and settings.is_sqlite:
        db_file = Path(settings.database_url.split("///", 1)[-1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_file) + suffix).unlink(missing_ok=True)
    _migrate(settings)

    async def go() -> Any:
        async with _uow(settings) as uow:
            if await demo_exists(uow):
                return None
            with Progress(console=err, transient=False) as progress:
                return await seed_demo(uow, settings.demo_password, progress=progress)

    logins = _run(go)
    if logins is None:
        out.print("[cyan]The demo warehouse is already there[/cyan] (use --reset to start again).")
    table = Table(title="Demo logins (password: " + settings.demo_password + ")")
    for col in ("username", "role", "owner"):
        table.add_column(col)
    users = (
        logins.users
        if logins
        else [
            (u, r, o)
            for u, r, o in [
                ("admin", "admin", ""),
                ("supervisor", "supervisor", ""),
                ("receiver", "receiver", ""),
                ("picker1", "picker", ""),
                ("picker2", "picker", ""),
                ("packer", "packer", ""),
            ]
            + [(f"client-{c.lower()}", "client", c) for c, *_ in DEMO_OWNERS]
        ]
    )
    for row in users:
        table.add_row(*row)
    out.print(table)
    if logins:
        out.print("Handhelds: " + ", ".join(logins.devices))
        for owner, key in logins.api_keys:
            out.print(f"API key for {owner} (header X-API-Key, shown once): {key}")
    out.print(f"Open http://{settings.host}:{settings.port}/schema  (log in with POST /api/v1/auth/login)")
    if serve_after:
        serve(host=None, port=None, workers=None, migrate_first=False)


@app.command()
def worker(burst: Annotated[bool, typer.Option(help="Process what is queued, then exit")] = False) -> None:
    """Run a job worker (SAQ on Redis): housekeeping and scheduled audits; optimizer runs later."""
    from server.jobs.queue import make_worker

    settings = get_settings()
    if not settings.redis_url:
        err.print("[red]The worker needs Redis:[/red] set WES_REDIS_URL (e.g. redis://127.0.0.1:6379/0).")
        raise typer.Exit(2)
    asyncio.run(make_worker(settings, burst=burst).start())


@app.command()
def audit() -> None:
    """Prove the books: stock equals the sum of the ledger, and every allocated unit is held by an open
    reservation (no allocation left dangling); exit 1 listing every difference."""
    from server.audit import audit as run_audit

    settings = get_settings()

    async def go() -> Any:
        async with _uow(settings) as uow:
            return await run_audit(uow.session)

    report = _run(go)
    if report.clean:
        out.print(
            "[green]Audit clean:[/green] every stock row equals the sum of its ledger rows, "
            "and every allocated unit is reserved by an open allocation."
        )
        return
    if report.ledger:
        table = Table(title=f"{len(report.ledger)} stock identities differ from the ledger")
        for col in ("owner", "sku", "location", "lot", "expiry", "lpn", "status", "stock", "ledger"):
            table.add_column(col)
        for d in report.ledger[:200]:
            k = d.key
            table.add_row(
                str(k.owner_id),
                str(k.sku_id),
                str(k.location_id),
                k.lot,
                str(k.expiry or ""),
                k.lpn,
                k.status.value,
                str(d.stock_on_hand),
                str(d.ledger_on_hand),
            )
        out.print(table)
    if report.reservations:
        table = Table(title=f"{len(report.reservations)} stock rows whose allocated differs from their reservations")
        for col in ("stock id", "allocated", "reserved", "by"):
            table.add_column(col)
        for r in report.reservations[:200]:
            by = ", ".join(f"{name} {qty}" for name, qty in r.reserved.items()) or "nothing"
            table.add_row(str(r.stock_id), str(r.allocated), str(r.reserved_total), by)
        out.print(table)
    raise typer.Exit(1)


def _warehouse_id(uow: Any, code: str) -> Awaitable[int]:
    from sqlalchemy import select

    from server.errors import NotFound
    from server.identity.models import Warehouse

    async def find() -> int:
        wid = (await uow.session.execute(select(Warehouse.id).where(Warehouse.code == code))).scalar_one_or_none()
        if wid is None:
            raise NotFound(f"There is no warehouse '{code}'.", code="warehouse_not_found")
        return int(wid)

    return find()


@layout_app.command("import")
def layout_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Locations CSV")],
    warehouse: Annotated[str, typer.Option(help="Warehouse code")] = "SH1",
    encoding: Annotated[str, typer.Option(help="auto, utf-8, utf-16, gbk or gb18030")] = "auto",
) -> None:
    """Import locations from CSV (UTF-8 or GBK); every bad row is reported and nothing is imported when any row is
    bad."""
    from server.bulk.table import refuse
    from server.layout.rules import parse_locations_csv
    from server.layout.services import save_specs, warehouse_or_404

    settings = get_settings()

    async def go() -> Any:
        parsed = parse_locations_csv(file.read_bytes(), encoding=encoding, max_rows=settings.import_max_rows)
        if parsed.errors:  # before the database is opened: a bad file needs no database to be refused
            raise refuse(parsed.errors)
        async with _uow(settings) as uow:
            wh = await warehouse_or_404(uow, await _warehouse_id(uow, warehouse))
            return await save_specs(uow, wh, parsed.specs)

    out.print_json(json.dumps(_run(go)))


def _owner_id(uow: Any, code: str | None) -> Awaitable[int | None]:
    from sqlalchemy import select

    from server.errors import NotFound
    from server.identity.models import Owner

    async def find() -> int | None:
        if code is None:
            return None
        oid = (await uow.session.execute(select(Owner.id).where(Owner.code == code))).scalar_one_or_none()
        if oid is None:
            raise NotFound(f"There is no owner '{code}'.", code="owner_not_found")
        return int(oid)

    return find()


BULK_KINDS = ("skus", "orders", "purchase-orders", "stock")


@app.command("import")
def bulk_import(
    kind: Annotated[str, typer.Argument(help="skus, orders, purchase-orders or stock")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The CSV file")],
    owner: Annotated[str | None, typer.Option(help="Owner code of rows without an owner column")] = None,
    warehouse: Annotated[str | None, typer.Option(help="Warehouse code of rows without a warehouse column")] = None,
    encoding: Annotated[str, typer.Option(help="auto, utf-8, utf-16, gbk or gb18030")] = "auto",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check everything, import nothing")] = False,
) -> None:
    """Import SKUs, orders, purchase orders or stock from CSV: all of it, or nothing and every bad row listed."""
    from server.bulk.rules import Kind
    from server.bulk.services import import_file

    if kind not in BULK_KINDS:
        err.print(f"[red]unknown kind[/red] {kind!r}: use one of {', '.join(BULK_KINDS)}.")
        raise typer.Exit(2)
    settings = get_settings()
    data = file.read_bytes()

    async def go() -> Any:
        async with _uow(settings) as uow:
            owner_id = await _owner_id(uow, owner)
            warehouse_id = await _warehouse_id(uow, warehouse) if warehouse else None
            with Progress(console=err, transient=True) as bar:
                task = bar.add_task(f"importing {file.name}", total=None)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                return await import_file(
                    uow,
                    Kind(kind),
                    data,
                    encoding=encoding,
                    dry_run=dry_run,
                    owner_id=owner_id,
                    warehouse_id=warehouse_id,
                    max_rows=settings.import_max_rows,
                    progress=progress,
                )

    out.print_json(json.dumps(_run(go)))


@app.command("export")
def bulk_export(
    kind: Annotated[str, typer.Argument(help="skus, orders, purchase-orders or stock")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here (default: standard output)")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner (code)")] = None,
    warehouse: Annotated[str | None, typer.Option(help="Only this warehouse (code)")] = None,
    encoding: Annotated[str, typer.Option(help="utf-8 (with BOM, for Excel) or gb18030")] = "utf-8",
) -> None:
    """Export SKUs, orders, purchase orders or stock as CSV (the columns the import reads; formulas neutralised)."""
    from server.bulk.rules import Kind
    from server.bulk.services import export_file

    if kind not in BULK_KINDS:
        err.print(f"[red]unknown kind[/red] {kind!r}: use one of {', '.join(BULK_KINDS)}.")
        raise typer.Exit(2)
    settings = get_settings()

    async def go() -> bytes:
        async with _uow(settings) as uow:
            owner_id = await _owner_id(uow, owner)
            warehouse_id = await _warehouse_id(uow, warehouse) if warehouse else None
            return await export_file(uow, Kind(kind), owner_id=owner_id, warehouse_id=warehouse_id, encoding=encoding)

    data = _run(go)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        err.print(f"[green]Wrote {output}[/green] ({len(data)} bytes)")


@layout_app.command("generate")
def layout_generate(
    warehouse: Annotated[str, typer.Option(help="Warehouse code")] = "SH1",
    aisles: int = 12,
    aisle_length_m: float = 20.0,
    aisle_pitch_m: float = 3.0,
    cross_aisles: int = 2,
    bay_width_m: float = 1.0,
    levels: int = 2,
    zones: Annotated[str, typer.Option(help="Comma-separated")] = "A",
    create_warehouse: Annotated[bool, typer.Option(help="Create the warehouse if it is missing")] = False,
) -> None:
    """Generate a rectangular warehouse (the BENCH-FORMATS layout) with bays and levels."""
    from server.errors import NotFound
    from server.identity.services import create_warehouse as make_wh
    from server.layout.rules import RectangularLayout
    from server.layout.services import generate

    settings = get_settings()
    _migrate(settings)
    layout = RectangularLayout(
        aisles=aisles,
        aisle_length_m=aisle_length_m,
        aisle_pitch_m=aisle_pitch_m,
        cross_aisles=cross_aisles,
        bay_width_m=bay_width_m,
        levels=levels,
        zones=tuple(z.strip().upper() for z in zones.split(",") if z.strip()),
    )

    async def go() -> Any:
        async with _uow(settings) as uow:
            try:
                wid = await _warehouse_id(uow, warehouse)
            except NotFound:
                if not create_warehouse:
                    raise
                wid = (await make_wh(uow, warehouse, warehouse)).id
            return await generate(uow, wid, layout)

    out.print_json(json.dumps(_run(go)))


@bench_app.command("release")
def bench_release(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON only")] = False,
    orders: Annotated[int, typer.Option(help="Orders in the wave")] = 500,
    lines_per_order: Annotated[int, typer.Option(help="Lines per order")] = 4,
    time_limit_s: Annotated[float, typer.Option(help="Optimizer time limit for batching (s)")] = 4.0,
    database_url: Annotated[
        str | None, typer.Option(help="Benchmark on this database (migrated first); default a fresh SQLite file")
    ] = None,
) -> None:
    """Time allocating, planning and releasing a wave of ORDERS x LINES on a fresh warehouse."""
    import tempfile

    from server.db.migrate import upgrade
    from server.outbound.bench import bench_release as run_bench

    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        upgrade(url)
        with Progress(console=err, transient=True) as bar:
            tasks: dict[str, Any] = {}

            def progress(what: str, done: int, total: int) -> None:
                if what not in tasks:
                    tasks[what] = bar.add_task(what, total=total)
                bar.update(tasks[what], completed=done)

            result = asyncio.run(
                run_bench(
                    url,
                    orders=orders,
                    lines_per_order=lines_per_order,
                    time_limit_s=time_limit_s,
                    progress=progress,
                )
            )
    if as_json:
        print(json.dumps(result))
        return
    table = Table(title="Wave release benchmark")
    table.add_column("measure")
    table.add_column("value")
    for k, v in result.items():
        table.add_row(k, str(v))
    out.print(table)


def _postgres_for_bench(database_url: str | None, fresh: bool) -> tuple[str, Callable[[], None]]:
    """The PostgreSQL database a benchmark runs on: a fresh one beside WES_DATABASE_URL unless one is given."""
    from server.bench.pgadmin import fresh_database

    url = database_url or get_settings().database_url
    if not url.startswith("postgresql"):
        err.print("[red]This benchmark needs PostgreSQL:[/red] set WES_DATABASE_URL or pass --database-url.")
        raise typer.Exit(2)
    return fresh_database(url) if fresh else (url, lambda: None)


@bench_app.command("api")
def bench_api(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON only")] = False,
    handhelds: Annotated[int, typer.Option(help="Closed-loop handhelds")] = 32,
    workers: Annotated[int, typer.Option(help="Server worker processes")] = 2,
    closed_s: Annotated[float, typer.Option(help="Measured seconds of the closed loop")] = 20.0,
    open_s: Annotated[float, typer.Option(help="Seconds of the open loop at half the peak")] = 15.0,
    orders: Annotated[int, typer.Option(help="Orders released before the run")] = 1500,
    pgbench_s: Annotated[float, typer.Option(help="Seconds of pgbench")] = 10.0,
    database_url: Annotated[str | None, typer.Option(help="PostgreSQL URL (default WES_DATABASE_URL)")] = None,
    redis_url: Annotated[str | None, typer.Option(help="Redis URL (default WES_REDIS_URL)")] = None,
    fresh: Annotated[bool, typer.Option("--fresh/--in-place", help="Run in a new database, dropped after")] = True,
) -> None:
    """Load the real server (several processes, PostgreSQL, Redis) with simulated handhelds; compare to pgbench."""
    from server.bench.api import ApiBenchConfig
    from server.bench.api import bench_api as run_bench
    from server.db.migrate import upgrade

    redis = redis_url or get_settings().redis_url
    if not redis:
        err.print("[red]This benchmark needs Redis:[/red] set WES_REDIS_URL or pass --redis-url.")
        raise typer.Exit(2)
    url, drop = _postgres_for_bench(database_url, fresh)
    cfg = ApiBenchConfig(
        handhelds=handhelds, workers=workers, closed_s=closed_s, open_s=open_s, orders=orders, pgbench_s=pgbench_s
    )
    try:
        upgrade(url)
        with Progress(console=err, transient=True) as bar:
            tasks: dict[str, Any] = {}

            def progress(what: str, done: float, total: float) -> None:
                if what not in tasks:
                    tasks[what] = bar.add_task(what, total=total)
                bar.update(tasks[what], completed=done, total=total)

            result = asyncio.run(run_bench(url, redis, cfg, progress))
    finally:
        drop()
    if as_json:
        print(json.dumps(result, default=str))
        return
    out.print_json(json.dumps(result, default=str))


@bench_app.command("fuzz")
def bench_fuzz(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON only")] = False,
    examples: Annotated[int, typer.Option(help="Generated requests per operation, role and mode")] = 50,
    database_url: Annotated[str | None, typer.Option(help="PostgreSQL URL (default WES_DATABASE_URL)")] = None,
    path_contains: Annotated[str, typer.Option(help="Only operations whose path contains this")] = "",
) -> None:
    """Schemathesis over the served OpenAPI as every role (and none): no 5xx, replies match the schema."""
    from server.bench.fuzz import run_fuzz
    from server.bench.scenario import add_orders, build_floor, release_wave
    from server.db.migrate import upgrade

    url, drop = _postgres_for_bench(database_url, True)
    try:
        upgrade(url)
        floor = asyncio.run(build_floor(url, skus=20, pickers=1, aisles=4, aisle_length_m=10))
        asyncio.run(add_orders(floor, 10))
        asyncio.run(release_wave(floor, time_limit_s=0.3))
        from server.bench.api import _healthy, start_server

        server, base = start_server(url, None, 1)
        try:
            asyncio.run(_healthy(base))
            import httpx

            creds: dict[str, dict[str, str]] = {"anonymous": {}, "integration": {"X-API-Key": floor.api_key}}
            for role, user in floor.extra["users"].items():
                r = httpx.post(f"{base}/api/v1/auth/login", json={"username": user, "password": floor.password})
                creds[role] = {"Authorization": f"Bearer {r.json()['token']}"}
            with Progress(console=err, transient=True) as bar:
                task = bar.add_task("fuzz", total=1)

                def progress(what: str, done: int, total: int) -> None:
                    bar.update(task, description=what, completed=done, total=total)

                report = run_fuzz(
                    base,
                    creds,
                    max_examples=examples,
                    only=(lambda _m, p: path_contains in p) if path_contains else None,
                    progress=progress,
                )
        finally:
            server.stop()
    finally:
        drop()
    result = report.as_dict()
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        out.print_json(json.dumps(result, ensure_ascii=False))
    if result["findings"]:
        raise typer.Exit(1)


@app.command("simulate")
def simulate_shift(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON only")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Write an HTML report with charts here")] = None,
    orders: Annotated[int, typer.Option(help="Orders in the shift")] = 600,
    hours: Annotated[float, typer.Option(help="Length of the shift (h)")] = 8.0,
    pickers: Annotated[int, typer.Option(help="Pickers on the floor")] = 5,
    skus: Annotated[int, typer.Option(help="SKUs (Zipf-like popularity)")] = 400,
    time_limit_s: Annotated[float, typer.Option(help="Optimizer time limit per wave (s)")] = 1.0,
    seed: int = 7,
) -> None:
    """Simulate a picking shift: location order with first-come batches vs our batching, routing and slotting."""
    from server.simulate.report import html_report
    from server.simulate.shift import ShiftConfig, simulate

    cfg = ShiftConfig(orders=orders, hours=hours, pickers=pickers, skus=skus, time_limit_s=time_limit_s, seed=seed)
    cfg.cutoffs_h = tuple(c for c in (hours * 3 / 8, hours * 5.5 / 8, hours))
    with Progress(console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(what: str, done: float, total: float) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=total)
            bar.update(tasks[what], completed=done, total=total)

        result = simulate(cfg, progress)
    if html is not None:
        html.write_text(html_report(result), encoding="utf-8")
    if as_json:
        print(json.dumps(result))
        return
    table = Table(title=f"Shift simulation: {result['orders']} orders, {result['order_lines']} lines")
    for col in ("strategy", "m / line", "saving %", "lines / picker-hour", "late orders", "walked m"):
        table.add_column(col)
    for name, r in result["strategies"].items():
        saving = result["metres_per_line_saving_pct"].get(name, "")
        table.add_row(
            name,
            str(r["metres_per_line"]),
            str(saving),
            str(r["lines_per_picker_hour"]),
            str(r["late_orders"]),
            str(r["walk_m"]),
        )
    out.print(table)


@bench_app.command("board")
def bench_board(
    database_url: Annotated[
        str | None, typer.Option(help="Benchmark on this database (migrated first); default a fresh SQLite file")
    ] = None,
    orders: Annotated[int, typer.Option(help="Orders in the database")] = 10_000,
    locations: Annotated[int, typer.Option(help="Locations, about")] = 2_000,
    repeat: Annotated[int, typer.Option(help="Requests per page")] = 5,
) -> None:
    """Seed a busy warehouse and time every board page; prints JSON with the slowest page."""
    import tempfile

    from server.board.bench import bench_board as run_bench
    from server.db.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        upgrade(url)
        with Progress(console=err, transient=True) as bar:
            tasks: dict[str, Any] = {}

            def progress(what: str, done: int, total: int) -> None:
                if what not in tasks:
                    tasks[what] = bar.add_task(what, total=total)
                bar.update(tasks[what], completed=done)

            result = asyncio.run(run_bench(url, orders=orders, locations=locations, repeat=repeat, progress=progress))
    print(json.dumps(result, indent=2))


def _mount_packages() -> None:
    """The optimizer and labels packages bring their own commands."""
    try:
        from optimizer.cli import app as optimize_app
        from optimizer.cli import bench_optimizer
    except ImportError as exc:  # pragma: no cover - only while a package is missing
        print(f"optimizer commands unavailable: {exc}", file=sys.stderr)
    else:
        app.add_typer(optimize_app, name="optimize")
        bench_app.command("optimizer")(bench_optimizer)
    try:
        from labels.cli import app as label_app
    except ImportError as exc:  # pragma: no cover
        print(f"label commands unavailable: {exc}", file=sys.stderr)
    else:
        app.add_typer(label_app, name="label")


_mount_packages()


if __name__ == "__main__":
    app()
