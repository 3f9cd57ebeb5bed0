#!/bin/sh
# Writes a C++ source defining a MigrationSet from NNNN_name.sql files (see migrations.bzl).
# Usage: embed_migrations.sh OUT_CC OUT_H SERVICE FUNCTION HEADER_PATH FILE...
set -eu
out_cc=$1; out_h=$2; service=$3; fn=$4; header=$5; shift 5
guard=$(echo "BULWARK_${header}_" | tr 'a-z/.' 'A-Z__')
{
  echo "// Generated from services/${service}/schema/migrations by //bazel:migrations.bzl."
  echo "#ifndef ${guard}"
  echo "#define ${guard}"
  echo "#include \"libraries/pg/migrations.h\""
  echo "namespace bulwark::schema {"
  echo "// The ${service} service's migrations, in order."
  echo "const pg::MigrationSet& ${fn}();"
  echo "}  // namespace bulwark::schema"
  echo "#endif"
} > "$out_h"
{
  echo "// Generated from services/${service}/schema/migrations by //bazel:migrations.bzl."
  echo "#include \"${header}\""
  echo "namespace bulwark::schema {"
  echo "const pg::MigrationSet& ${fn}() {"
  echo "  static const pg::MigrationSet* const set = new pg::MigrationSet{\"${service}\", {"
  for f in "$@"; do
    base=$(basename "$f" .sql)
    num=${base%%_*}
    name=${base#*_}
    case "$num" in
      [0-9][0-9][0-9][0-9]) ;;
      *) echo "migration file $f is not named NNNN_name.sql" >&2; exit 1 ;;
    esac
    if grep -q ')bulwark_sql' "$f"; then echo "$f contains the delimiter )bulwark_sql" >&2; exit 1; fi
    echo "    {$(expr "$num" + 0), \"${name}\", R\"bulwark_sql("
    cat "$f"
    echo ")bulwark_sql\"},"
  done
  echo "  }};"
  echo "  return *set;"
  echo "}"
  echo "}  // namespace bulwark::schema"
} > "$out_cc"
