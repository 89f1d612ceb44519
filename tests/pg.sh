#!/usr/bin/env bash
# Runs a command against a throwaway Postgres cluster:
#   tests/pg.sh cargo test -p sync-server
# Installs Debian's postgresql if it is missing, initdb's a cluster in a temp dir on a free
# loopback port (as the `postgres` user when running as root: Postgres refuses to run as
# root), exports DATABASE_URL, runs the command, and always stops and deletes the cluster.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
PG_BIN="$(find_bin)"
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "pg.sh: installing Debian's postgresql" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PG_BIN="$(find_bin)"
fi

as_pg_user=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  as_pg_user=(runuser -u postgres --)
fi

dir="$(mktemp -d /tmp/sync-pg.XXXXXX)"
chmod 755 "$dir"
[ "${#as_pg_user[@]}" -gt 0 ] && chown postgres "$dir"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

stop() {
  "${as_pg_user[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

"${as_pg_user[@]}" "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
# Durability is pointless for a throwaway cluster; skipping fsync keeps the suites fast.
"${as_pg_user[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
echo "pg.sh: Postgres $("$PG_BIN/postgres" --version | awk '{print $3}') at $DATABASE_URL" >&2
"$@"
