"""Offline stand-in for rules_java: re-exports Bazel 4.2.3's native Java rules.

volley has no Java, but @bazel_tools//tools/jdk loads these names while registering toolchains.
"""

def java_binary(**attrs):
    native.java_binary(**attrs)

def java_import(**attrs):
    native.java_import(**attrs)

def java_library(**attrs):
    native.java_library(**attrs)

def java_runtime(**attrs):
    native.java_runtime(**attrs)

def java_toolchain(**attrs):
    native.java_toolchain(**attrs)
