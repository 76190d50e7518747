#!/usr/bin/env bash
# The per-ISA kernel archives of one architecture, given as arguments, keep their ISA code to
# themselves:
#
# - No archive defines weak (COMDAT) symbols: such a symbol is an inline function or template
#   instantiation that baseline code may also use, and the linker could keep the copy compiled with
#   -mavx512f (or +crypto) for a baseline caller, which would die with SIGILL on an older CPU. A
#   kernel exports only its strong kernel table(s).
# - The widest instructions appear only in the archives built with the flags that allow them, and
#   do appear there (so the check below cannot pass on objects it failed to disassemble): on
#   x86-64, zmm registers only in the *avx512* archives; on aarch64, the crypto extension (AES,
#   PMULL, SHA-2, SHA-512, SHA-3's EOR3) only in the *armv8* archives, each with the instructions
#   its kernel is written with, and none in the NEON-only ones.
#
# Every argument must be a readable archive or object that the tools can read; anything else fails.
# Usage: isa_isolation_test.sh --arch x86_64|aarch64 [--nm NM] [--objdump OBJDUMP] ARCHIVE...
set -euo pipefail

nm_tool=nm
objdump_tool=objdump
arch=
while [ $# -gt 0 ]; do
  case "$1" in
    --nm) nm_tool=$2; shift 2 ;;
    --objdump) objdump_tool=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    *) break ;;
  esac
done
case "$arch" in x86_64 | aarch64) ;; *) echo "FAIL: --arch x86_64|aarch64 is required"; exit 1 ;; esac

tmp=${TEST_TMPDIR:-$(mktemp -d)}
checked=0
bad=0
fail() {
  echo "FAIL: $*"
  bad=$((bad + 1))
}

# required ARCHIVE: the instructions (objdump mnemonics) that ARCHIVE's kernel is written with,
# one per line; empty for an archive that must have none of the architecture's wide instructions.
required() {
  case "$arch:$(basename "$1")" in
    x86_64:*avx512*) echo zmm ;;
    aarch64:libaes_gcm_armv8_sha3.*) printf '%s\n' aese aesmc pmull pmull2 eor3 ;;
    aarch64:libaes_gcm_armv8.*) printf '%s\n' aese aesmc pmull pmull2 ;;
    aarch64:libsha256_armv8.*) printf '%s\n' sha256h sha256h2 sha256su0 sha256su1 ;;
    aarch64:libsha512_armv8.*) printf '%s\n' sha512h sha512h2 sha512su0 sha512su1 ;;
  esac
}

# wide_instructions DISASSEMBLY: the distinct wide instructions found (zmm stands for any
# instruction on a zmm register).
wide_instructions() {
  if [ "$arch" = x86_64 ]; then
    grep -qE '%zmm[0-9]' "$1" && echo zmm
  else
    awk -F '\t' 'NF >= 3 { split($3, m, " "); print m[1] }' "$1" |
      grep -xE 'aes[de]|aesi?mc|pmull2?|sha1[a-z0-9]+|sha256[a-z0-9]+|sha512[a-z0-9]+|eor3|bcax|rax1|xar' |
      sort -u
  fi
  return 0
}

for archive in "$@"; do
  case "$archive" in
    *.a | *.lo | *.o) ;;
    # The shared-library form of the same library (cc_library builds both); the archive is checked.
    *.so) continue ;;
    *) fail "$archive: not an archive or object"; continue ;;
  esac
  checked=$((checked + 1))
  if [ ! -r "$archive" ]; then
    fail "$archive: missing or unreadable"
    continue
  fi
  if ! "$nm_tool" -C --defined-only "$archive" >"$tmp/syms" 2>"$tmp/err"; then
    fail "$archive: $nm_tool cannot read it: $(head -3 "$tmp/err")"
    continue
  fi
  # An archive without a strong defined symbol holds no kernel: built empty for this architecture.
  if ! awk '$2 ~ /^[TDRB]$/ { found = 1 } END { exit !found }' "$tmp/syms"; then
    fail "$archive defines no kernel symbol (built empty?)"
  fi
  # nm types: W/w weak, V/v weak object, u unique global (all COMDAT-like). DW.ref.* is the
  # exception-handling pointer to the C++ personality routine: data, identical in every object.
  weak=$(awk '$2 ~ /^[WVu]$/ && $3 !~ /^DW\.ref\./' "$tmp/syms")
  if [ -n "$weak" ]; then
    fail "$archive defines weak symbols that baseline code could bind to:"
    echo "$weak" | head -20
  fi

  if ! "$objdump_tool" -d "$archive" >"$tmp/asm" 2>"$tmp/err"; then
    fail "$archive: $objdump_tool cannot disassemble it: $(head -3 "$tmp/err")"
    continue
  fi
  found=$(wide_instructions "$tmp/asm")
  want=$(required "$archive")
  if [ -z "$want" ] && [ -n "$found" ]; then
    fail "$archive is not built for them but uses: $(echo $found)"
  fi
  for insn in $want; do
    printf '%s\n' "$found" | grep -qx "$insn" || fail "$archive does not use $insn"
  done
  if [ -n "$want" ]; then
    echo "ok: $(basename "$archive"): $(echo $found)"
  fi
done

if [ "$checked" -eq 0 ]; then
  echo "FAIL: no kernel archives were given to check"
  exit 1
fi
echo "$arch: $checked kernel archives checked, $bad failures"
[ "$bad" -eq 0 ]
