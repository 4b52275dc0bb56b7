"""Clones written as DynamoDB Local's own rows, straight into its SQLite file (several times faster
than BatchWriteItem there), checked against the rows DynamoDB Local wrote itself."""
from __future__ import annotations

import json
import re

from bench.seeding.cloner import BACKGROUND_SHIFT_DAYS, CLONE_NUMBERS, Cloner, SeedFormatError


class SQLiteSeeder:
    """Items written as DynamoDB Local's own rows, straight into its SQLite file (DynamoDB Local
    2.x, `-sharedDb`): one SQLite table per DynamoDB table, a row per item with

      hashKey, rangeKey      the key values (strings: their UTF-8 bytes)
      hashValue, rangeValue  SHA-1 of the salt b"LocalDdb" + the key's bytes
                             (com.amazonaws.services.dynamodbv2.local.shared.access.LocalDBUtils)
      hashRangeValue         SHA-1 of the salt + hashValue + rangeValue
      itemSize               DynamoDB's size of the item
      ObjectJSON             the item in DynamoDB JSON
      indexKey_N             the global secondary indexes' key values (which column is which: the
                             SQLite index DynamoDB Local made for each, read from sqlite_master)

    Nothing is assumed blindly: the rows DynamoDB Local itself stored for `reference` (one account
    written through BatchWriteItem) must equal this encoding of the same items, column by column,
    or SeedFormatError is raised. itemSize is taken from those rows: a clone's item has the size of
    the reference's item in the same place (ids are replaced by ids of the same length; checked).
    The clones' rows are made from the template compiled to format strings (Cloner.compiled), also
    checked: one clone made both ways must come out the same."""

    SALT = b"LocalDdb"

    def __init__(self, path, settings, reference: list[tuple[str, dict]]):
        import sqlite3

        from bench.call_counter import item_size
        from chalicelib.store.schema import table_definitions

        self.db = sqlite3.connect(str(path), timeout=60, isolation_level=None)
        self.db.execute("PRAGMA cache_size = -262144")  # 256 MB for this connection's page cache
        self.db.execute("PRAGMA synchronous = OFF")  # this connection only; a scratch file
        self.layout = {}
        for definition in table_definitions(settings):
            table = definition["TableName"]
            keys = {k["KeyType"]: k["AttributeName"] for k in definition["KeySchema"]}
            columns = [row[1] for row in self.db.execute(f'PRAGMA table_info("{table}")')]
            index_columns = {}
            for index in definition.get("GlobalSecondaryIndexes", []):
                sql = self.db.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                                      (f"{table}*{index['IndexName']}",)).fetchone()
                match = sql and re.search(r"\((indexKey_\d+), (indexKey_\d+)", sql[0])
                if not match:
                    raise SeedFormatError(f"no SQLite index for {table}.{index['IndexName']} in DynamoDB Local's file")
                names = {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]}
                index_columns[match.group(1)] = names["HASH"]
                index_columns[match.group(2)] = names.get("RANGE")
            unknown = set(columns) - set(index_columns) - {"hashKey", "rangeKey", "hashValue", "rangeValue",
                                                           "hashRangeValue", "itemSize", "ObjectJSON"}
            if unknown:
                raise SeedFormatError(f"unknown columns in DynamoDB Local's {table}: {sorted(unknown)}")
            self.layout[table] = (keys["HASH"], keys.get("RANGE"), columns, index_columns)
        self.key_attributes = {table: {a for a in (h, r, *index.values()) if a}
                               for table, (h, r, _, index) in self.layout.items()}
        self.sizes = self._check(reference)
        self.reference_sizes = [item_size(item) for _, item in reference]

    def _hash(self, *parts: bytes) -> bytes:
        import hashlib

        digest = hashlib.sha1(self.SALT)
        for part in parts:
            digest.update(part)
        return digest.digest()

    @staticmethod
    def _key_bytes(item: dict, name: str) -> bytes:
        value = item.get(name)
        if not value or "S" not in value:
            raise SeedFormatError(f"key {name} is not a string: {value}")
        return value["S"].encode()

    def row(self, table: str, item: dict, size: int) -> tuple:
        _, _, _, index_columns = self.layout[table]
        keys = {name: value["S"] for name, value in item.items()
                if name in self.key_attributes[table] and "S" in value}
        for name in self.key_attributes[table]:
            if name in item and "S" not in item[name]:
                raise SeedFormatError(f"key {name} is not a string: {item[name]}")
        return self._row(table, keys, json.dumps(item, separators=(",", ":"), ensure_ascii=False).encode(), size)

    def _row(self, table: str, keys: dict[str, str], object_json: bytes, size: int) -> tuple:
        hash_name, range_name, columns, index_columns = self.layout[table]
        hash_key = keys[hash_name].encode()
        hash_value = self._hash(hash_key)
        values = {"hashKey": hash_key, "hashValue": hash_value, "itemSize": size, "ObjectJSON": object_json}
        if range_name:
            range_key = keys[range_name].encode()
            range_value = self._hash(range_key)
            values.update(rangeKey=range_key, rangeValue=range_value,
                          hashRangeValue=self._hash(hash_value, range_value))
        for column, attribute in index_columns.items():
            value = keys.get(attribute) if attribute else None
            values[column] = value.encode() if value is not None else None
        return tuple(values.get(column) for column in columns)

    def _check(self, reference) -> list[int]:
        sizes = []
        for table, item in reference:
            hash_name, range_name, columns, _ = self.layout[table]
            where = " AND ".join(f"{c} = ?" for c in ("hashKey", "rangeKey")[:2 if range_name else 1])
            keys = [item[hash_name]["S"].encode()] + ([item[range_name]["S"].encode()] if range_name else [])
            stored = self.db.execute(f'SELECT * FROM "{table}" WHERE {where}', keys).fetchone()
            if stored is None:
                raise SeedFormatError(f"DynamoDB Local's row for {keys} not found in its SQLite file")
            size = stored[columns.index("itemSize")]
            mine = self.row(table, item, size)
            for column, theirs, ours in zip(columns, stored, mine):
                same = json.loads(theirs) == json.loads(ours) if column == "ObjectJSON" else theirs == ours
                if not same:
                    raise SeedFormatError(f"DynamoDB Local stores {table}.{column} as {theirs!r}, not {ours!r}")
            sizes.append(size)
        return sizes

    def write(self, cloner: Cloner, clones, progress, task, chunk: int = 20_000) -> None:
        """The clones' rows, made from the template compiled to format strings (Cloner.compiled);
        one clone is first made both ways and must come out the same as Cloner.items makes it."""
        from bench.call_counter import item_size

        compiled, names = cloner.compiled(self.key_attributes)
        shift, number = BACKGROUND_SHIFT_DAYS, next(CLONE_NUMBERS)  # numbers as long as the clones'
        mapping = cloner.mapping(number)
        expected = list(cloner.items(shift, number, mapping=mapping))
        made = list(self._clone(cloner, compiled, names, shift, mapping))
        for (table, item), (made_table, keys, text, _) in zip(expected, made, strict=True):
            if table != made_table or json.loads(text) != item or any(item[a]["S"] != v for a, v in keys.items()):
                raise SeedFormatError(f"the compiled template makes another item than Cloner.items: {text[:200]}")
        if [item_size(item) for _, item in expected] != self.reference_sizes:
            raise SeedFormatError("a clone's items differ in size from the reference's (itemSize is copied)")
        inserts = {table: f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
                   for table, (_, _, columns, _) in self.layout.items()}
        rows: dict[str, list] = {table: [] for table in self.layout}
        pending = 0
        for shift, number, mapping in clones:
            mapping = mapping or cloner.mapping(number)
            for table, keys, text, position in self._clone(cloner, compiled, names, shift, mapping):
                rows[table].append(self._row(table, keys, text.encode(), self.sizes[position]))
            pending += len(compiled)
            if pending >= chunk:
                self._insert(inserts, rows)
                progress.advance(task, pending)
                pending = 0
        self._insert(inserts, rows)
        progress.advance(task, pending)
        self.db.close()

    @staticmethod
    def _clone(cloner: Cloner, compiled, names, shift: int, mapping: dict):
        values = {names[token]: value for token, value in mapping.items()}
        for position, (table, _, text, keys, dated) in enumerate(compiled):
            item = None
            for name, key in dated:
                if item is None:
                    item = cloner.template[table][compiled[position][1]]
                values[name] = cloner.dated(table, compiled[position][1], key, item, mapping, shift)
            yield table, {a: form.format_map(values) for a, form in keys.items()}, text.format_map(values), position

    def _insert(self, inserts, rows) -> None:
        """One transaction per chunk: DynamoDB Local sees whole accounts only."""
        self.db.execute("BEGIN")
        for table, batch in rows.items():
            if batch:
                self.db.executemany(inserts[table], batch)
                batch.clear()
        self.db.execute("COMMIT")
