#include "libraries/hawk/mac.h"

#include "gtest/gtest.h"

namespace bulwark::hawk {
namespace {

// Expected values computed with npm hawk 9.0.2 (lib/crypto.js
// generateNormalizedString, calculateMac, calculatePayloadHash).
constexpr char kKey[] = "werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn";

TEST(MacTest, NormalizedStringEscapesExtAndNormalizesCase) {
  MacFields fields;
  fields.ts = "1353832234";
  fields.nonce = "j4h3g2";
  fields.method = "post";
  fields.resource = "/bulwark.queue.v1.Queue/CreateTask";
  fields.host = "Queue.Example.COM";
  fields.port = 50051;
  fields.ext = "some\\app\next";
  EXPECT_EQ(NormalizedString(fields),
            "hawk.1.header\n1353832234\nj4h3g2\nPOST\n"
            "/bulwark.queue.v1.Queue/CreateTask\nqueue.example.com\n50051\n\n"
            "some\\\\app\\next\n");
  EXPECT_EQ(CalculateMac(kKey, fields), "Vcg+fZdCm1R8WbTixZGnbcHg+c2GodlycbM4NOam//c=");
}

TEST(MacTest, AppAndDlgLinesOnlyWithApp) {
  MacFields fields;
  fields.ts = "1353832234";
  fields.nonce = "j4h3g2";
  fields.method = "GET";
  fields.resource = "/resource/1?b=1&a=2";
  fields.host = "example.com";
  fields.port = 8000;
  fields.ext = "some-app-data";
  fields.dlg = "ignored-without-app";
  EXPECT_EQ(NormalizedString(fields),
            "hawk.1.header\n1353832234\nj4h3g2\nGET\n/resource/1?b=1&a=2\n"
            "example.com\n8000\n\nsome-app-data\n");
  fields.app = "my-app";
  fields.dlg = "my-authority";
  EXPECT_EQ(NormalizedString(fields),
            "hawk.1.header\n1353832234\nj4h3g2\nGET\n/resource/1?b=1&a=2\n"
            "example.com\n8000\n\nsome-app-data\nmy-app\nmy-authority\n");
  EXPECT_EQ(CalculateMac(kKey, fields), "Wyhx3mEl+M85PXK8DSO+UA4u9fMH9wZ9IY0QOkqb2ZI=");
}

TEST(MacTest, EmptyHashAndExtLeaveEmptyLines) {
  MacFields fields;
  fields.ts = "1";
  fields.nonce = "n";
  fields.method = "POST";
  fields.resource = "/";
  fields.host = "h";
  fields.port = 443;
  EXPECT_EQ(NormalizedString(fields), "hawk.1.header\n1\nn\nPOST\n/\nh\n443\n\n\n");
  fields.hash = "abc=";
  EXPECT_EQ(NormalizedString(fields), "hawk.1.header\n1\nn\nPOST\n/\nh\n443\nabc=\n\n");
}

TEST(MacTest, PayloadHash) {
  EXPECT_EQ(PayloadHash("{\"a\":1}", " Application/JSON ; charset=utf-8"),
            "qKG2AtsqLMhIdy7+OrxWG0bU8wTDncYSW0gmNukAKpI=");
  EXPECT_EQ(PayloadHash("", ""), "B0weSUXsMcb5UhL41FZbrUJCAotzSI3HawE1NPLRUz8=");
}

}  // namespace
}  // namespace bulwark::hawk
