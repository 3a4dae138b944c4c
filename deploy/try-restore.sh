#!/usr/bin/env bash
# Backs up and restores for real, on both databases: a closed vote is written, the database is
# backed up while the service runs, restored into a new database, and a service started on the
# restore must publish the same tally.
#   deploy/try-restore.sh [path/to/tinnhiem] [postgres://server/db-to-create-from]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-$here/../target/debug/tinnhiem}"
server="${2:-postgres://postgres@127.0.0.1:5432/test}"
work="$(mktemp -d)"
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    for d in "tinnhiem_backup_$$" "tinnhiem_restore_$$"; do
        psql "$server" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
export TINNHIEM_ADMIN_USERNAME=admin TINNHIEM_ADMIN_PASSWORD=admin-password-1 RUST_LOG=warn
export TINNHIEM_TOKEN_SECRET="kept with the backup: $(head -c 24 /dev/urandom | base64)"
base=http://127.0.0.1:18181/api/v1
json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }
post() { curl -sf "$base$1" -H "authorization: Bearer $2" -H 'content-type: application/json' -d "$3"; }
serve() {
    "$bin" serve --bind 127.0.0.1:18181 --database "$1" --workers 1 &
    pid=$!
    for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && return; sleep 0.2; done
    echo "service on $1 did not start" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }
login() { curl -sf $base/auth/login -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" | json '["access_token"]'; }

# A closed vote with three ballots; prints "vote_id tally".
closed_vote() {
    local admin council chair vote vote_id subject
    admin=$(login admin admin-password-1)
    council=$(post /councils "$admin" '{"name":"HĐND","seats":5}' | json '["id"]')
    printf 'username,full_name,roles,password\nchair,C,chair;delegate,password-1\nd1,D1,delegate,password-1\nd2,D2,delegate,password-1\n' |
        curl -sf "$base/councils/$council/members/import" -H "authorization: Bearer $admin" \
            -H 'content-type: text/csv' --data-binary @- >/dev/null
    chair=$(login chair password-1)
    vote=$(post "/councils/$council/votes" "$chair" \
        '{"title":"T","kind":"rating","subjects":[{"full_name":"A","positions":["P"]}]}')
    vote_id=$(echo "$vote" | json '["id"]')
    subject=$(echo "$vote" | json '["subjects"][0]["id"]')
    post "/votes/$vote_id/open" "$chair" '' >/dev/null
    for who in chair:high d1:low d2:low; do
        post "/votes/$vote_id/ballot" "$(login "${who%%:*}" password-1)" \
            "{\"marks\":{\"$subject\":\"${who##*:}\"}}" >/dev/null
    done
    post "/votes/$vote_id/close" "$chair" '' >/dev/null
    echo "$vote_id"
}
tally_of() { curl -sf "$base/votes/$1/tally" -H "authorization: Bearer $(login chair password-1)"; }

echo "== SQLite: online backup with VACUUM INTO, restore by copying the file back"
serve "$work/tinnhiem.db"
vote_id=$(closed_vote)
before=$(tally_of "$vote_id")
python3 -c "import sqlite3; sqlite3.connect('$work/tinnhiem.db').execute(\"VACUUM INTO '$work/backup.db'\")"
stop
mkdir "$work/restored" && cp "$work/backup.db" "$work/restored/tinnhiem.db"
# The signing key and its history live beside the database and are restored with it: the
# records of closed votes are served only under a key the installation knows.
cp "$work/tinnhiem-signing.key" "$work/tinnhiem-signing-keys.txt" "$work/restored/"
serve "$work/restored/tinnhiem.db"
after=$(tally_of "$vote_id")
stop
[ "$before" = "$after" ] || { echo "SQLite restore differs" >&2; exit 1; }
echo "same tally after restore"

echo "== PostgreSQL: pg_dump while serving, pg_restore into a new database"
psql "$server" -qc "CREATE DATABASE tinnhiem_backup_$$" >/dev/null
serve "${server%/*}/tinnhiem_backup_$$"
vote_id=$(closed_vote)
before=$(tally_of "$vote_id")
pg_dump --format=custom --file="$work/tinnhiem.dump" "${server%/*}/tinnhiem_backup_$$"
stop
psql "$server" -qc "CREATE DATABASE tinnhiem_restore_$$" >/dev/null
pg_restore --no-owner --dbname="${server%/*}/tinnhiem_restore_$$" "$work/tinnhiem.dump"
serve "${server%/*}/tinnhiem_restore_$$"
after=$(tally_of "$vote_id")
stop
[ "$before" = "$after" ] || { echo "PostgreSQL restore differs" >&2; exit 1; }
echo "same tally after restore"
echo "backup and restore on both databases: ok"
