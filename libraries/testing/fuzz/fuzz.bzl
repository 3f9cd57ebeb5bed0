"""bulwark_fuzz_test: one libFuzzer target per parser, plus a test that replays its corpus.

    load("//libraries/testing/fuzz:fuzz.bzl", "bulwark_fuzz_test")
    bulwark_fuzz_test(
        name = "header_fuzz",
        srcs = ["header_fuzz.cc"],      # defines LLVMFuzzerTestOneInput
        deps = ["//libraries/hawk:header"],
    )

makes
  - <name>: the fuzzer binary (tagged manual). Under --config=fuzz (clang, see .bazelrc) it links
    libFuzzer's main; otherwise the replay main, so it still builds everywhere.
    `./dev fuzz <name> [seconds]` builds and runs it on a copy of the corpus.
  - <name>_replay: a cc_test that feeds every file of corpus/<name>/ (next to the BUILD file)
    to LLVMFuzzerTestOneInput once, with the ordinary toolchain; `./dev test` runs it.
"""

def bulwark_fuzz_test(name, srcs, deps = [], corpus = None, visibility = None, **kwargs):
    corpus = corpus or ("corpus/" + name)
    native.cc_library(
        name = name + "_lib",
        testonly = True,
        srcs = srcs,
        deps = deps + ["//libraries/testing/fuzz:fuzz_check"],
        alwayslink = True,
        visibility = ["//visibility:private"],
    )
    native.cc_binary(
        name = name,
        testonly = True,
        deps = [":" + name + "_lib"] + select({
            "//libraries/testing/fuzz:fuzzing": [],
            "//conditions:default": ["//libraries/testing/fuzz:replay_main"],
        }),
        linkopts = select({
            "//libraries/testing/fuzz:fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        tags = ["manual", "fuzz"],
        visibility = visibility,
    )
    native.cc_test(
        name = name + "_replay",
        size = "small",
        deps = [
            ":" + name + "_lib",
            "//libraries/testing/fuzz:replay_main",
        ],
        data = native.glob([corpus + "/**"]),
        args = [native.package_name() + "/" + corpus],
        tags = ["fuzz_replay"],
        **kwargs
    )
