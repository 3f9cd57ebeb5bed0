// Issue 13 item 1 end to end, on the real binaries (auth_server, queue_server, the bulwark
// CLI): the request body is under the Hawk MAC for a service that authenticates through auth
// (the queue, RemoteAuthenticator), not only for auth itself (services/auth/tests has those).
//   - a header captured for one CreateTask, sent with another body: UNAUTHENTICATED, and no
//     task exists;
//   - a header without a hash on a state-changing method: UNAUTHENTICATED; on a read-only one,
//     accepted;
//   - streaming methods (UploadArtifact) carry no hash: a header with one is refused, one
//     without is authenticated;
//   - `bulwark sign --data` signs the payload hash of the JSON request it is given.
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bulwark/auth/v1/auth.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/random.h"
#include "libraries/hawk/mac.h"
#include "libraries/hawk/request.h"
#include "libraries/hawk/signer.h"
#include "libraries/proto/timestamp.h"
#include "libraries/testing/service_process.h"
#include "services/queue/tests/queue_cluster.h"

namespace bulwark {
namespace {

using auth::SignedContext;
using grpc::StatusCode;

queue::v1::CreateTaskRequest TaskRequest(const std::string& name) {
  queue::v1::CreateTaskRequest r;
  r.set_task_id(NiceSlugid(Random::Secure()));
  queue::v1::TaskDefinition* t = r.mutable_task();
  t->set_task_queue_id("proj/linux");
  t->set_priority("lowest");
  *t->mutable_created() = ToProtoTimestamp(absl::Now());
  *t->mutable_deadline() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
  t->mutable_metadata()->set_name(name);
  t->mutable_metadata()->set_description("payload hash test");
  t->mutable_metadata()->set_owner("dev@example.com");
  t->mutable_metadata()->set_source("https://github.com/org/app");
  return r;
}

class PayloadHashTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto cluster = queue::QueueCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = cluster->release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(cluster_, nullptr);
    root_ = cluster_->Root();
    queue_ = cluster_->Stub();
  }

  // A header as root for `method` of `service` at `authority`, over `body` if given.
  std::string Header(const std::string& authority, const std::string& path,
                     const std::optional<std::string>& body) {
    auto target = hawk::ParseAuthority(authority);
    EXPECT_TRUE(target.ok()) << target.status();
    hawk::Request r;
    r.resource = path;
    r.host = target->host;
    r.port = target->port;
    if (body.has_value()) r.payload_hash = hawk::GrpcPayloadHash(*body);
    return hawk::SignRequest(root_, r, Clock::Real(), Random::Secure()).value();
  }
  std::string QueueHeader(const std::string& method, const std::optional<std::string>& body) {
    return Header(cluster_->queue().address(), "/bulwark.queue.v1.Queue/" + method, body);
  }

  grpc::Status GetTask(const std::string& task_id) {
    queue::v1::GetTaskRequest get;
    get.set_task_id(task_id);
    queue::v1::TaskDefinition task;
    return queue_->GetTask(SignedContext(&root_).get(), get, &task);
  }

  static queue::QueueCluster* cluster_;
  hawk::Credentials root_;
  std::unique_ptr<queue::v1::Queue::Stub> queue_;
};

queue::QueueCluster* PayloadHashTest::cluster_ = nullptr;

TEST_F(PayloadHashTest, ACapturedHeaderCannotCarryAnotherBody) {
  queue::v1::CreateTaskRequest signed_for = TaskRequest("harmless");
  queue::v1::CreateTaskRequest sent = TaskRequest("attacker");
  sent.mutable_task()->add_scopes("secrets:get:*");

  const std::string captured = QueueHeader("CreateTask", signed_for.SerializeAsString());
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", captured);
    queue::v1::CreateTaskResponse response;
    grpc::Status s = queue_->CreateTask(&context, sent, &response);
    EXPECT_EQ(s.error_code(), StatusCode::UNAUTHENTICATED) << s.error_message();
    EXPECT_NE(s.error_message().find("Bad payload hash"), std::string::npos) << s.error_message();
  }
  EXPECT_EQ(GetTask(sent.task_id()).error_code(), StatusCode::NOT_FOUND);

  // The same kind of header over the body actually sent works.
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", QueueHeader("CreateTask", sent.SerializeAsString()));
    queue::v1::CreateTaskResponse response;
    grpc::Status s = queue_->CreateTask(&context, sent, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_TRUE(GetTask(sent.task_id()).ok());
  // HawkCallCredentials (every client this project ships) signs the body it sends.
  queue::v1::CreateTaskRequest through_credentials = TaskRequest("credentials");
  queue::v1::CreateTaskResponse response;
  grpc::Status s = queue_->CreateTask(SignedContext(&root_).get(), through_credentials, &response);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(PayloadHashTest, AStateChangingCallWithoutAHashIsRefused) {
  queue::v1::CreateTaskRequest request = TaskRequest("unhashed");
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", QueueHeader("CreateTask", std::nullopt));
    queue::v1::CreateTaskResponse response;
    grpc::Status s = queue_->CreateTask(&context, request, &response);
    EXPECT_EQ(s.error_code(), StatusCode::UNAUTHENTICATED) << s.error_message();
    EXPECT_NE(s.error_message().find("Missing payload hash"), std::string::npos)
        << s.error_message();
  }
  EXPECT_EQ(GetTask(request.task_id()).error_code(), StatusCode::NOT_FOUND);
  // A read-only method accepts a header without a hash (grpcurl without --data): the call is
  // authenticated as root and answers NOT_FOUND for a task that does not exist.
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", QueueHeader("GetTask", std::nullopt));
    queue::v1::GetTaskRequest get;
    get.set_task_id(request.task_id());
    queue::v1::TaskDefinition task;
    grpc::Status s = queue_->GetTask(&context, get, &task);
    EXPECT_EQ(s.error_code(), StatusCode::NOT_FOUND) << s.error_message();
  }
}

TEST_F(PayloadHashTest, StreamingUploadsAreSignedWithoutAHash) {
  queue::v1::UploadArtifactRequest first;
  first.mutable_header()->set_task_id(NiceSlugid(Random::Secure()));
  first.mutable_header()->set_name("public/x.txt");
  first.mutable_header()->set_content_type("text/plain");
  first.mutable_header()->set_size(1);
  auto upload = [&](const std::string& header) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", header);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    queue::v1::Artifact artifact;
    auto writer = queue_->UploadArtifact(&context, &artifact);
    writer->Write(first);
    writer->WritesDone();
    return writer->Finish();
  };
  // A hash cannot be checked on a stream: a header carrying one is refused.
  grpc::Status hashed = upload(QueueHeader("UploadArtifact", first.SerializeAsString()));
  EXPECT_EQ(hashed.error_code(), StatusCode::UNAUTHENTICATED) << hashed.error_message();
  EXPECT_NE(hashed.error_message().find("cannot be checked"), std::string::npos)
      << hashed.error_message();
  // Without one the call is authenticated (root) and reaches the queue's own checks: the run
  // does not exist.
  grpc::Status unhashed = upload(QueueHeader("UploadArtifact", std::nullopt));
  EXPECT_NE(unhashed.error_code(), StatusCode::UNAUTHENTICATED) << unhashed.error_message();
  EXPECT_NE(unhashed.error_code(), StatusCode::OK);
}

// Runs the bulwark binary; its stdout, or nullopt if it failed.
std::optional<std::string> RunCli(const std::vector<std::string>& args) {
  static int counter = 0;
  std::string out = absl::StrCat(testing::OutputDir(), "/bulwark-sign-", counter++, ".out");
  std::string cmd = "'" + testing::RunfilePath("tools/cli/bulwark") + "'";
  for (const std::string& a : args) {
    std::string quoted = "'";
    for (char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    cmd += " " + quoted + "'";
  }
  cmd += " > '" + out + "' 2>&1";
  int rc = std::system(cmd.c_str());
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << cmd << "\n" << text;
  if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 0) return std::nullopt;
  return text;
}

TEST_F(PayloadHashTest, BulwarkSignDataSignsTheRequestItIsGiven) {
  std::string credentials = testing::OutputDir() + "/payload-hash-root.json";
  std::ofstream(credentials) << absl::StrCat(R"({"clientId": ")", root_.client_id,
                                             R"(", "accessToken": ")", root_.access_token, "\"}");
  const std::string authority = cluster_->auth().process(0).address();
  const std::string json = R"({"roleId": "signed-by-cli", "scopes": ["a:b"]})";
  // A header from `bulwark sign --data=<json>` for CreateRole.
  auto sign = [&]() -> std::string {
    std::optional<std::string> out =
        RunCli({"sign", "--method=/bulwark.auth.v1.Auth/CreateRole", "--authority=" + authority,
                "--credentials=" + credentials, "--data=" + json});
    if (!out.has_value()) return "";
    const std::string prefix = "authorization: ";
    EXPECT_EQ(out->rfind(prefix, 0), 0u) << *out;
    std::string header = out->substr(std::min(prefix.size(), out->size()));
    while (!header.empty() && (header.back() == '\n' || header.back() == '\r')) header.pop_back();
    return header;
  };

  auth::v1::CreateRoleRequest request;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &request).ok());
  auto stub = cluster_->auth().Stub();
  // Another body under such a header is refused...
  {
    auth::v1::CreateRoleRequest other = request;
    other.add_scopes("*");
    grpc::ClientContext context;
    context.AddMetadata("authorization", sign());
    auth::v1::Role role;
    grpc::Status s = stub->CreateRole(&context, other, &role);
    EXPECT_EQ(s.error_code(), StatusCode::UNAUTHENTICATED) << s.error_message();
    EXPECT_NE(s.error_message().find("Bad payload hash"), std::string::npos) << s.error_message();
  }
  // ...the one it was signed for is accepted.
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", sign());
    auth::v1::Role role;
    grpc::Status s = stub->CreateRole(&context, request, &role);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(role.role_id(), "signed-by-cli");
  }
  // --format=grpcurl passes the same JSON with -d.
  std::optional<std::string> line =
      RunCli({"sign", "--method=/bulwark.auth.v1.Auth/CreateRole", "--authority=" + authority,
              "--credentials=" + credentials, "--data=" + json, "--format=grpcurl", "--plaintext"});
  ASSERT_TRUE(line.has_value());
  EXPECT_NE(line->find("-plaintext -d '" + json + "' -H 'authorization: Hawk "), std::string::npos)
      << *line;
}

}  // namespace
}  // namespace bulwark
