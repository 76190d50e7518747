# tests/handshake/interop_common.sh: what every OpenSSL interop script shares, sourced after
# `set -uo pipefail` with the volley binary as $1: the paths, the work directory, the cleanup
# that kills every process whose pid is in $pids, failure counting, a bounded wait for a log
# line, and the OpenSSL names of volley's suites.

volley=$(realpath "$1")
pki=$(realpath tests/pki)
openssl=${OPENSSL:-openssl}
work=${TEST_TMPDIR:-$(mktemp -d)}
failures=0
cases=0
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# wait_for_line FILE PATTERN: up to 10 s for PATTERN to appear in FILE; prints the line.
wait_for_line() {
  for _ in $(seq 100); do
    if grep -m1 -E "$2" "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

suite_name() {
  case $1 in
    aes-128-gcm) echo TLS_AES_128_GCM_SHA256 ;;
    aes-256-gcm) echo TLS_AES_256_GCM_SHA384 ;;
    chacha20-poly1305) echo TLS_CHACHA20_POLY1305_SHA256 ;;
  esac
}

