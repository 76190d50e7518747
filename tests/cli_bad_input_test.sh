#!/bin/bash
# Every `volley` subcommand on bad input (issue 18, item 4): out-of-range and malformed numbers,
# bad hex, unknown names, oversize inputs, missing or unreadable files, and a client pointed at a
# port nothing listens on (127.0.0.1 only). Each case must exit with its code (2 usage, 1 failure)
# within 20 s, print exactly one line on stderr naming the command, nothing on stdout, no abort
# or signal, and never the secret it was given (every key and secret below holds 5ec2e7).
# Usage: cli_bad_input_test.sh path/to/volley
set -u

VOLLEY="$1"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
PKI=tests/pki
passed=0
failed=0

fail() {
  echo "FAIL: $*" >&2
  failed=$((failed + 1))
}

# free_port prints a TCP port with no listener on it now (from /proc/net/tcp{,6}, state 0A), so
# that the client cases meet a refused connection and never anyone's server.
free_port() {
  local p hex
  for p in $(seq 29871 29999); do
    hex=$(printf '%04X' "$p")
    if ! awk '$4 == "0A" {print $2}' /proc/net/tcp /proc/net/tcp6 2>/dev/null |
      grep -q ":$hex\$"; then
      echo "$p"
      return
    fi
  done
  echo 29871
}
PORT=$(free_port)

# Inputs for the cases: secrets, oversize stdin and files, a file that is not PEM, a directory.
K16=5ec2e75ec2e75ec2e75ec2e75ec2e75e    # 16 bytes
K32=$K16$K16                           # 32 bytes
N12=000102030405060708090a0b
head -c 16385 /dev/zero >"$TMP/content-16385"        # one byte over a record's content
head -c 20000 /dev/urandom >"$TMP/record-20000"      # over any record
head -c $((1024 * 1024 + 1)) /dev/zero >"$TMP/big.pem" # over the 1 MiB a PEM file may have
printf 'not a PEM file\n' >"$TMP/junk.pem"
mkdir -p "$TMP/dir.pem"
LONG_ALPN=$(head -c 256 /dev/zero | tr '\0' a)
SERVER_FILES=(--cert "$PKI/server-ecdsa-p256.chain.pem" --key "$PKI/server-ecdsa-p256.key.pem")

# The table: expected exit code | stdin (a file, or - for none) | arguments | what the case is.
# Arguments are shell words, expanded (variables above) when the case runs.
CASES=$(cat <<'EOF'
2|-||no subcommand
2|-|frobnicate|unknown subcommand
2|-|selftest --bogus|selftest: unknown option
2|-|selftest extra|selftest: stray argument
2|-|aead seal --aead aes-128-gcm --key zz${K16:2} --nonce $N12|aead: non-hex key
2|-|aead seal --aead aes-128-gcm --key ${K16}0 --nonce $N12|aead: odd-length key
2|-|aead seal --aead aes-128-gcm --key $K32 --nonce $N12|aead: 32-byte key for AES-128
2|-|aead seal --aead aes-256-gcm --key $K16 --nonce $N12|aead: 16-byte key for AES-256
2|-|aead seal --aead aes-128-gcm --key $K16 --nonce ${N12}${N12}${N12}${N12}|aead: oversize nonce
2|-|aead seal --aead aes-128-gcm --key $K16 --nonce 0g0102030405060708090a0b|aead: non-hex nonce
2|-|aead seal --aead aes-128-gcm --key $K16 --nonce $N12 --aad 0|aead: odd-length aad
2|-|aead seal --aead aes-192-gcm --key $K16 --nonce $N12|aead: unknown aead
2|-|aead seal --aead aes-128-gcm --key $K16 --nonce $N12 --backend warp-drive|aead: unknown backend
2|-|aead encrypt --aead aes-128-gcm --key $K16 --nonce $N12|aead: unknown op
2|-|aead seal --aead aes-128-gcm --nonce $N12|aead: no key
1|-|aead open --aead aes-128-gcm --key $K16 --nonce $N12|aead: input shorter than a tag
1|$TMP/record-20000|aead open --aead aes-128-gcm --key $K16 --nonce $N12|aead: tag does not verify
2|-|record seal --suite TLS_AES_128_GCM_SHA256 --secret zz${K32:2}|record: non-hex secret
2|-|record seal --suite TLS_AES_128_GCM_SHA256 --secret ${K32}0|record: odd-length secret
2|-|record seal --suite TLS_AES_128_GCM_SHA256 --secret $K16|record: short secret
2|-|record seal --suite TLS_AES_256_GCM_SHA384 --secret $K32|record: SHA-256 secret for SHA-384
2|-|record seal --suite TLS_AES_512_GCM_SHA256 --secret $K32|record: unknown suite
2|-|record seal --suite TLS_AES_128_GCM_SHA256 --secret $K32 --backend warp-drive|record: unknown backend
2|-|record seal --suite TLS_AES_128_GCM_SHA256 --secret $K32 --seq -1|record: negative seq
2|-|record seal --suite TLS_AES_128_GCM_SHA256 --secret $K32 --seq 99999999999999999999|record: seq overflow
2|-|record seal --suite TLS_AES_128_GCM_SHA256 --secret $K32 --seq 12abc|record: non-numeric seq
2|-|record seal --suite TLS_AES_128_GCM_SHA256 --secret $K32 --type 20|record: type 20
2|-|record seal --suite TLS_AES_128_GCM_SHA256 --secret $K32 --type 0|record: type 0
2|-|record seal --suite TLS_AES_128_GCM_SHA256 --secret $K32 --type -23|record: negative type
2|-|record seal --suite TLS_AES_128_GCM_SHA256 --secret $K32 --type 99999999999999999999|record: type overflow
2|-|record seal --suite TLS_AES_128_GCM_SHA256 --secret $K32 --pad 16385|record: padding over the limit
2|-|record seal --suite TLS_AES_128_GCM_SHA256 --secret $K32 --pad 18446744073709551615|record: padding SIZE_MAX
2|-|record seal --suite TLS_AES_128_GCM_SHA256 --secret $K32 --pad 99999999999999999999|record: padding overflow
2|-|record seal --suite TLS_AES_128_GCM_SHA256 --secret $K32 --pad -1|record: negative padding
2|$TMP/content-16385|record seal --suite TLS_AES_128_GCM_SHA256 --secret $K32|record: oversize content
2|-|record seal --suite TLS_AES_128_GCM_SHA256 --secret $K32 --type 22|record: empty handshake record
1|-|record seal --suite TLS_AES_128_GCM_SHA256 --secret $K32 --seq 18446744073709551615|record: last sequence number
1|$TMP/record-20000|record open --suite TLS_AES_128_GCM_SHA256 --secret $K32|record: oversize record
1|$TMP/junk.pem|record open --suite TLS_AES_128_GCM_SHA256 --secret $K32|record: garbage record
1|-|record open --suite TLS_AES_128_GCM_SHA256 --secret $K32|record: empty input
2|-|speed --threads 0|speed: zero threads
2|-|speed --threads -1|speed: negative threads
2|-|speed --threads 257|speed: too many threads
2|-|speed --threads 99999999999999999999|speed: threads overflow
2|-|speed --threads two|speed: non-numeric threads
2|-|speed --sizes 0|speed: zero size
2|-|speed --sizes 16777217|speed: oversize message
2|-|speed --sizes 99999999999999999999|speed: size overflow
2|-|speed --sizes 16,,64|speed: empty list item
2|-|speed --batch 1025|speed: oversize batch
2|-|speed --duration -1|speed: negative duration
2|-|speed --duration 601|speed: duration over 600 s
2|-|speed --duration nan|speed: NaN duration
2|-|speed --repetitions 0|speed: zero repetitions
2|-|speed --aead rot13|speed: unknown aead
2|-|speed --backend warp-drive|speed: unknown backend
2|-|speed --impl boringssl|speed: unknown implementation
2|-|speed --op mangle|speed: unknown op
2|-|speed --json $TMP/no-such-dir/out.json|speed: unwritable output file
2|-|client|client: no target
2|-|client 127.0.0.1|client: no port
2|-|client 127.0.0.1:|client: empty port
2|-|client 127.0.0.1:0|client: port 0
2|-|client 127.0.0.1:65536|client: port over 65535
2|-|client 127.0.0.1:99999999999999999999|client: port overflow
2|-|client 127.0.0.1:-1|client: negative port
2|-|client 127.0.0.1:https|client: service name
2|-|client 127.0.0.1:$PORT --timeout 0|client: zero timeout
2|-|client 127.0.0.1:$PORT --timeout 99999999999999999999|client: timeout overflow
2|-|client 127.0.0.1:$PORT --suites aes-512-gcm|client: unknown suite
2|-|client 127.0.0.1:$PORT --suites ,|client: empty suite list
2|-|client 127.0.0.1:$PORT --groups x448|client: unknown group
2|-|client 127.0.0.1:$PORT --backend warp-drive|client: unknown backend
2|-|client 127.0.0.1:$PORT --alpn $LONG_ALPN|client: oversize ALPN name
2|-|client 127.0.0.1:$PORT --alpn h2,,http/1.1|client: empty ALPN name
1|-|client 127.0.0.1:$PORT --cafile $TMP/missing.pem|client: missing CA file
1|-|client 127.0.0.1:$PORT --cafile $TMP/junk.pem|client: CA file not PEM
1|-|client 127.0.0.1:$PORT --cafile $TMP/dir.pem|client: CA file a directory
1|-|client 127.0.0.1:$PORT --capath $TMP/missing|client: missing CA directory
1|-|client 127.0.0.1:$PORT --cafile $PKI/root.pem|client: refused connection
2|-|server|server: no cert or key
2|-|server ${SERVER_FILES[@]} --port -1|server: negative port
2|-|server ${SERVER_FILES[@]} --port 65536|server: port over 65535
2|-|server ${SERVER_FILES[@]} --port 99999999999999999999|server: port overflow
2|-|server ${SERVER_FILES[@]} --port http|server: non-numeric port
2|-|server ${SERVER_FILES[@]} --count -1|server: negative count
2|-|server ${SERVER_FILES[@]} --address localhost|server: address not numeric
2|-|server ${SERVER_FILES[@]} --address 127.0.0.1.1|server: malformed address
2|-|server ${SERVER_FILES[@]} --timeout 0|server: zero timeout
2|-|server ${SERVER_FILES[@]} --suites aes-512-gcm|server: unknown suite
2|-|server ${SERVER_FILES[@]} --groups x448|server: unknown group
2|-|server ${SERVER_FILES[@]} --backend warp-drive|server: unknown backend
2|-|server ${SERVER_FILES[@]} --echo --www|server: --echo with --www
1|-|server --cert $TMP/missing.pem --key $PKI/server-ecdsa-p256.key.pem|server: missing cert
1|-|server --cert $PKI/server-ecdsa-p256.chain.pem --key $TMP/missing.pem|server: missing key
1|-|server --cert $TMP/dir.pem --key $PKI/server-ecdsa-p256.key.pem|server: cert a directory
1|-|server --cert $PKI/server-ecdsa-p256.chain.pem --key $TMP/dir.pem|server: key a directory
1|-|server --cert $TMP/big.pem --key $PKI/server-ecdsa-p256.key.pem|server: oversize cert
1|-|server --cert $PKI/server-ecdsa-p256.chain.pem --key $TMP/big.pem|server: oversize key
1|-|server --cert $TMP/junk.pem --key $PKI/server-ecdsa-p256.key.pem|server: cert not PEM
1|-|server --cert $PKI/server-ecdsa-p256.chain.pem --key $TMP/junk.pem|server: key not PEM
1|-|server --cert $PKI/server-ecdsa-p256.chain.pem --key $PKI/server-rsa-2048.key.pem|server: key of another cert
EOF
)

# run_case CODE STDIN ARGS WHAT: runs one row and checks everything the header promises.
run_case() {
  local want=$1 input=$2 args=$3 what=$4 code lines
  local -a argv
  eval "argv=($args)"
  eval "input=$input"
  [ "$input" = - ] && input=/dev/null
  timeout 20 "$VOLLEY" "${argv[@]}" <"$input" >"$TMP/out" 2>"$TMP/err"
  code=$?
  lines=$(wc -l <"$TMP/err")
  if [ "$code" = 124 ]; then
    fail "$what: still running after 20 s"
  elif [ "$code" -ge 128 ]; then
    fail "$what: killed by signal $((code - 128)): $(head -c 300 "$TMP/err")"
  elif [ "$code" != "$want" ]; then
    fail "$what: exit $code, want $want: $(head -c 300 "$TMP/err")"
  elif [ -s "$TMP/out" ]; then
    fail "$what: $(wc -c <"$TMP/out") bytes on stdout"
  elif [ "$lines" != 1 ] || [ "$(tail -c 1 "$TMP/err" | od -An -c | tr -d ' ')" != '\n' ]; then
    fail "$what: $lines lines on stderr, want one: $(head -c 300 "$TMP/err")"
  elif ! grep -q '^volley[ a-z]*: ..' "$TMP/err"; then
    fail "$what: no 'volley COMMAND: reason' line: $(cat "$TMP/err")"
  elif grep -qiE 'terminate called|abort|sanitizer|runtime error' "$TMP/err"; then
    fail "$what: $(cat "$TMP/err")"
  elif grep -qi 5ec2e7 "$TMP/err"; then
    fail "$what: the secret is in the message: $(cat "$TMP/err")"
  else
    passed=$((passed + 1))
  fi
}

while IFS='|' read -r want input args what; do
  [ -n "$want" ] || continue
  run_case "$want" "$input" "$args" "$what"
done <<<"$CASES"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
