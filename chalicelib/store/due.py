"""Helpers for the sparse, write-sharded `due` index (schema.DUE_SHARDS partitions per day).

An item enters a job's work list by carrying due_pk = f"{KIND}#{yyyy-mm-dd}#{shard}" and leaves it
by dropping due_pk/due_sk, so a job's Query returns only what is still to do."""
import zlib
from collections.abc import Iterator
from datetime import date, timedelta

from chalicelib.store.schema import DUE_SHARDS


def shard_of(key: str) -> int:
    """A stable shard for a key (crc32: the same in every process, unlike hash())."""
    return zlib.crc32(key.encode()) % DUE_SHARDS


def due_pk(kind: str, day: date, key: str) -> str:
    return f"{kind}#{day.isoformat()}#{shard_of(key)}"


def day_partitions(kind: str, day: date) -> list[str]:
    return [f"{kind}#{day.isoformat()}#{shard}" for shard in range(DUE_SHARDS)]


def days_between(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
