#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer where DATABASE_URL and REDIS_URL point (by default the
# local servers on their default ports), starting the local ones when they are installed here but
# down. Prints what to start when it can't.
set -u
# host and port of a URL such as postgres://user@host:5432/db or redis://host:6379/2
hostport() { local rest="${1#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"; rest="${rest%%\?*}"; local host="${rest%%:*}" port=""; [ "$rest" != "$host" ] && port="${rest##*:}"; echo "${host:-127.0.0.1} ${port:-$2}"; }
read -r pg_host pg_port <<<"$(hostport "${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kaiku}" 5432)"
read -r redis_host redis_port <<<"$(hostport "${REDIS_URL:-redis://127.0.0.1:6379}" 6379)"
local_default() { [ "$1" = 127.0.0.1 ] || [ "$1" = localhost ]; }
ok=0
if ! pg_isready -q -h "$pg_host" -p "$pg_port" 2>/dev/null; then
  if local_default "$pg_host" && [ "$pg_port" = 5432 ] && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "ensure-services: starting PostgreSQL" >&2
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h "$pg_host" -p "$pg_port" && break; sleep 1; done
  fi
  pg_isready -q -h "$pg_host" -p "$pg_port" 2>/dev/null || { echo "PostgreSQL is not reachable on $pg_host:$pg_port: start it (pg_ctlcluster <version> main start) or set DATABASE_URL" >&2; ok=1; }
fi
if ! redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1; then
  if local_default "$redis_host" && command -v redis-server >/dev/null; then
    echo "ensure-services: starting Redis on port $redis_port" >&2
    redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no >/dev/null
    for _ in $(seq 1 30); do redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 1; done
  fi
  redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1 || { echo "Redis is not reachable on $redis_host:$redis_port: start it (redis-server --daemonize yes) or set REDIS_URL" >&2; ok=1; }
fi
exit $ok
