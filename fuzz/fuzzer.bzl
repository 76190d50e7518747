"""volley_fuzzer: one fuzz target, built two ways from the same LLVMFuzzerTestOneInput."""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_test")

def volley_fuzzer(name, srcs, corpus, deps = [], data = []):
    """Declares <name> and <name>_test.

    <name> is the libFuzzer binary under --config=fuzz; in other builds the same binary with
    run_corpus_main.cc as its main, a corpus runner. <name>_test runs the target over the seed
    corpus fuzz/corpus/<corpus> and deterministic mutations of it, in every configuration.

    Args:
      name: the target's name, e.g. "record_reader_fuzzer".
      srcs: the sources defining LLVMFuzzerTestOneInput.
      corpus: the seed corpus directory under fuzz/corpus/.
      deps: libraries the target needs.
      data: files the target reads at run time (both builds), relative to the working directory:
        the runfiles root for the test, the repository root when CI runs the libFuzzer binary.
    """
    cc_binary(
        name = name,
        srcs = srcs + select({
            ":libfuzzer": [],
            "//conditions:default": ["run_corpus_main.cc"],
        }),
        # libFuzzer's main and mutator; only this binary links them, so the corpus test built in
        # the same configuration keeps its own main.
        linkopts = select({
            ":libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        data = data,
        deps = deps + ["//tests/harness:splitmix64"],
    )
    cc_test(
        name = name + "_test",
        # Seconds natively; the aarch64 configuration runs it under qemu, the sanitizers slow it.
        size = "medium",
        srcs = srcs + ["run_corpus_main.cc"],
        # Relative to the test's working directory, the root of its runfiles.
        args = ["fuzz/corpus/" + corpus],
        data = data + native.glob(["corpus/" + corpus + "/*"]),
        deps = deps + ["//tests/harness:splitmix64"],
    )
