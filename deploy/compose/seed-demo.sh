#!/bin/sh
# The demo data of `cargo xtask up`, through the public API, for
# `docker compose up`: tenant `demo`, its admin, a customer with two sites and
# a French-speaking contact whose invitation is read from Mailpit and accepted.
# Idempotent: an existing tenant is left as it is.
set -eu
apk add --no-cache curl jq >/dev/null

API="$PORTAL_URL/api/v1"
call() { # method path token body -> body on stdout, fails on HTTP >= 400
    curl -sk --fail-with-body -X "$1" "$API$2" -H "Authorization: Bearer $3" \
        -H 'content-type: application/json' ${4:+-d "$4"}
}

echo "waiting for the portal to be ready..."
until curl -skf "$PORTAL_URL/readyz" >/dev/null; do sleep 1; done

status=$(curl -sk -o /dev/null -w '%{http_code}' -X POST "$API/tenants" \
    -H "Authorization: Bearer $PORTAL_OPERATOR_TOKEN" -H 'content-type: application/json' \
    -d '{"slug":"demo","name":"Demo Services","admin_email":"admin@demo.example","admin_password":"demo-admin-pass"}')
case "$status" in
    201) ;;
    409) echo "tenant demo exists: keeping its data"; exit 0 ;;
    *) echo "tenant creation answered $status" >&2; exit 1 ;;
esac

admin=$(call POST /auth/login "" \
    '{"tenant":"demo","email":"admin@demo.example","password":"demo-admin-pass"}' | jq -r .access_token)
customer=$(call POST /customers "$admin" \
    '{"number":"C-1001","name":"Boulangerie Martin","address":"12 rue de la Paix, Lyon","info":"Open 6:00-19:00"}' | jq -r .id)
call POST "/customers/$customer/sites" "$admin" \
    '{"name":"Lyon bakery","address":"12 rue de la Paix, Lyon","latitude":45.76,"longitude":4.83}' >/dev/null
call POST "/customers/$customer/sites" "$admin" \
    '{"name":"Villeurbanne workshop","address":"3 avenue Henri Barbusse, Villeurbanne","latitude":45.77,"longitude":4.88}' >/dev/null
contact=$(call POST "/customers/$customer/contacts" "$admin" \
    '{"name":"Claire Martin","email":"claire@martin.example","language":"fr","notifications":true}' | jq -r .id)
call PUT "/customers/$customer/portal" "$admin" '{"enabled":true}' >/dev/null
call POST "/contacts/$contact/invitation" "$admin" >/dev/null

echo "reading the invitation from Mailpit..."
token=""
while [ -z "$token" ]; do
    sleep 1
    id=$(curl -sf "$MAILPIT_URL/api/v1/search?query=to:claire@martin.example" | jq -r '.messages[0].ID // empty')
    [ -n "$id" ] || continue
    token=$(curl -sf "$MAILPIT_URL/api/v1/message/$id" | jq -r .Text | grep -o 'token=[A-Za-z0-9_-]*' | head -n 1 | cut -d= -f2)
done
call POST /auth/invitations/accept "" "{\"token\":\"$token\",\"password\":\"demo-contact-pass\"}" >/dev/null

echo "demo ready: tenant demo, admin@demo.example / demo-admin-pass, claire@martin.example / demo-contact-pass"
