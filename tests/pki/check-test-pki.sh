#!/bin/bash
# check-test-pki.sh: the committed test PKI is what the tests assume (make-test-pki.sh's header):
# every good leaf verifies to root.pem through intermediate.pem in 2030, the expired leaf and the
# unknown-CA leaf do not, and every .key.pem matches its certificate.
set -euo pipefail
dir="$(dirname "$0")"
at=1893456000  # 2030-01-01 00:00:00 UTC
fail=0
verify() {
  openssl verify -attime "$at" -CAfile "$dir/root.pem" -untrusted "$dir/intermediate.pem" \
    -purpose "$2" "$dir/$1.pem" > /dev/null 2>&1
}
for leaf in server-ecdsa-p256 server-ecdsa-p384 server-ecdsa-p521 server-rsa-2048 \
  server-rsa-pss-2048 server-ed25519; do
  verify "$leaf" sslserver || { echo "FAIL: $leaf does not verify"; fail=1; }
done
for leaf in client-ecdsa-p256 client-rsa-2048 client-rsa-pss-2048 client-ed25519; do
  verify "$leaf" sslclient || { echo "FAIL: $leaf does not verify"; fail=1; }
  if verify "$leaf" sslserver; then echo "FAIL: $leaf verifies as a server"; fail=1; fi
done
for bad in expired-ecdsa-p256 unknown-ca-ecdsa-p256; do
  if verify "$bad" sslserver; then echo "FAIL: $bad verifies"; fail=1; fi
done
for bad in client-expired-ecdsa-p256 client-unknown-ca-ecdsa-p256; do
  if verify "$bad" sslclient; then echo "FAIL: $bad verifies"; fail=1; fi
done
for key in "$dir"/*.key.pem; do
  cert="${key%.key.pem}.pem"
  if [ "$(openssl pkey -in "$key" -pubout)" != "$(openssl x509 -in "$cert" -noout -pubkey)" ]; then
    echo "FAIL: $key does not match $cert"
    fail=1
  fi
done
[ "$fail" = 0 ] && echo "test PKI ok"
exit "$fail"
