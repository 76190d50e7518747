#!/usr/bin/env bash
# Every per-ISA kernel archive given as an argument must define no weak (COMDAT) symbols: such a
# symbol is an inline function or template instantiation that baseline code may also use, and the
# linker could keep the copy compiled with -mavx512f (or similar) for a baseline caller, which
# would die with SIGILL on an older CPU. A kernel exports only its strong kernel table(s).
set -euo pipefail

nm_tool=nm
[ "${1:-}" = "--nm" ] && { nm_tool=$2; shift 2; }

checked=0
bad=0
for archive in "$@"; do
  case "$archive" in *.a | *.lo | *.o) ;; *) continue ;; esac
  checked=$((checked + 1))
  # nm types: W/w weak, V/v weak object, u unique global (all COMDAT-like). DW.ref.* is the
  # exception-handling pointer to the C++ personality routine: data, identical in every object.
  weak=$("$nm_tool" -C --defined-only "$archive" 2>/dev/null |
         awk '$2 ~ /^[WVu]$/ && $3 !~ /^DW\.ref\./' || true)
  if [ -n "$weak" ]; then
    echo "FAIL: $archive defines weak symbols that baseline code could bind to:"
    echo "$weak" | head -20
    bad=$((bad + 1))
  fi
done

if [ "$checked" -eq 0 ]; then
  echo "FAIL: no kernel archives were given to check"
  exit 1
fi
echo "$checked kernel archives checked, $bad with weak symbols"
[ "$bad" -eq 0 ]
