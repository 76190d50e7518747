#!/usr/bin/env bash
# Constant-time check of volley's secret-handling code under valgrind's memcheck (issue 18): the
# ctgrind driver marks keys, nonces, plaintext, received ciphertext and tags, HMAC/HKDF inputs,
# X25519 scalars and record padding undefined, and memcheck must report nothing. Then two
# test-only leaky functions must be reported, so that a clean run means something.
#
# Each backend this CPU has must have been checked, unless valgrind 3.19 cannot run it. What it
# runs was found by executing one instruction of each extension under it: AES-NI, PCLMULQDQ, AVX2,
# BMI2 and ADX execute; VAES, VPCLMULQDQ, SHA-NI and AVX-512 raise SIGILL. Its CPUID also hides
# ADX, so x25519/mulx-adx is checked by calling its kernel directly (VOLLEY_CT_HIDDEN_OK). The
# rest (aes-gcm vaes-avx2 and vaes-avx512, chacha20-poly1305/chacha20 avx512, poly1305
# avx512ifma, sha256 shani, content-type avx512) is for tests/ct/dudect.cc, run by hand.
set -euo pipefail

bin=$1
valgrind=${VALGRIND:-valgrind}

if [ "$("$bin" --build-info)" = "asan" ]; then
  echo "SKIPPED: built with AddressSanitizer (--config=asan), which valgrind cannot run;" \
       "run without --config=asan for the constant-time check"
  exit 0
fi
if ! command -v "$valgrind" >/dev/null; then
  echo "FAIL: valgrind not found (tools/install-deps installs it)"
  exit 1
fi

log=${TEST_TMPDIR:-/tmp}/ctgrind.log
status=0
flags=" $(grep -m1 '^flags' /proc/cpuinfo) "
has() { for f in "$@"; do [[ $flags == *" $f "* ]] || return 1; done; }

hidden_ok=
has bmi2 adx && hidden_ok=mulx-adx

# 1. The real code: no report, every result right.
rc=0
VOLLEY_CT_HIDDEN_OK=$hidden_ok "$valgrind" --error-exitcode=1 --track-origins=yes \
  --num-callers=30 "$bin" >"$log" 2>&1 || rc=$?
cat "$log"
if [ "$rc" -ne 0 ]; then
  echo "FAIL: memcheck reported secret-dependent branches or addresses, or a result was wrong" \
       "(exit $rc)"
  status=1
fi

# expect NAME: the log must show NAME checked with no wrong result.
expect() {
  grep -Eq "^checked $1: [0-9]+ calls, 0 wrong$" "$log" ||
    { echo "FAIL: $1 was not checked (or gave a wrong result)"; status=1; }
}
for family in aes-128-gcm aes-256-gcm chacha20-poly1305 records-aes-128-gcm records-aes-256-gcm \
    records-chacha20-poly1305; do
  expect "$family/nohw"
done
expect 'chacha20/nohw'
expect 'poly1305/nohw'
expect 'tag-compare/ct_equal'
expect 'sha256\+hmac\+hkdf/nohw'
expect 'sha384\+sha512\+hmac\+hkdf/nohw'
expect 'x25519/nohw'
expect 'content-type/nohw'
if has aes pclmulqdq sse4_1; then
  for family in aes-128-gcm aes-256-gcm records-aes-128-gcm records-aes-256-gcm; do
    expect "$family/aesni"
  done
fi
if has sse4_1; then
  expect 'chacha20-poly1305/ssse3'
  expect 'records-chacha20-poly1305/ssse3'
  expect 'chacha20/ssse3'
fi
if has avx avx2 bmi2 sse4_1; then
  expect 'chacha20-poly1305/avx2'
  expect 'records-chacha20-poly1305/avx2'
  expect 'chacha20/avx2'
  expect 'poly1305/avx2'
  expect 'sha384\+sha512\+hmac\+hkdf/avx2'
  expect 'content-type/avx2'
fi
if [ -n "$hidden_ok" ]; then
  expect 'x25519/mulx-adx \(kernel called directly\)'
fi

# 2. The negative tests: a secret-dependent branch and a secret-dependent index must be reported,
# and so must the tag compare's verdict when the engine does not declassify it.
negative() {
  local which=$1 report=$2 fn=$3 rc=0
  "$valgrind" --error-exitcode=1 "$bin" --leaky="$which" >"$log" 2>&1 || rc=$?
  if [ "$rc" -eq 1 ] && grep -A4 "$report" "$log" | grep -q "$fn"; then
    echo "ok: memcheck reports the leaky $which in $fn, as it must"
  else
    cat "$log"
    echo "FAIL: memcheck did not report the leaky $which (exit $rc); the check would be vacuous"
    status=1
  fi
}
negative branch 'Conditional jump or move depends on uninitialised value' leaky_equal
negative index 'Use of uninitialised value of size 8' leaky_lookup
negative old-scan 'Conditional jump or move depends on uninitialised value' backwards_scan
negative undeclassified 'Conditional jump or move depends on uninitialised value' 'AeadKey::open'

[ "$status" -eq 0 ] && echo "PASS: no secret-dependent branch or index in what valgrind runs"
exit "$status"
