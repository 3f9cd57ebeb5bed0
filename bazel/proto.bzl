"""bulwark_proto_library: one macro turning .proto files into a C++ (+ gRPC) library.

Every .proto lives under //protos, and its import path is its path below protos/ (for example
"bulwark/auth/v1/auth.proto"); C++ code includes the generated headers by the same path
("bulwark/auth/v1/auth.pb.h"). protoc and grpc_cpp_plugin are Debian's (/usr/bin); the
well-known types come from /usr/include.
"""

_PROTO_ROOT = "protos"

def bulwark_proto_library(name, srcs, deps = [], grpc = True, visibility = None):
    """Generates <name> (cc_library) and <name>_protos (the .proto files, for dependants).

    Args:
      name: the cc_library's name.
      srcs: .proto files of this package (or labels of generated .proto files in it).
      deps: other bulwark_proto_library targets whose .proto files these import.
      grpc: also generate gRPC service stubs.
      visibility: visibility of both targets.
    """
    pkg = native.package_name()
    if not pkg.startswith(_PROTO_ROOT + "/"):
        fail("bulwark_proto_library must be used below //protos, not in //" + pkg)
    bases = [s.split(":")[-1][:-len(".proto")] for s in srcs]
    outs = [b + ".pb.h" for b in bases] + [b + ".pb.cc" for b in bases]
    if grpc:
        outs += [b + ".grpc.pb.h" for b in bases] + [b + ".grpc.pb.cc" for b in bases]

    native.filegroup(
        name = name + "_protos",
        srcs = srcs + [d + "_protos" for d in deps],
        visibility = visibility,
    )
    cmd = ("/usr/bin/protoc -I{root} -I$(GENDIR)/{root} -I/usr/include " +
           "--cpp_out=$(GENDIR)/{root} ").format(root = _PROTO_ROOT)
    if grpc:
        cmd += ("--grpc_out=$(GENDIR)/{root} " +
                "--plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin ").format(root = _PROTO_ROOT)
    cmd += " ".join(["$(locations %s)" % s for s in srcs])
    native.genrule(
        name = name + "_codegen",
        srcs = srcs + [name + "_protos"],
        outs = outs,
        cmd = cmd,
        message = "protoc " + pkg,
    )
    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        strip_include_prefix = "/" + _PROTO_ROOT,
        deps = deps + ["//third_party:protobuf"] + (["//third_party:grpc"] if grpc else []),
        visibility = visibility,
    )
