#include "libraries/jsonschema/metaschema.h"

#include <openssl/sha.h>

#include <cstring>
#include <string>

#include "gtest/gtest.h"

namespace bulwark {
namespace jsonschema {
namespace {

// The published file, json-schema.org/draft-07/schema (json-schema-spec
// 567f768).
constexpr char kPublishedSha256[] =
    "692e1d165e47afcb5f11b2ce1c639635ffa834035d6ecb6bcf3087481dae8404";

TEST(MetaSchemaTest, TextIsThePublishedFile) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(kDraft07MetaSchema),
         std::strlen(kDraft07MetaSchema), digest);
  std::string hex;
  for (unsigned char byte : digest) {
    constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0xF];
  }
  EXPECT_EQ(hex, kPublishedSha256);
}

TEST(MetaSchemaTest, DocumentIsParsedWithItsId) {
  const nlohmann::json& document = Draft07MetaSchemaDocument();
  EXPECT_EQ(document.at("$id"), std::string(kDraft07MetaSchemaUri) + "#");
  EXPECT_TRUE(document.at("properties").contains("writeOnly"));
  EXPECT_EQ(&document, &Draft07MetaSchemaDocument());
}

}  // namespace
}  // namespace jsonschema
}  // namespace bulwark
