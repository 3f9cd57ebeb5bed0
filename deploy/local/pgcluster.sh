#!/usr/bin/env bash
# A private PostgreSQL cluster in a folder, run by an unprivileged user (PostgreSQL refuses
# root): Debian's initdb/pg_ctl, listening on 127.0.0.1 only, password (SCRAM) logins only.
#
#   pgcluster.sh init   DIR PORT     create DIR with an administrator "postgres" whose password
#                                    is written to DIR.password (mode 600)
#   pgcluster.sh start  DIR PORT     start (no-op if running)
#   pgcluster.sh stop   DIR          fast shutdown (no-op if stopped)
#   pgcluster.sh status DIR          exit 0 if running
#   pgcluster.sh dsn    DIR PORT     print the administrator's connection string
#
# BULWARK_PG_FAST=1 (tests) turns off fsync and full-page writes: an operating-system crash
# could lose data, a PostgreSQL crash cannot. synchronous_commit stays on, because with it off
# a crashed server process loses the last commits (the fault suite crashes one on purpose and
# expects every acknowledged commit to survive it, as it would in production).
set -euo pipefail

pg_bin() {
  local v
  v=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
  [ -n "$v" ] || { echo "PostgreSQL server binaries not found; install the Debian package postgresql" >&2; exit 1; }
  echo "/usr/lib/postgresql/$v/bin"
}

# Runs a command as the cluster's user: postgres when we are root, ourselves otherwise.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# When root, the postgres user must be able to reach DIR: give search (x, not read) permission
# on any ancestor that lacks it, and say so.
make_reachable() {
  local d
  d=$(dirname "$1")
  [ "$(id -u)" = 0 ] || return 0
  while [ "$d" != "/" ]; do
    if ! runuser -u postgres -- test -x "$d"; then
      chmod o+x "$d"
      echo "note: gave other users search permission on $d so that PostgreSQL (user postgres) can reach its data" >&2
    fi
    d=$(dirname "$d")
  done
}

cmd=${1:-}; dir=${2:-}; port=${3:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,12p' "$0"; exit 2; }
dir=$(realpath -m "$dir")
bin=$(pg_bin)

case "$cmd" in
  init)
    [ -f "$dir/PG_VERSION" ] && exit 0
    mkdir -p "$dir"
    make_reachable "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    chmod 700 "$dir"
    umask 077
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir.password"
    pwtmp=$(mktemp)
    cp "$dir.password" "$pwtmp"
    [ "$(id -u)" = 0 ] && chown postgres "$pwtmp"
    as_pg "$bin/initdb" -D "$dir" -U postgres --pwfile="$pwtmp" --auth-host=scram-sha-256 \
      --auth-local=reject -E UTF8 --locale=C >/dev/null
    rm -f "$pwtmp"
    ;;
  start)
    [ -n "$port" ] || { echo "start needs a port" >&2; exit 2; }
    if as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then exit 0; fi
    as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300${BULWARK_PG_FAST:+ -c fsync=off -c full_page_writes=off}" \
      start >/dev/null
    ;;
  stop)
    [ -f "$dir/PG_VERSION" ] || exit 0
    if as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    fi
    ;;
  status)
    as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1
    ;;
  dsn)
    echo "host=127.0.0.1 port=$port user=postgres password=$(cat "$dir.password") dbname=postgres"
    ;;
  *)
    sed -n '2,12p' "$0"; exit 2 ;;
esac
