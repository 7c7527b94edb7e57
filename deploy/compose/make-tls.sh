#!/bin/sh
# Makes the certificates for mutual TLS between Portal's services: an
# internal CA (ca.crt, ca.key) and one folder per service holding what that
# service mounts, as in a kubernetes.io/tls Secret: tls.crt (signed by the
# CA, its only DNS name the service's name: identity, gateway, requests,
# work-orders, documents, notification; server and client auth; ECDSA
# P-256), tls.key and ca.crt.
#
# Usage: sh deploy/compose/make-tls.sh [DIR]   (default: deploy/compose/tls)
#
# An existing CA is never replaced (a new one needs every service restarted,
# deploy/README.md). A service's certificate is kept while the CA verifies
# it, its key matches and it has 30 days or more left; otherwise it is made
# anew and a running service reads it within about 30 s. DIR is its owner's
# alone (0700) and ca.key, mounted nowhere, 0600; a service's folder and
# files are readable by all (0755, 0644) so that the containers' non-root
# user can read what is mounted.
set -eu
dir=${1:-$(dirname "$0")/tls}
ca_days=3650
days=825
umask 077
mkdir -p "$dir"
chmod 700 "$dir"

if [ ! -f "$dir/ca.crt" ] && [ ! -f "$dir/ca.key" ]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/ca.key"
  openssl req -x509 -new -key "$dir/ca.key" -out "$dir/ca.crt" -days "$ca_days" \
    -subj "/CN=Portal internal CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash"
  chmod 644 "$dir/ca.crt"
  echo "make-tls: new CA in $dir/ca.crt" >&2
elif [ ! -f "$dir/ca.crt" ] || [ ! -f "$dir/ca.key" ]; then
  echo "make-tls: $dir has only half a CA (ca.crt and ca.key go together); move it away to start over" >&2
  exit 1
fi

for service in identity gateway requests work-orders documents notification; do
  out="$dir/$service"
  mkdir -p "$out"
  chmod 755 "$out"
  if ! cmp -s "$dir/ca.crt" "$out/ca.crt"; then
    cp "$dir/ca.crt" "$out/ca.crt.new"
    chmod 644 "$out/ca.crt.new"
    mv -f "$out/ca.crt.new" "$out/ca.crt"
  fi
  crt="$out/tls.crt"
  key="$out/tls.key"
  if [ -f "$crt" ] && [ -f "$key" ] &&
    openssl verify -CAfile "$dir/ca.crt" "$crt" >/dev/null 2>&1 &&
    [ "$(openssl pkey -in "$key" -pubout 2>/dev/null)" = "$(openssl x509 -in "$crt" -noout -pubkey 2>/dev/null)" ] &&
    openssl x509 -in "$crt" -noout -checkend 2592000 >/dev/null 2>&1; then
    continue
  fi
  cat >"$out/ext.tmp" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:$service
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$key.new"
  openssl req -new -key "$key.new" -out "$out/csr.tmp" -subj "/CN=$service"
  # (quiet unless it fails: it reports every signature on stderr)
  if ! said=$(openssl x509 -req -in "$out/csr.tmp" -CA "$dir/ca.crt" \
    -CAkey "$dir/ca.key" -set_serial "0x$(openssl rand -hex 16)" -days "$days" \
    -extfile "$out/ext.tmp" -out "$crt.new" 2>&1); then
    echo "$said" >&2
    exit 1
  fi
  rm -f "$out/ext.tmp" "$out/csr.tmp"
  chmod 644 "$crt.new" "$key.new"
  # The key first: a service that looks in between finds a pair that does
  # not match and keeps its current one until its next look.
  mv -f "$key.new" "$key"
  mv -f "$crt.new" "$crt"
  echo "make-tls: new certificate for $service in $out" >&2
done
