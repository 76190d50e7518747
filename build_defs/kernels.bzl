"""Macros for per-ISA kernel libraries.

Each kernel is one cc_library built with its own ISA flags. On an architecture it does not target,
the library is empty (no sources, no flags), so `bazel build //...` works for every --cpu.
"""

load("@rules_cc//cc:defs.bzl", "cc_library")

_KERNEL_DEPS = [
    "//engine:kernel_api",
]

def _kernel_library(name, arch_setting, srcs, copts, hdrs, deps, textual_hdrs):
    cc_library(
        name = name,
        srcs = select({arch_setting: srcs, "//conditions:default": []}),
        hdrs = hdrs,
        textual_hdrs = textual_hdrs,
        copts = select({arch_setting: copts, "//conditions:default": []}),
        deps = _KERNEL_DEPS + deps,
        # Kernels are linked in whole: they are reached only through tables in dispatch.
        alwayslink = True,
        linkstatic = True,
        visibility = ["//visibility:public"],
    )

def x86_64_kernel_library(name, srcs, copts, hdrs = [], deps = [], textual_hdrs = []):
    _kernel_library(name, "//build_defs:x86_64", srcs, copts, hdrs, deps, textual_hdrs)

def aarch64_kernel_library(name, srcs, copts, hdrs = [], deps = [], textual_hdrs = []):
    _kernel_library(name, "//build_defs:aarch64", srcs, copts, hdrs, deps, textual_hdrs)

def portable_kernel_library(name, srcs, hdrs = [], deps = [], textual_hdrs = []):
    cc_library(
        name = name,
        srcs = srcs,
        hdrs = hdrs,
        textual_hdrs = textual_hdrs,
        deps = _KERNEL_DEPS + deps,
        alwayslink = True,
        linkstatic = True,
        visibility = ["//visibility:public"],
    )
