"""bulwark_migrations: embeds a service's SQL migrations into a C++ library.

In services/<svc>/schema/BUILD.bazel:
    bulwark_migrations(name = "migrations", service = "auth", function = "AuthMigrations")
globs migrations/NNNN_name.sql (sorted by name, so by number) and generates
services/<svc>/schema/migrations.h declaring `const bulwark::pg::MigrationSet& <function>()`.
"""

def bulwark_migrations(name, service, function, visibility = None):
    srcs = sorted(native.glob(["migrations/*.sql"]))
    header = native.package_name() + "/" + name + ".h"
    native.genrule(
        name = name + "_embed",
        srcs = srcs,
        outs = [name + ".cc", name + ".h"],
        tools = ["//bazel:embed_migrations.sh"],
        cmd = "$(location //bazel:embed_migrations.sh) $(location {n}.cc) $(location {n}.h) {s} {f} {h} {srcs}".format(
            n = name,
            s = service,
            f = function,
            h = header,
            srcs = " ".join(["$(location %s)" % s for s in srcs]),
        ),
    )
    native.cc_library(
        name = name,
        srcs = [name + ".cc"],
        hdrs = [name + ".h"],
        deps = ["//libraries/pg:migrations"],
        visibility = visibility,
    )
    native.filegroup(
        name = name + "_sql",
        srcs = srcs,
        visibility = visibility,
    )
