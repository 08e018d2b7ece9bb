#!/usr/bin/env bash
# Submission throughput beside pgbench, on the same machine in the same run
# (issue 9's goal: on PostgreSQL, minyi's accepted submissions per second
# at least half of `pgbench -c 8 -T 20` with its default script).
#
# Runs BenchmarkSubmit (internal/server: accepted submissions over HTTP on
# loopback, 8 and 32 clients, SQLite and PostgreSQL), then pgbench against a
# scratch database it creates, initialises and drops, and prints both
# figures and their ratio. `make bench` runs it from the repository root.
#
# Needs pgbench and a local PostgreSQL: PGHOST (127.0.0.1), PGPORT (5432),
# PGUSER (postgres) with trust or ~/.pgpass auth; the Go benchmark uses
# MINYI_TEST_POSTGRES (default: the database "test" on that server).
# BENCHTIME (2000x: submissions per Go benchmark; a duration works too)
# and PGBENCH_T (20 seconds) bound the run.
set -euo pipefail
cd "$(dirname "$0")/../../.."

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
export MINYI_TEST_POSTGRES=${MINYI_TEST_POSTGRES:-postgres://$PGUSER@$PGHOST:$PGPORT/test?sslmode=disable}
GO=${GO:-go}
BENCHTIME=${BENCHTIME:-2000x}
PGBENCH_T=${PGBENCH_T:-20}

for tool in pgbench psql; do
	command -v "$tool" >/dev/null || { echo "bench.sh: $tool not found: install the PostgreSQL client tools" >&2; exit 1; }
done
psql -qAtc 'SELECT 1' postgres >/dev/null || { echo "bench.sh: no PostgreSQL at $PGHOST:$PGPORT as $PGUSER" >&2; exit 1; }

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "PostgreSQL: $(psql -qAtc 'SHOW server_version' postgres), synchronous_commit=$(psql -qAtc 'SHOW synchronous_commit' postgres)"

out=$(mktemp)
db=minyi_pgbench_$$
cleanup() {
	rm -f "$out"
	psql -qc "DROP DATABASE IF EXISTS $db" postgres >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== minyi: BenchmarkSubmit, -benchtime $BENCHTIME"
$GO test -run '^$' -bench 'BenchmarkSubmit' -benchtime "$BENCHTIME" -count=1 ./internal/server/ | tee "$out"
metric() { # metric BENCHMARK-NAME-PREFIX UNIT
	awk -v name="$1" -v unit="$2" 'index($1, name) == 1 { for (i = 2; i <= NF; i++) if ($i == unit) print $(i-1) }' "$out"
}
minyi8=$(metric BenchmarkSubmit/postgres/clients=8 subs/s)
minyi32=$(metric BenchmarkSubmit/postgres/clients=32 subs/s)
[ -n "$minyi8" ] && [ -n "$minyi32" ] || { echo "bench.sh: no PostgreSQL result from BenchmarkSubmit" >&2; exit 1; }

echo "== pgbench -c 8 -T $PGBENCH_T (default TPC-B-like script) on scratch database $db"
psql -qc "CREATE DATABASE $db" postgres
pgbench -i -q "$db" >/dev/null 2>&1
pgbench -c 8 -T "$PGBENCH_T" "$db" 2>&1 | tee "$out"
tps=$(awk '/^tps = / { print $3; exit }' "$out")
[ -n "$tps" ] || { echo "bench.sh: no tps from pgbench" >&2; exit 1; }

echo "== summary (PostgreSQL)"
awk -v m8="$minyi8" -v m32="$minyi32" -v tps="$tps" 'BEGIN {
	printf "pgbench -c 8:               %8.1f tps\n", tps
	printf "minyi, 8 clients:           %8.1f accepted submissions/s  (%.2f × pgbench)\n", m8, m8 / tps
	printf "minyi, 32 clients:          %8.1f accepted submissions/s  (%.2f × pgbench)\n", m32, m32 / tps
	printf "goal (8 clients ≥ 0.5 × pgbench): %s\n", (m8 >= tps / 2 ? "met" : "NOT met")
}'
