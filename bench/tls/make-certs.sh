#!/usr/bin/env bash
# Lab certificate for TLS=1 bench runs: one self-signed certificate for 127.0.0.1/localhost, made at run time.
# Writes into DIR: key.pem + cert.pem (Node upstream, nginx), bundle.pem (HAProxy: chain then key), server.p12 (the
# gateway's key store, alias "1", password changeit) and trust.p12 (PKCS12 trust store holding the certificate: the
# gateway verifies the wss upstream with it).
#   bench/tls/make-certs.sh DIR [KEY]     KEY: rsa2048 (default), rsa3072, ec256 or ed25519
set -euo pipefail
d=$1 key=${2:-rsa2048}
mkdir -p "$d"
[[ -f "$d/server.p12" && -f "$d/trust.p12" ]] && exit 0
case $key in
  rsa2048) newkey=(-newkey rsa:2048) ;;
  rsa3072) newkey=(-newkey rsa:3072) ;;
  ec256)   newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
  ed25519) newkey=(-newkey ed25519) ;;
  *) echo "make-certs.sh: unknown key type $key (rsa2048, rsa3072, ec256, ed25519)" >&2; exit 2 ;;
esac
openssl req -x509 "${newkey[@]}" -nodes -days 7 -subj "/CN=localhost" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$d/key.pem" -out "$d/cert.pem" 2>/dev/null
cat "$d/cert.pem" "$d/key.pem" > "$d/bundle.pem"
openssl pkcs12 -export -name 1 -inkey "$d/key.pem" -in "$d/cert.pem" -passout pass:changeit -out "$d/server.p12"
KEYTOOL="${KEYTOOL:-$(dirname "$(readlink -f "$(command -v "${JAVA:-java}")")")/keytool}"
out=$("$KEYTOOL" -importcert -noprompt -alias lab -file "$d/cert.pem" -keystore "$d/trust.p12" \
  -storetype PKCS12 -storepass changeit 2>&1) || { echo "$out" >&2; exit 1; }
chmod 600 "$d"/*.pem "$d"/*.p12
