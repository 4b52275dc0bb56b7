"""Large tables for the benchmarks, filled by cloning: one template account is built through the API
(bench/world.py `seed_account`, so its items have whatever shape the code of the day writes), read back
(templates.py), and copied N times with every id in it replaced and its dated index keys moved
(cloner.py), with BatchWriteItem, 25 items a call, under a progress bar (clones.py, tables.py) — or,
on DynamoDB Local's SQLite file, as rows written straight into it (sqlite_rows.py)."""
