#!/bin/sh
# Prints fresh secrets for docker-compose.yml: the operator token, one secret
# per service (each service is given only its own), and PORTAL_PEERS, the
# SHA-256 digests by which services know each other
# (docs/adr/0017-service-identities.md), and a NATS password per service.
# It also makes the certificates for mutual TLS between the services in
# deploy/compose/tls/ (make-tls.sh: an existing CA is kept).
# Usage: sh deploy/compose/make-env.sh > .env
set -eu
sh "$(dirname "$0")/make-tls.sh" "$(dirname "$0")/tls" >&2
printf 'PORTAL_COMPOSE_TLS_DIR=./deploy/compose/tls\n'
printf 'PORTAL_OPERATOR_TOKEN=%s\n' "$(openssl rand -hex 24)"
peers=""
for service in identity gateway requests work-orders documents notification; do
  secret=$(openssl rand -hex 24)
  var=$(printf 'PORTAL_%s_SECRET' "$service" | tr 'a-z-' 'A-Z_')
  printf '%s=%s\n' "$var" "$secret"
  digest=$(printf '%s' "$secret" | sha256sum | cut -d' ' -f1)
  peers="${peers:+$peers,}$service=$digest"
done
printf 'PORTAL_PEERS=%s\n' "$peers"
# NATS: a user per service and admin (deploy/compose/nats-authorization.conf).
for user in admin identity gateway requests work-orders documents notification; do
  var=$(printf 'PORTAL_NATS_PASSWORD_%s' "$user" | tr 'a-z-' 'A-Z_')
  printf '%s=%s\n' "$var" "$(openssl rand -hex 24)"
done
