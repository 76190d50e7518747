#!/usr/bin/env bash
# The content-type scan is constant time under valgrind's memcheck (tests/content_type_ctgrind.cc
# marks the inner plaintext undefined): every backend valgrind can run must be clean, and the old
# backwards scan, run by the same binary, must be reported, so that this test cannot pass because
# memcheck saw nothing at all.
#
# Not covered here: the avx512 backend. Valgrind 3.19 cannot execute AVX-512 instructions and its
# CPUID hides AVX-512, so dispatch reports that backend unavailable inside valgrind. Its
# instruction sequence is fixed by |len| by construction (masked loads and moves, one BSR of a
# mask, no branch on data); bench/content_type_bench shows equal times across padding lengths.
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
reports='Conditional jump or move depends on uninitialised value|Use of uninitialised value'
status=0

# 1. The kernels: clean, and the right answers.
rc=0
"$valgrind" --error-exitcode=1 --track-origins=yes "$bin" >"$log" 2>&1 || rc=$?
cat "$log"
if [ "$rc" -ne 0 ] || grep -Eq "$reports" "$log"; then
  echo "FAIL: memcheck reported the content-type kernels (exit $rc)"
  status=1
fi
grep -q '^checked nohw: .* 0 wrong$' "$log" || { echo "FAIL: nohw was not checked"; status=1; }
if grep -qw avx2 /proc/cpuinfo; then
  grep -q '^checked avx2: .* 0 wrong$' "$log" || { echo "FAIL: avx2 was not checked"; status=1; }
fi

# 2. The old scan: memcheck must see its data-dependent branches.
rc=0
"$valgrind" --error-exitcode=1 --track-origins=yes "$bin" --old-scan >"$log" 2>&1 || rc=$?
if [ "$rc" -eq 1 ] && grep -q 'Conditional jump or move depends on uninitialised value' "$log"; then
  echo "ok: memcheck reports the old backwards scan, as it must:"
  grep -m3 -A3 'Conditional jump or move depends on uninitialised value' "$log"
else
  cat "$log"
  echo "FAIL: memcheck did not report the old scan (exit $rc); this check would be vacuous"
  status=1
fi

[ "$status" -eq 0 ] && echo "PASS: content-type kernels clean under memcheck, old scan reported"
exit "$status"
