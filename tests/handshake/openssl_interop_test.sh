#!/usr/bin/env bash
# Interop with Debian's OpenSSL, both ways, through the `volley client` and `volley server`
# commands: every TLS 1.3 suite, X25519 and P-256, an ECDSA, an RSA and an Ed25519 certificate,
# HelloRetryRequest (OpenSSL told to accept P-256 only while volley shares X25519 first), ALPN,
# SNI, and a certificate from an unknown CA and a wrong host name refused with their alerts;
# mutual TLS both ways (ECDSA, RSA, RSA-PSS and Ed25519 client certificates) and a client without a
# certificate refused with certificate_required; resumption with tickets both ways.
#
# Every server listens on 127.0.0.1 at a port it picks itself (port 0; each prints the port it
# took), every wait is bounded, and every process started here is killed by its pid at exit.
set -uo pipefail

# shellcheck source=tests/handshake/interop_common.sh
source tests/handshake/interop_common.sh

# start_s_server LEAF EXTRA...: an OpenSSL server for one connection, answering HTTP (-www);
# sets $port.
start_s_server() {
  local leaf=$1
  shift
  local log=$work/s_server.$cases.log
  "$openssl" s_server -accept 127.0.0.1:0 -naccept 1 -www -tls1_3 \
    -cert "$pki/$leaf.pem" -key "$pki/$leaf.key.pem" -cert_chain "$pki/intermediate.pem" \
    "$@" >"$log" 2>&1 </dev/null &
  pids+=($!)
  local line
  line=$(wait_for_line "$log" '^ACCEPT') || { fail "s_server did not start"; cat "$log"; return 1; }
  port=${line##*:}
}

# volley client -> openssl s_server.
# client_case NAME LEAF "S_SERVER OPTIONS" "VOLLEY OPTIONS" EXPECT_EXIT STDERR_PATTERN
client_case() {
  local name=$1 leaf=$2 server_opts=$3 client_opts=$4 want_exit=$5 want=$6
  cases=$((cases + 1))
  # shellcheck disable=SC2086
  start_s_server "$leaf" $server_opts || return
  local out=$work/client.$cases.out err=$work/client.$cases.err
  # shellcheck disable=SC2086
  printf 'GET / HTTP/1.0\r\n\r\n' | timeout 20 "$volley" client "127.0.0.1:$port" \
    --cafile "$pki/root.pem" --servername localhost $client_opts >"$out" 2>"$err"
  local code=$?
  if [ "$code" != "$want_exit" ]; then
    fail "$name: volley client exit $code, expected $want_exit"
    cat "$err"
    return
  fi
  if ! grep -qE "$want" "$err"; then
    fail "$name: volley client's report lacks /$want/"
    cat "$err"
    return
  fi
  if [ "$want_exit" = 0 ] && ! grep -q "Protocol *: *TLSv1.3" "$out"; then
    fail "$name: no page from s_server"
    head -c 600 "$out"
    return
  fi
  echo "ok: $name"
}

# openssl s_client -> volley server.
# server_case NAME LEAF "VOLLEY SERVER OPTIONS" "S_CLIENT OPTIONS" EXPECT_SUCCESS LOG_PATTERN
server_case() {
  local name=$1 leaf=$2 server_opts=$3 client_opts=$4 want_ok=$5 want=$6
  cases=$((cases + 1))
  local log=$work/volley_server.$cases.log
  # shellcheck disable=SC2086
  "$volley" server --cert "$pki/$leaf.chain.pem" --key "$pki/$leaf.key.pem" --port 0 --echo \
    --count 1 --timeout 10 $server_opts 2>"$log" &
  local server_pid=$!
  pids+=($server_pid)
  local line
  line=$(wait_for_line "$log" 'listening on') || { fail "$name: volley server did not start"; cat "$log"; return; }
  local port=${line##*:}
  local out=$work/s_client.$cases.out
  # Send a line, leave a second for the echo, then end input: s_client sends close_notify.
  # shellcheck disable=SC2086
  (echo "volley interop $name"; sleep 1) | timeout 20 "$openssl" s_client \
    -connect "127.0.0.1:$port" -CAfile "$pki/root.pem" -verify_return_error -tls1_3 \
    $client_opts >"$out" 2>&1
  local code=$?
  wait_for_line "$log" 'TLSv1.3|failed' >/dev/null
  if [ "$want_ok" = yes ]; then
    if [ "$code" != 0 ] || ! grep -q "^volley interop $name\$" "$out" ||
       ! grep -q "Verify return code: 0 (ok)" "$out"; then
      fail "$name: s_client exit $code, or no echo, or the chain did not verify"
      tail -20 "$out"
      cat "$log"
      return
    fi
  fi
  if ! grep -qE "$want" "$log"; then
    fail "$name: volley server's log lacks /$want/"
    cat "$log"
    tail -5 "$out"
    return
  fi
  echo "ok: $name"
}

for suite in aes-128-gcm aes-256-gcm chacha20-poly1305; do
  iana=$(suite_name $suite)
  for group in x25519:X25519 p256:P-256; do
    vgroup=${group%%:*}
    ogroup=${group##*:}
    for leaf in server-ecdsa-p256 server-rsa-2048 server-ed25519; do
      client_case "client $suite $vgroup $leaf" "$leaf" "-ciphersuites $iana -groups $ogroup" \
        "--suites $suite --groups $vgroup" 0 "$iana"
      server_case "server $suite $vgroup $leaf" "$leaf" "--suites $suite --groups $vgroup" \
        "-ciphersuites $iana -groups $ogroup -servername localhost" yes "$iana"
    done
  done
done

# HelloRetryRequest both ways: volley shares X25519 first; OpenSSL accepts P-256 only, and the
# other way round.
client_case "client HRR" server-ecdsa-p256 "-groups P-256" "--groups x25519,p256" 0 "secp256r1.* hrr"
server_case "server HRR" server-ecdsa-p256 "--groups p256" "-groups X25519:P-256" yes "hrr"

# ALPN and SNI.
client_case "client ALPN" server-ecdsa-p256 "-alpn http/1.1" "--alpn h2,http/1.1" 0 "alpn=http/1.1"
server_case "server ALPN, SNI" server-ecdsa-p256 "--alpn h2" \
  "-alpn spdy/1,h2 -servername localhost" yes "alpn=h2 sni=localhost"

# Refusals: the right alert, sent by volley.
client_case "client unknown CA" unknown-ca-ecdsa-p256 "" "" 1 "unknown_ca sent"
cases=$((cases + 1))
start_s_server server-ecdsa-p256 && {
  printf 'x' | timeout 20 "$volley" client "127.0.0.1:$port" --cafile "$pki/root.pem" \
    --servername wrong.example >/dev/null 2>"$work/wrong_host.err"
  if [ $? = 1 ] && grep -q "bad_certificate sent" "$work/wrong_host.err"; then
    echo "ok: client wrong host name"
  else
    fail "client wrong host name"
    cat "$work/wrong_host.err"
  fi
}
server_case "server, client without a common suite" server-ecdsa-p256 "--suites aes-256-gcm" \
  "-ciphersuites TLS_AES_128_GCM_SHA256" no "handshake_failure sent"

# Mutual TLS: volley client with --cert/--key -> s_server -Verify 1, which must have verified
# the client's chain (its log) and shows the client's subject on its page.
for kind in ecdsa-p256 rsa-2048 rsa-pss-2048 ed25519; do
  client_case "client mTLS $kind" server-ecdsa-p256 "-Verify 1 -CAfile $pki/root.pem" \
    "--cert $pki/client-$kind.chain.pem --key $pki/client-$kind.key.pem" 0 "TLSv1.3" || continue
  if ! grep -q "Subject: CN=volley test client $kind" "$work/client.$cases.out" ||
     ! grep -q "depth=0 CN = volley test client $kind" "$work/s_server.$cases.log" ||
     grep -qi "error" "$work/s_server.$cases.log"; then
    fail "client mTLS $kind: s_server did not verify the client certificate"
    cat "$work/s_server.$cases.log"
  fi
done
client_case "client without certificate, s_server requires one" server-ecdsa-p256 \
  "-Verify 1 -CAfile $pki/root.pem" "" 1 "certificate_required received"

# openssl s_client -cert/-key -> volley server --verify-client required; the server logs the
# client's subject and names.
for kind in ecdsa-p256 rsa-pss-2048 ed25519; do
  server_case "server mTLS $kind" server-ecdsa-p256 \
    "--verify-client required --cafile $pki/root.pem" \
    "-cert $pki/client-$kind.pem -key $pki/client-$kind.key.pem -cert_chain $pki/intermediate.pem" \
    yes "client subject=CN=volley test client $kind san=DNS:client.volley.test,IP:192.0.2.7"
done
server_case "server mTLS optional, no client certificate" server-ecdsa-p256 \
  "--verify-client optional --cafile $pki/root.pem" "" yes "no client certificate"
server_case "server mTLS required, no client certificate" server-ecdsa-p256 \
  "--verify-client required --cafile $pki/root.pem" "" no "certificate_required sent"
server_case "server mTLS, client certificate from an unknown CA" server-ecdsa-p256 \
  "--verify-client required --cafile $pki/root.pem" \
  "-cert $pki/client-unknown-ca-ecdsa-p256.pem -key $pki/client-unknown-ca-ecdsa-p256.key.pem" \
  no "unknown_ca sent"

# Resumption (RFC 8446 §2.2), both ways: one server, two connections, the second resumed with the
# first one's ticket.
cases=$((cases + 1))
start_s_server server-ecdsa-p256 -naccept 2 && {
  sess=$work/volley.sess
  ok=yes
  for n in 1 2; do
    if [ $n = 1 ]; then opts="--sess-out $sess"; else opts="--sess-in $sess"; fi
    # shellcheck disable=SC2086
    printf 'GET / HTTP/1.0\r\n\r\n' | timeout 20 "$volley" client "127.0.0.1:$port" \
      --cafile "$pki/root.pem" --servername localhost $opts >"$work/resume.$n.out" \
      2>"$work/resume.$n.err" || ok=no
  done
  if [ $ok = yes ] && grep -q " full" "$work/resume.1.err" &&
     grep -q " resumed" "$work/resume.2.err" && grep -q "^Reused, TLSv1.3" "$work/resume.2.out"; then
    echo "ok: client resumption"
  else
    fail "client resumption"
    cat "$work/resume.1.err" "$work/resume.2.err"
    grep -E "^(New|Reused)" "$work/resume.2.out"
  fi
}
cases=$((cases + 1))
log=$work/volley_server.resume.log
"$volley" server --cert "$pki/server-ecdsa-p256.chain.pem" --key "$pki/server-ecdsa-p256.key.pem" \
  --port 0 --echo --count 2 --timeout 10 --tickets 2 2>"$log" &
pids+=($!)
if line=$(wait_for_line "$log" 'listening on'); then
  port=${line##*:}
  sess=$work/openssl.sess
  for n in 1 2; do
    if [ $n = 1 ]; then opts="-sess_out $sess"; else opts="-sess_in $sess"; fi
    # shellcheck disable=SC2086
    (echo "resume $n"; sleep 1) | timeout 20 "$openssl" s_client -connect "127.0.0.1:$port" \
      -CAfile "$pki/root.pem" -tls1_3 -servername localhost $opts >"$work/s_resume.$n.out" 2>&1
  done
  if grep -q "^New, TLSv1.3" "$work/s_resume.1.out" &&
     grep -q "^Reused, TLSv1.3" "$work/s_resume.2.out" && grep -q " resumed" "$log"; then
    echo "ok: server resumption"
  else
    fail "server resumption"
    grep -E "^(New|Reused)" "$work/s_resume.1.out" "$work/s_resume.2.out"
    cat "$log"
  fi
else
  fail "server resumption: volley server did not start"
fi

echo "$cases cases, $failures failures"
[ "$failures" = 0 ]
