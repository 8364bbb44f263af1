#!/bin/bash
# The replica: copy the primary once (pg_basebackup -R writes the standby settings), then follow it.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_basebackup --host=postgres --username=replicator --pgdata="$PGDATA" -R --wal-method=stream --checkpoint=fast; do
    echo "waiting for the primary"; sleep 2
  done
  chmod 0700 "$PGDATA"
fi
exec postgres
