"""Offline stand-in for rules_java: volley has no Java; only the repository has to exist."""

def java_library(**attrs):
    native.java_library(**attrs)
