#!/bin/bash
# `volley aead`: known vectors on every backend, round trips, tampering (exit 1, empty stdout) and
# malformed arguments (exit 2). Usage: aead_cli_test.sh path/to/volley
set -u

VOLLEY="$1"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
passed=0
failed=0

ok() { passed=$((passed + 1)); }
fail() {
  echo "FAIL: $*" >&2
  failed=$((failed + 1))
}

# unhex HEX writes the bytes of HEX to stdout; tohex reads bytes and prints lower-case hex.
unhex() { printf '%s' "$1" | xxd -r -p; }
tohex() { xxd -p | tr -d '\n'; }

# expect_seal AEAD BACKEND KEY NONCE AAD IN_HEX CT_HEX TAG_HEX: seal gives CT||TAG, open inverts it.
expect_seal() {
  local aead=$1 backend=$2 key=$3 nonce=$4 aad=$5 in=$6 ct=$7 tag=$8
  local got
  got=$(unhex "$in" | "$VOLLEY" aead seal --aead "$aead" --backend "$backend" --key "$key" \
    --nonce "$nonce" --aad "$aad" | tohex)
  if [ "$got" = "$ct$tag" ]; then ok; else fail "$aead/$backend seal: got $got, want $ct$tag"; fi
  got=$(unhex "$ct$tag" | "$VOLLEY" aead open --aead "$aead" --backend "$backend" --key "$key" \
    --nonce "$nonce" --aad "$aad" | tohex)
  if [ "$got" = "$in" ]; then ok; else fail "$aead/$backend open: got $got, want $in"; fi
}

# expect_exit CODE DESCRIPTION ARGS...: the command exits CODE with nothing on stdout.
expect_exit() {
  local want=$1 what=$2
  shift 2
  local code
  printf 'hello' | "$VOLLEY" "$@" >"$TMP/out" 2>"$TMP/stderr"
  code=${PIPESTATUS[1]}
  if [ "$code" != "$want" ]; then
    fail "$what: exit $code, want $want ($(cat "$TMP/stderr"))"
  elif [ -s "$TMP/out" ]; then
    fail "$what: wrote $(tohex <"$TMP/out") to stdout"
  elif [ "$want" != 0 ] && [ ! -s "$TMP/stderr" ]; then
    fail "$what: no message on stderr"
  else
    ok
  fi
}

# count_lines prints the number of non-empty lines of $1 (0 for an empty string).
count_lines() { printf '%s' "$1" | grep -c .; }

# cpu_has FLAG: /proc/cpuinfo (not volley's own detection) lists FLAG for this CPU.
cpu_has() { grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -qx "$1"; }

# Every backend this CPU runs, for each AEAD. Every AEAD has at least its portable backend, so an
# empty list is a failure, not a reason to test nothing.
for aead in aes-128-gcm aes-256-gcm chacha20-poly1305; do
  backends=$("$VOLLEY" aead --list-backends --aead "$aead")
  code=$?
  if [ "$code" != 0 ]; then fail "--list-backends --aead $aead: exit $code"; fi
  if [ -z "$backends" ]; then fail "--list-backends --aead $aead lists no backend"; fi
  eval "BACKENDS_${aead//-/_}=\"\$backends\""
done

# The fast backends this CPU's /proc/cpuinfo says it can run must be among those listed (and so
# tested below): the lists come from the code under test and could shrink without anyone noticing.
# expect_listed LIST AEAD BACKEND FLAG...: BACKEND is in LIST when the CPU has every FLAG.
expect_listed() {
  local list=$1 aead=$2 backend=$3 flag
  shift 3
  for flag in "$@"; do cpu_has "$flag" || return 0; done
  if printf '%s\n' "$list" | grep -qx "$backend"; then ok; else
    fail "$aead: the CPU has $* but --list-backends omits $backend"
  fi
}
if [ "$(uname -m)" = x86_64 ]; then
  vaes512=(sse4_1 aes pclmulqdq avx avx2 bmi2 vaes vpclmulqdq avx512f avx512bw avx512vl)
  for aead in aes-128-gcm aes-256-gcm; do
    eval "list=\$BACKENDS_${aead//-/_}"
    expect_listed "$list" "$aead" aesni sse4_1 aes pclmulqdq
    expect_listed "$list" "$aead" vaes-avx2 "${vaes512[@]:0:8}"
    expect_listed "$list" "$aead" vaes-avx512 "${vaes512[@]}"
  done
  expect_listed "$BACKENDS_chacha20_poly1305" chacha20-poly1305 ssse3 sse4_1
  expect_listed "$BACKENDS_chacha20_poly1305" chacha20-poly1305 avx2 sse4_1 avx avx2 bmi2
  expect_listed "$BACKENDS_chacha20_poly1305" chacha20-poly1305 avx512 sse4_1 avx avx2 bmi2 \
    avx512f avx512bw avx512vl avx512ifma
fi

# expect_checks SECTION BEFORE WANT: the section added WANT passing checks to |passed| since
# BEFORE was read. A loop over an empty list would otherwise pass without checking anything.
expect_checks() {
  local got=$((passed - $2))
  if [ "$got" != "$3" ]; then fail "$1: $got checks passed, want $3"; fi
}
N128=$(count_lines "$BACKENDS_aes_128_gcm")
N256=$(count_lines "$BACKENDS_aes_256_gcm")
NCHACHA=$(count_lines "$BACKENDS_chacha20_poly1305")
echo "backends: aes-128-gcm $N128, aes-256-gcm $N256, chacha20-poly1305 $NCHACHA"

# BoringSSL aes_128_gcm_tests.txt, cases 1 and 2 (empty message and AAD, then 5 bytes each).
before=$passed
for b in $BACKENDS_aes_128_gcm; do
  expect_seal aes-128-gcm "$b" d480429666d48b400633921c5407d1d1 3388c676dc754acfa66e172a "" "" \
    "" 7d7daf44850921a34e636b01adeb104f
  expect_seal aes-128-gcm "$b" 3881e7be1bb3bbcaff20bdb78e5d1b67 dcf5b7ae2d7552e2297fcfa9 \
    c60c64bbf7 0a2714aa7d 5626f96ecb ff4c4f1d92b0abb1d0820833d9eb83c7
done
expect_checks "aes-128-gcm known vectors" "$before" $((4 * N128))

# NIST GCM spec test case 16 (AES-256, 60-byte message, 20-byte AAD).
before=$passed
for b in $BACKENDS_aes_256_gcm; do
  expect_seal aes-256-gcm "$b" \
    feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308 cafebabefacedbaddecaf888 \
    feedfacedeadbeeffeedfacedeadbeefabaddad2 \
    d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39 \
    522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662 \
    76fc6ece0f4e1768cddf8853bb2d551b
done
expect_checks "aes-256-gcm known vector" "$before" $((2 * N256))

# RFC 8439 §2.8.2 (also the first case of BoringSSL's chacha20_poly1305_tests.txt).
RFC8439_IN=$(printf '%s' "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it." | tohex)
before=$passed
for b in $BACKENDS_chacha20_poly1305; do
  expect_seal chacha20-poly1305 "$b" \
    808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f 070000004041424344454647 \
    50515253c0c1c2c3c4c5c6c7 "$RFC8439_IN" \
    d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116 \
    1ae10b594f09e26a7e902ecbd0600691
done
expect_checks "chacha20-poly1305 known vector" "$before" $((2 * NCHACHA))

# Round trips on the default backend and on nohw, with several lengths, and tampering.
KEY16=000102030405060708090a0b0c0d0e0f
KEY32=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
NONCE=0a0b0c0d0e0f101112131415
before=$passed
for aead in aes-128-gcm aes-256-gcm chacha20-poly1305; do
  key=$KEY32
  [ "$aead" = aes-128-gcm ] && key=$KEY16
  for len in 0 1 16 255 4097 70000; do
    head -c "$len" /dev/urandom >"$TMP/msg"
    "$VOLLEY" aead seal --aead "$aead" --key "$key" --nonce "$NONCE" --aad 01020304 \
      <"$TMP/msg" >"$TMP/sealed"
    size=$(stat -c %s "$TMP/sealed")
    if [ "$size" != $((len + 16)) ]; then fail "$aead seal $len: $size bytes out"; fi
    VOLLEY_CPU_DISABLE=all "$VOLLEY" aead open --aead "$aead" --key "$key" --nonce "$NONCE" \
      --aad 01020304 <"$TMP/sealed" >"$TMP/opened"
    if cmp -s "$TMP/msg" "$TMP/opened"; then ok; else fail "$aead round trip $len (open on nohw)"; fi
  done

  # Tampering with the ciphertext, the tag, the AAD or the nonce: exit 1, nothing on stdout.
  head -c 100 /dev/urandom >"$TMP/msg"
  "$VOLLEY" aead seal --aead "$aead" --key "$key" --nonce "$NONCE" <"$TMP/msg" >"$TMP/sealed"
  for pos in 0 50 99 100 115; do
    cp "$TMP/sealed" "$TMP/bad"
    byte=$(xxd -s "$pos" -l 1 -p "$TMP/sealed")
    printf '%02x' $((0x$byte ^ 0x01)) | xxd -r -p | dd of="$TMP/bad" bs=1 seek="$pos" conv=notrunc 2>/dev/null
    "$VOLLEY" aead open --aead "$aead" --key "$key" --nonce "$NONCE" <"$TMP/bad" >"$TMP/out" 2>/dev/null
    code=$?
    if [ "$code" = 1 ] && [ ! -s "$TMP/out" ]; then ok; else fail "$aead tamper at $pos: exit $code"; fi
  done
  "$VOLLEY" aead open --aead "$aead" --key "$key" --nonce "$NONCE" --aad 00 <"$TMP/sealed" \
    >"$TMP/out" 2>/dev/null
  code=$?
  if [ "$code" = 1 ] && [ ! -s "$TMP/out" ]; then ok; else fail "$aead wrong AAD: exit $code"; fi
  "$VOLLEY" aead open --aead "$aead" --key "$key" --nonce 0a0b0c0d0e0f101112131416 \
    <"$TMP/sealed" >"$TMP/out" 2>/dev/null
  code=$?
  if [ "$code" = 1 ] && [ ! -s "$TMP/out" ]; then ok; else fail "$aead wrong nonce: exit $code"; fi
  # Shorter than a tag: a failed operation, not a malformed argument.
  expect_exit 1 "$aead open of 5 bytes" aead open --aead "$aead" --key "$key" --nonce "$NONCE"
done
# Per AEAD: 6 round trips, 5 flipped bytes, wrong AAD, wrong nonce, a 5-byte input.
expect_checks "round trips and tampering" "$before" $((3 * (6 + 5 + 1 + 1 + 1)))

# --list-backends: best first, the portable backend last.
for aead in aes-128-gcm aes-256-gcm chacha20-poly1305; do
  eval "list=\$BACKENDS_${aead//-/_}"
  last=$(echo "$list" | tail -n 1)
  if [ "$last" = nohw ]; then ok; else fail "$aead backends end with '$last', want nohw"; fi
done
only=$(VOLLEY_CPU_DISABLE=all "$VOLLEY" aead --list-backends --aead aes-128-gcm)
if [ "$only" = nohw ]; then ok; else fail "VOLLEY_CPU_DISABLE=all lists '$only', want nohw"; fi

# Malformed arguments: exit 2, a message, nothing on stdout.
A=(--aead aes-128-gcm --key "$KEY16" --nonce "$NONCE")
expect_exit 2 "bad hex key" aead seal --aead aes-128-gcm --key zz0102030405060708090a0b0c0d0e0f --nonce "$NONCE"
expect_exit 2 "odd-length key" aead seal --aead aes-128-gcm --key 0001020 --nonce "$NONCE"
expect_exit 2 "short key" aead seal --aead aes-128-gcm --key 0001 --nonce "$NONCE"
expect_exit 2 "AES-128 key for AES-256" aead seal --aead aes-256-gcm --key "$KEY16" --nonce "$NONCE"
expect_exit 2 "8-byte nonce" aead seal --aead aes-128-gcm --key "$KEY16" --nonce 0001020304050607
expect_exit 2 "bad hex nonce" aead seal --aead aes-128-gcm --key "$KEY16" --nonce 0a0b0c0d0e0f10111213141g
expect_exit 2 "bad hex aad" aead seal "${A[@]}" --aad xyz0
expect_exit 2 "unknown aead" aead seal --aead aes-192-gcm --key "$KEY16" --nonce "$NONCE"
expect_exit 2 "unknown backend" aead seal "${A[@]}" --backend no-such-backend
expect_exit 2 "backend of another family" aead seal "${A[@]}" --backend ssse3
expect_exit 2 "unknown op" aead encrypt "${A[@]}"
expect_exit 2 "no op" aead "${A[@]}"
expect_exit 2 "no key" aead seal --aead aes-128-gcm --nonce "$NONCE"
expect_exit 2 "no aead" aead seal --key "$KEY16" --nonce "$NONCE"
expect_exit 2 "unknown option" aead seal "${A[@]}" --frobnicate
expect_exit 2 "list-backends with an op" aead seal --list-backends --aead aes-128-gcm
expect_exit 2 "list-backends of an unknown aead" aead --list-backends --aead rot13
# A backend that exists but that this CPU (with every feature disabled) cannot run.
printf 'x' | VOLLEY_CPU_DISABLE=all "$VOLLEY" aead seal "${A[@]}" --backend aesni >"$TMP/out" \
  2>"$TMP/stderr"
code=${PIPESTATUS[1]}
if [ "$code" = 2 ] && [ ! -s "$TMP/out" ] && [ -s "$TMP/stderr" ]; then ok; else fail "unavailable backend: exit $code"; fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
