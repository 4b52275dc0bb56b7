"""Many accounts at once: clones of a template written under a progress bar, and removed again."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from bench import backend
from bench.seeding.cloner import BACKGROUND_SHIFT_DAYS, CLONE_NUMBERS, Cloner, SeedFormatError
from bench.seeding.sqlite_rows import SQLiteSeeder
from bench.seeding.tables import index_keys, remove_items, stored_bytes, write_items
from bench.seeding.templates import Template, template

if TYPE_CHECKING:
    from bench.world import World

SHOW_PROGRESS = True  # seeding's progress bar on a terminal; off in the second of two seeding processes


def clone_accounts(world: World, count: int, label: str, source: Template | None = None, rows: bool = True,
                   partitions: set | None = None) -> dict:
    """`count` copies of an account (the typical one unless given) with fresh ids. Their dated index
    keys move 200 to 560 days ahead, past every job's window of measured days (bench_jobs), so no
    background account is due on them; the keys a work recipe set keep their day. `rows=False`:
    through BatchWriteItem even on DynamoDB Local's file (see write_accounts). `partitions`, when
    given, receives every (table, pk) the clones own (for `remove_partitions`). Returns what
    seeding took."""
    source = source or template(world)
    items = source.items
    keys = index_keys(world.services.settings)
    cloner = Cloner(items, source.tokens, keys, source.work_keys, source.numbered)
    per_account = source.per_account
    clones = ((BACKGROUND_SHIFT_DAYS + n % 360, next(CLONE_NUMBERS), None) for n in range(count))
    if partitions is not None:
        clones = _noting_partitions(cloner, clones, partitions)
    started = time.perf_counter()
    rate, how = write_accounts(world, cloner, clones, count, per_account, label, rows)
    return {"accounts": count, "items": count * per_account, "items_per_account": per_account,
            "bytes_per_account": stored_bytes(items, keys), "written_by": how,
            "seconds": round(time.perf_counter() - started, 1), "items_per_second": round(rate)}


def _noting_partitions(cloner: Cloner, clones, partitions: set):
    """The clones unchanged, each with its mapping fixed now so the partitions it owns are known."""
    for shift, number, _ in clones:
        mapping = cloner.mapping(number)
        partitions.update(cloner.partitions(mapping))
        yield shift, number, mapping


def remove_partitions(world: World, partitions: set) -> int:
    """Delete every item of the given (table, pk) partitions, whatever wrote them since (a job's due
    accounts after its measured run: what the job made of them must not fall due on another job's
    measured days). Returns the items deleted."""
    from chalicelib.store.schema import table_definitions

    dynamodb = world.services.boto3_client("dynamodb")
    hash_keys = {d["TableName"]: d["KeySchema"][0]["AttributeName"] for d in table_definitions(world.services.settings)}
    found: dict[str, list[dict]] = {}
    for table, pk in sorted(partitions):
        pages = dynamodb.get_paginator("query").paginate(
            TableName=table, KeyConditionExpression="#pk = :pk", ConsistentRead=True,
            ExpressionAttributeNames={"#pk": hash_keys[table]}, ExpressionAttributeValues={":pk": {"S": pk}})
        found.setdefault(table, []).extend(item for page in pages for item in page["Items"])
    remove_items(world, found)
    return sum(len(items) for items in found.values())


def _progress():
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    # On stderr: stdout may be the app's log sink; `transient` leaves no bar behind in the table.
    console = Console(stderr=True)
    return Progress(*columns, console=console, transient=True, disable=not (SHOW_PROGRESS and console.is_terminal))


def write_accounts(world: World, cloner: Cloner, clones, count: int, per_account: int, label: str,
                   rows: bool = True) -> tuple[float, str]:
    """Write `count` clones ((shift in days, number, mapping or None: made here) each) under one
    progress bar; returns the items written per second and how they were written.

    Through BatchWriteItem, 25 items a call — except on DynamoDB Local running on an SQLite file
    (backend.ddb_local_db()): there the first clone goes through BatchWriteItem, the rows DynamoDB
    Local stored for it are read back and checked against `SQLiteSeeder`'s own encoding of the same
    items, and the other clones are written as rows straight into the file (several times faster:
    DynamoDB Local runs every write through one SQLite thread, and botocore's work per item goes).
    Should a check fail (a DynamoDB Local whose row format changed), BatchWriteItem does it all."""
    import sys

    total, started = count * per_account, time.perf_counter()
    path = backend.ddb_local_db()
    clones = iter(clones)
    with _progress() as progress:
        task = progress.add_task(label, total=total)
        how = "BatchWriteItem"
        # `rows=False` (a job's due accounts, written just before its measured run): through the API,
        # as rows written from outside make DynamoDB Local's SQLite connection drop its page cache.
        if path is not None and rows and count > 1:
            shift, number, mapping = next(clones)
            first = list(cloner.items(shift, number, mapping=mapping))
            write_items(world, first, progress, task)
            try:
                seeder = SQLiteSeeder(path, world.services.settings, first)
                seeder.write(cloner, clones, progress, task)
                how = "SQLite rows (first account through BatchWriteItem, checked)"
            except SeedFormatError as exc:
                print(f"seeding: {exc}; writing through BatchWriteItem instead", file=sys.stderr)
        items = (item for shift, number, mapping in clones for item in cloner.items(shift, number, mapping=mapping))
        write_items(world, items, progress, task)
    elapsed = time.perf_counter() - started
    return (total / elapsed if elapsed else 0.0), how
