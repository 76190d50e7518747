#!/bin/bash
# make-test-pki.sh: regenerates the test PKI in this directory (tests/pki/) with the openssl CLI.
# The outputs are committed; the tests read them and never run this script. Rerun it only to change
# the PKI, then commit every file it wrote: keys are random, so each run gives new keys and
# certificates (the names, extensions and dates stay the same).
#
#   root.pem                    "volley test root CA", ECDSA P-256, self-signed, CA:TRUE
#   intermediate.pem            "volley test intermediate CA", ECDSA P-256, signed by the root,
#                               CA:TRUE pathlen:0
#   server-<kind>.pem           server leaves signed by the intermediate, for DNS:localhost and
#   server-<kind>.key.pem       IP:127.0.0.1, extendedKeyUsage serverAuth; <kind> is ecdsa-p256,
#   server-<kind>.chain.pem     ecdsa-p384, ecdsa-p521, rsa-2048, rsa-pss-2048 (an id-RSASSA-PSS
#                               key, for the rsa_pss_pss_* schemes), ed25519. .key.pem is the
#                               private key (PKCS#8, unencrypted), .chain.pem the leaf then the
#                               intermediate, as a server sends them.
#   client-<kind>.*             client leaves for mutual TLS ("volley test client <kind>",
#                               extendedKeyUsage clientAuth, subjectAltName
#                               email:client@volley.test, DNS:client.volley.test, IP:192.0.2.7),
#                               signed by the intermediate; <kind> is ecdsa-p256, rsa-2048,
#                               rsa-pss-2048, ed25519
#   client-expired-ecdsa-p256.* a client leaf valid only 2020-01-01..2021-01-01
#   client-unknown-ca-ecdsa-p256.*  a client leaf signed by unknown-root
#   expired-ecdsa-p256.*        a server leaf valid only 2020-01-01..2021-01-01
#   unknown-root.pem            a second, untrusted root ("volley test unknown CA")
#   unknown-ca-ecdsa-p256.*     a server leaf for localhost signed by unknown-root
#
# Validity: every certificate except the expired leaf is valid from 2026-01-01 00:00:00 UTC to
# 2046-01-01 00:00:00 UTC. OpenSSL 3.0's `x509` has no -not_before/-not_after, so the certificates
# are issued with `openssl ca -startdate/-enddate`, which take fixed dates: the result does not
# depend on the day the script runs, and tests pin their VerifyTime inside the window (2030).
set -euo pipefail

out="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

start=20260101000000Z
end=20460101000000Z

cat > ca.cnf <<'CNF'
[ca]
default_ca = test_ca
[test_ca]
database = ./index.txt
new_certs_dir = ./issued
serial = ./serial
default_md = sha256
policy = any_policy
unique_subject = no
copy_extensions = none
email_in_dn = no
[any_policy]
commonName = supplied
[root_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[intermediate_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = email:client@volley.test, DNS:client.volley.test, IP:192.0.2.7
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
mkdir issued
: > index.txt
echo 1000 > serial

# key <file> <algorithm options...>: a new unencrypted PKCS#8 private key.
key() {
  local file="$1"
  shift
  openssl genpkey -quiet "$@" -out "$file"
}

# issue <name> <subject CN> <extensions> <issuer cert> <issuer key> [start] [end]: signs a CSR for
# <name>.key.pem into <name>.pem. The issuer "self" means a self-signed certificate.
issue() {
  local name="$1" cn="$2" ext="$3" issuer="$4" issuer_key="$5" from="${6:-$start}" to="${7:-$end}"
  openssl req -new -key "$name.key.pem" -subj "/CN=$cn" -out "$name.csr"
  if [ "$issuer" = self ]; then
    openssl ca -batch -config ca.cnf -selfsign -keyfile "$name.key.pem" -in "$name.csr" \
      -extensions "$ext" -startdate "$from" -enddate "$to" -notext -out "$name.pem" 2> /dev/null
  else
    openssl ca -batch -config ca.cnf -cert "$issuer" -keyfile "$issuer_key" -in "$name.csr" \
      -extensions "$ext" -startdate "$from" -enddate "$to" -notext -out "$name.pem" 2> /dev/null
  fi
}

ec256=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256)

key root.key.pem "${ec256[@]}"
issue root "volley test root CA" root_ext self ""
key intermediate.key.pem "${ec256[@]}"
issue intermediate "volley test intermediate CA" intermediate_ext root.pem root.key.pem

key server-ecdsa-p256.key.pem "${ec256[@]}"
key server-ecdsa-p384.key.pem -algorithm EC -pkeyopt ec_paramgen_curve:P-384
key server-ecdsa-p521.key.pem -algorithm EC -pkeyopt ec_paramgen_curve:P-521
key server-rsa-2048.key.pem -algorithm RSA -pkeyopt rsa_keygen_bits:2048
key server-rsa-pss-2048.key.pem -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048
key server-ed25519.key.pem -algorithm ED25519
key expired-ecdsa-p256.key.pem "${ec256[@]}"
key client-ecdsa-p256.key.pem "${ec256[@]}"
key client-rsa-2048.key.pem -algorithm RSA -pkeyopt rsa_keygen_bits:2048
key client-rsa-pss-2048.key.pem -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048
key client-ed25519.key.pem -algorithm ED25519
key client-expired-ecdsa-p256.key.pem "${ec256[@]}"

for kind in ecdsa-p256 ecdsa-p384 ecdsa-p521 rsa-2048 rsa-pss-2048 ed25519; do
  issue "server-$kind" localhost server_ext intermediate.pem intermediate.key.pem
done
issue expired-ecdsa-p256 localhost server_ext intermediate.pem intermediate.key.pem \
  20200101000000Z 20210101000000Z
for kind in ecdsa-p256 rsa-2048 rsa-pss-2048 ed25519; do
  issue "client-$kind" "volley test client $kind" client_ext intermediate.pem intermediate.key.pem
done
issue client-expired-ecdsa-p256 "volley test expired client" client_ext intermediate.pem \
  intermediate.key.pem 20200101000000Z 20210101000000Z

key unknown-root.key.pem "${ec256[@]}"
issue unknown-root "volley test unknown CA" root_ext self ""
key unknown-ca-ecdsa-p256.key.pem "${ec256[@]}"
issue unknown-ca-ecdsa-p256 localhost server_ext unknown-root.pem unknown-root.key.pem
key client-unknown-ca-ecdsa-p256.key.pem "${ec256[@]}"
issue client-unknown-ca-ecdsa-p256 "volley test unknown client" client_ext unknown-root.pem \
  unknown-root.key.pem

for leaf in server-ecdsa-p256 server-ecdsa-p384 server-ecdsa-p521 server-rsa-2048 \
  server-rsa-pss-2048 server-ed25519 expired-ecdsa-p256 client-ecdsa-p256 client-rsa-2048 \
  client-rsa-pss-2048 client-ed25519 client-expired-ecdsa-p256; do
  cat "$leaf.pem" intermediate.pem > "$leaf.chain.pem"
done
cat unknown-ca-ecdsa-p256.pem unknown-root.pem > unknown-ca-ecdsa-p256.chain.pem
cat client-unknown-ca-ecdsa-p256.pem unknown-root.pem > client-unknown-ca-ecdsa-p256.chain.pem

# The CA keys are not needed by any test and are not kept.
rm -f "$out"/*.pem
for f in *.pem; do
  case "$f" in
    root.key.pem | intermediate.key.pem | unknown-root.key.pem) ;;
    *) cp "$f" "$out/$f" ;;
  esac
done
echo "wrote $(ls "$out"/*.pem | wc -l) files to $out"
