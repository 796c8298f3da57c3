#!/usr/bin/env bash
# Starts a local PostgreSQL for the store contract tests and prints the DSN.
#
# Idempotent: installs PostgreSQL only when pg_ctlcluster is missing, starts the
# cluster only when it is down, and creates the role and database only when absent.
# Runs as root on a fresh Debian/Ubuntu machine, with or without systemd.
# Diagnostics go to stderr; the last line on stdout is the export to eval:
#
#   eval "$(.ci/postgres.sh | tail -n 1)"
#   go test ./internal/store/ -count=1
set -euo pipefail

PGUSER_NAME=${VIGIL_PG_USER:-vigil}
PGPASS=${VIGIL_PG_PASSWORD:-vigil} # goes into the DSN verbatim: keep it URL-safe
PGDB=${VIGIL_PG_DB:-vigil_test}

log() { echo "postgres.sh: $*" >&2; }

if [[ $EUID -ne 0 ]]; then
	log "must run as root (it installs packages and runs commands as the postgres user)"
	exit 1
fi

# psql as the postgres superuser over the local socket; cd so psql does not
# complain about an unreadable working directory.
as_postgres() { (cd / && runuser -u postgres -- "$@"); }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
	log "installing postgresql"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq postgresql >&2
fi

# Use the first existing cluster; create one for the newest installed server if none.
read -r ver name port status _ < <(pg_lsclusters -h | head -n 1) || true
if [[ -z ${ver:-} ]]; then
	ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
	name=main
	log "creating cluster $ver/$name"
	pg_createcluster "$ver" "$name" >&2
	read -r ver name port status _ < <(pg_lsclusters -h | awk -v v="$ver" -v n="$name" '$1==v && $2==n')
fi

if [[ $status != online* ]]; then
	log "starting cluster $ver/$name on port $port"
	# Exit status 2 means "already running" (a race with another starter); readiness is checked below.
	pg_ctlcluster "$ver" "$name" start >&2 || [[ $? -eq 2 ]]
else
	log "cluster $ver/$name already running on port $port"
fi

for i in $(seq 1 60); do
	if pg_isready -q -h 127.0.0.1 -p "$port"; then
		break
	fi
	if [[ $i -eq 60 ]]; then
		log "postgres did not become ready on 127.0.0.1:$port"
		exit 1
	fi
	sleep 0.5
done

sql_quote() { printf "'%s'" "${1//\'/\'\'}"; }

if [[ -z $(as_postgres psql -p "$port" -Atc "SELECT 1 FROM pg_roles WHERE rolname = $(sql_quote "$PGUSER_NAME")") ]]; then
	log "creating role $PGUSER_NAME"
	# SUPERUSER so tests can create and drop their own schemas freely.
	as_postgres psql -p "$port" -v ON_ERROR_STOP=1 -qc "CREATE ROLE \"$PGUSER_NAME\" LOGIN SUPERUSER PASSWORD $(sql_quote "$PGPASS")" >&2
fi
if [[ -z $(as_postgres psql -p "$port" -Atc "SELECT 1 FROM pg_database WHERE datname = $(sql_quote "$PGDB")") ]]; then
	log "creating database $PGDB"
	as_postgres createdb -p "$port" -O "$PGUSER_NAME" "$PGDB" >&2
fi

echo "export VIGIL_TEST_POSTGRES='postgres://$PGUSER_NAME:$PGPASS@127.0.0.1:$port/$PGDB?sslmode=disable'"
