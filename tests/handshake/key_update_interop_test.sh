#!/usr/bin/env bash
# KeyUpdate interop with Debian's OpenSSL (RFC 8446 §4.6.3), both ways:
#   - `volley client --key-update` against `openssl s_server -www -msg`: s_server must log the
#     KeyUpdate it received and the one it sent back (update_requested), and its page must still
#     arrive, under the updated keys both ways;
#   - `openssl s_client -msg` against `volley server --echo`: a line "K" on s_client's input sends
#     KeyUpdate(update_requested), "k" one without; volley must answer the first (s_client logs
#     the KeyUpdate it receives) and echo the lines sent after each.
# Every suite. Servers listen on 127.0.0.1 at a port they pick (port 0), every wait and every
# process is bounded in time, and every process started here is killed by its pid at exit.
set -uo pipefail

# shellcheck source=tests/handshake/interop_common.sh
source tests/handshake/interop_common.sh

# volley client --key-update -> openssl s_server.
client_case() {
  local suite=$1 iana
  iana=$(suite_name "$suite")
  cases=$((cases + 1))
  local log=$work/s_server.$cases.log out=$work/client.$cases.out err=$work/client.$cases.err
  "$openssl" s_server -accept 127.0.0.1:0 -naccept 1 -www -tls1_3 -msg -ciphersuites "$iana" \
    -cert "$pki/server-ecdsa-p256.pem" -key "$pki/server-ecdsa-p256.key.pem" \
    -cert_chain "$pki/intermediate.pem" >"$log" 2>&1 </dev/null &
  local server_pid=$!
  pids+=($server_pid)
  local line
  line=$(wait_for_line "$log" '^ACCEPT') || { fail "client $suite: s_server did not start"; cat "$log"; return; }
  local port=${line##*:}
  printf 'GET / HTTP/1.0\r\n\r\n' | timeout 20 "$volley" client "127.0.0.1:$port" \
    --cafile "$pki/root.pem" --servername localhost --suites "$suite" --key-update >"$out" 2>"$err"
  local code=$?
  kill "$server_pid" 2>/dev/null
  if [ "$code" != 0 ] || ! grep -q "key update sent" "$err" || ! grep -q "$iana" "$err"; then
    fail "client $suite: volley client exit $code, or no key update in its report"
    cat "$err"
    return
  fi
  # s_server -msg: "<<<" what it read, ">>>" what it wrote.
  if ! grep -qi '^<<< TLS 1.3, Handshake .*KeyUpdate' "$log" ||
     ! grep -qi '^>>> TLS 1.3, Handshake .*KeyUpdate' "$log"; then
    fail "client $suite: s_server did not receive and answer a KeyUpdate"
    grep -i keyupdate "$log"
    return
  fi
  if ! grep -q "Protocol *: *TLSv1.3" "$out"; then
    fail "client $suite: no page from s_server after the key update"
    head -c 600 "$out"
    return
  fi
  echo "ok: client $suite --key-update"
}

# openssl s_client (K, k) -> volley server --echo.
server_case() {
  local suite=$1 iana
  iana=$(suite_name "$suite")
  cases=$((cases + 1))
  local log=$work/volley_server.$cases.log out=$work/s_client.$cases.out
  "$volley" server --cert "$pki/server-ecdsa-p256.chain.pem" --key "$pki/server-ecdsa-p256.key.pem" \
    --port 0 --echo --count 1 --timeout 10 --suites "$suite" 2>"$log" &
  local server_pid=$!
  pids+=($server_pid)
  local line
  line=$(wait_for_line "$log" 'listening on') || { fail "server $suite: volley server did not start"; cat "$log"; return; }
  local port=${line##*:}
  # Each line waits for the one before it to be echoed.
  (echo "before $suite"; sleep 1; echo K; sleep 1; echo "after K $suite"; sleep 1; echo k; sleep 1
   echo "after k $suite"; sleep 1) |
    timeout 30 "$openssl" s_client -connect "127.0.0.1:$port" -CAfile "$pki/root.pem" \
      -verify_return_error -tls1_3 -ciphersuites "$iana" -servername localhost -msg >"$out" 2>&1
  local code=$?
  wait_for_line "$log" 'TLSv1.3|failed' >/dev/null
  kill "$server_pid" 2>/dev/null
  local sent received
  sent=$(grep -c '^>>> TLS 1.3, Handshake .*KeyUpdate' "$out")
  received=$(grep -c '^<<< TLS 1.3, Handshake .*KeyUpdate' "$out")
  if [ "$code" != 0 ] || ! grep -q "^before $suite\$" "$out" || ! grep -q "^after K $suite\$" "$out" ||
     ! grep -q "^after k $suite\$" "$out"; then
    fail "server $suite: s_client exit $code, or a line was not echoed"
    tail -30 "$out"
    cat "$log"
    return
  fi
  # Two sent (K, k); one answer received, for K only.
  if [ "$sent" != 2 ] || [ "$received" != 1 ]; then
    fail "server $suite: s_client sent $sent KeyUpdates (expected 2), received $received (expected 1)"
    grep -i keyupdate "$out"
    return
  fi
  if grep -q "alert" "$log"; then
    fail "server $suite: volley server reported an alert"
    cat "$log"
    return
  fi
  echo "ok: server $suite, s_client K and k"
}

for suite in aes-128-gcm aes-256-gcm chacha20-poly1305; do
  client_case "$suite"
  server_case "$suite"
done

echo "$cases cases, $failures failures"
[ "$failures" = 0 ]
