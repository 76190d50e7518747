"""Compiler flags for per-ISA kernels.

A kernel built with one of these lives in its own cc_library whose only job is that kernel, and is
reached only through dispatch (volley/dispatch.h) after its CPU features were checked. Code shared
with baseline code must never be compiled with these flags (see tests/isa_isolation_test.sh).
"""

X86_AESNI = ["-msse4.1", "-mssse3", "-maes", "-mpclmul"]

X86_AVX2 = ["-mavx", "-mavx2", "-mbmi2", "-mssse3", "-msse4.1"]

X86_VAES_AVX2 = X86_AESNI + X86_AVX2 + ["-mvaes", "-mvpclmulqdq"]

X86_AVX512 = X86_AVX2 + ["-mavx512f", "-mavx512bw", "-mavx512vl"]

X86_VAES_AVX512 = X86_VAES_AVX2 + X86_AVX512

X86_AVX512_IFMA = X86_AVX512 + ["-mavx512ifma"]

X86_SHA = ["-msse4.1", "-mssse3", "-msha"]

X86_MULX_ADX = ["-mbmi2", "-madx"]

ARM_CRYPTO = ["-march=armv8-a+crypto"]

ARM_CRYPTO_SHA3 = ["-march=armv8.2-a+crypto+sha3"]

