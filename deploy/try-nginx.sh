#!/usr/bin/env bash
# Runs deploy/nginx.conf for real: two replicas on one PostgreSQL database behind nginx, a whole
# vote through the proxy, one replica killed halfway. Needs nginx, curl, python3, PostgreSQL.
#   deploy/try-nginx.sh [path/to/tinnhiem] [postgres://server/db-to-create-from]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-$here/../target/debug/tinnhiem}"
server="${2:-postgres://postgres@127.0.0.1:5432/test}"
work="$(mktemp -d)"
db="tinnhiem_nginx_$$"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    psql "$server" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

psql "$server" -qc "CREATE DATABASE $db" >/dev/null
url="${server%/*}/$db"
export TINNHIEM_TOKEN_SECRET="shared by every replica: $(head -c 24 /dev/urandom | base64)"
export TINNHIEM_ADMIN_USERNAME=admin TINNHIEM_ADMIN_PASSWORD=admin-password-1 RUST_LOG=warn
for port in 8081 8082; do
    "$bin" serve --bind "127.0.0.1:$port" --database "$url" --workers 1 &
    pids+=($!)
done

# nginx with this directory's site config, in a scratch prefix, on port 8080 as written.
cat > "$work/nginx.conf" <<CONF
daemon on;
pid $work/nginx.pid;
error_log $work/error.log warn;
events {}
http {
    access_log off;
    client_body_temp_path $work/body;
    proxy_temp_path $work/proxy;
    include $here/nginx.conf;
}
CONF
nginx -t -q -c "$work/nginx.conf" -p "$work"
nginx -c "$work/nginx.conf" -p "$work"

base=http://127.0.0.1:8080/api/v1
for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }
post() { curl -sf --retry 3 --retry-delay 0 "$base$1" -H "authorization: Bearer $2" -H 'content-type: application/json' -d "$3"; }

admin=$(curl -sf $base/auth/login -H 'content-type: application/json' \
    -d '{"username":"admin","password":"admin-password-1"}' | json '["access_token"]')
council=$(post /councils "$admin" '{"name":"HĐND thử","seats":12}' | json '["id"]')
{
    echo "username,full_name,roles,password"
    echo "chair,Chủ tọa,chair;delegate,password-1"
    for i in $(seq 1 9); do echo "d$i,Đại biểu $i,delegate,password-1"; done
} | curl -sf "$base/councils/$council/members/import" -H "authorization: Bearer $admin" \
    -H 'content-type: text/csv' --data-binary @- >/dev/null
# A request nginx had already sent on a kept-alive connection to the killed replica is answered
# 502 and not resent (nginx never resends a POST it has sent); like a tablet, try again.
token() { curl -sf --retry 3 --retry-delay 0 $base/auth/login -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"password-1\"}" | json '["access_token"]'; }
chair=$(token chair)
vote=$(post "/councils/$council/votes" "$chair" \
    '{"title":"Thử","kind":"rating","subjects":[{"full_name":"A","positions":["P"]}]}')
vote_id=$(echo "$vote" | json '["id"]')
subject=$(echo "$vote" | json '["subjects"][0]["id"]')
post "/votes/$vote_id/open" "$chair" '' >/dev/null

# A retried cast whose first attempt did land answers 409 already-cast: the ballot is in.
cast() {
    local status
    status=$(curl -s -o /dev/null -w '%{http_code}' --retry 3 --retry-delay 0 \
        "$base/votes/$vote_id/ballot" -H "authorization: Bearer $(token "$1")" \
        -H 'content-type: application/json' -d "{\"marks\":{\"$subject\":\"$2\"}}")
    [ "$status" = 201 ] || [ "$status" = 409 ] || { echo "cast by $1 answered $status" >&2; exit 1; }
}
for i in 1 2 3 4; do cast "d$i" low; done
echo "killing one replica halfway"
kill "${pids[0]}"
for i in 5 6 7 8 9; do cast "d$i" high; done
cast chair medium

post "/votes/$vote_id/close" "$chair" '' >/dev/null
tally=$(curl -sf --retry 3 --retry-delay 0 "$base/votes/$vote_id/tally" -H "authorization: Bearer $chair")
counts=$(echo "$tally" | json '["results"][0]["counts"]')
echo "tally through nginx: $counts"
[ "$counts" = "{'high': 5, 'medium': 1, 'low': 4, 'blank': 0}" ] || { echo "unexpected tally" >&2; exit 1; }
problem=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$base/no-such-thing")
[ "$problem" = "404 application/problem+json" ] || { echo "proxy rewrote an error: $problem" >&2; exit 1; }
echo "nginx in front of two replicas: ok"
