#!/usr/bin/env bash
# Make sure the PostgreSQL and Redis the integration tests use are running on this machine (they normally are:
# the machine starts them). Starts them when they are installed but stopped; says clearly when they are missing.
set -euo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! up 5432; then
  if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; then
    echo "services: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
fi
if ! up 6379; then
  if command -v redis-server >/dev/null; then
    echo "services: starting Redis"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  fi
fi
for i in $(seq 1 30); do
  if up 5432 && up 6379; then exit 0; fi
  sleep 1
done
up 5432 || echo "services: PostgreSQL is not reachable on 127.0.0.1:5432 (tests that need it fail under CI=true)"
up 6379 || echo "services: Redis is not reachable on 127.0.0.1:6379 (tests that need it fail under CI=true)"
exit 0
