"""meldroute benchmarks: each figure of ours against a baseline measured in the same run, on the same database.

`make bench` (or `uv run python -m bench`) runs them all and prints one table (name, ours, baseline, ratio,
aim and whether it is met), also written to `test-artifacts/bench.json`:

1. intake `POST /v1/signalen` throughput and p50/p99 at 32 connections against a bare Starlette INSERT
   endpoint, on PostgreSQL and SQLite (`bench.intake`);
2. the privacy gateway's case read against the same read straight from intake (`bench.gateway`);
3. one policy decision with the shipped policy (`bench.beleid`);
4. reporting's ingest of a million events and its statistics against raw SQL (`bench.reporting`);
5. a deep page of a million-signal queue against page 1 (`bench.wachtrij`).

Sizes come from `MELDROUTE_BENCH_*` variables (see `bench.config`); `--quick` or `MELDROUTE_BENCH_QUICK=1`
shrinks everything to seconds. PostgreSQL must answer on 127.0.0.1:5432 (user postgres) or at
`MELDROUTE_BENCH_PG`; the benchmarks create their own databases there and drop them afterwards.
"""
