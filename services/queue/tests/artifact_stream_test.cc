// Streaming artifact transfer for real: queue_server and auth_server on PostgreSQL, over gRPC,
// with the callers' credentials checked by auth.
#include <pqxx/pqxx>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/crypto/random.h"
#include "libraries/crypto/sha256_stream.h"
#include "libraries/proto/timestamp.h"
#include "services/queue/client/artifact_transfer.h"
#include "services/queue/service/test_tasks.h"
#include "services/queue/tests/queue_cluster.h"

namespace bulwark::queue {
namespace {

using auth::SignedContext;

constexpr int64_t kMiB = int64_t{1} << 20;

// Deterministic pseudo-random content, produced piece by piece (never held whole).
class Generated {
 public:
  Generated(int64_t size, uint64_t seed) : left_(size), x_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  absl::StatusOr<size_t> Read(char* buffer, size_t capacity) {
    size_t n = static_cast<size_t>(std::min<int64_t>(left_, static_cast<int64_t>(capacity)));
    for (size_t i = 0; i < n; ++i) {
      x_ ^= x_ << 13;
      x_ ^= x_ >> 7;
      x_ ^= x_ << 17;
      buffer[i] = static_cast<char>(x_ >> 24);
    }
    left_ -= static_cast<int64_t>(n);
    hash_.Update(absl::string_view(buffer, n));
    return n;
  }
  // The SHA-256 of everything read so far.
  std::string FinishHex() { return hash_.FinishHex(); }

 private:
  int64_t left_;
  uint64_t x_;
  crypto::Sha256Stream hash_;
};

std::string HexSha256OfGenerated(int64_t size, uint64_t seed) {
  Generated g(size, seed);
  std::string buffer(kMiB, '\0');
  while (*g.Read(buffer.data(), buffer.size()) > 0) {
  }
  return g.FinishHex();
}

int64_t Count(QueueCluster& cluster, const std::string& sql) {
  pqxx::connection admin(cluster.auth().database().AdminDsn());
  pqxx::work txn(admin);
  return txn.exec1(sql)[0].as<int64_t>();
}

class ArtifactStreamTest : public ::testing::Test {
 protected:
  void StartCluster(const std::vector<std::string>& queue_args = {}) {
    auto cluster = QueueCluster::Start(1, queue_args);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    root_ = cluster_->Root();
    queue_ = cluster_->Stub();
    // A task whose run 0 is claimed: uploads use the run's own credentials, as a worker does.
    v1::CreateTaskRequest request = NewTaskRequest(Random::Secure(), absl::Now());
    task_id_ = request.task_id();
    v1::CreateTaskResponse created;
    ASSERT_TRUE(queue_->CreateTask(SignedContext(&root_).get(), request, &created).ok());
    v1::ClaimWorkResponse claimed;
    ASSERT_TRUE(queue_->ClaimWork(SignedContext(&root_).get(), ClaimRequest(), &claimed).ok());
    ASSERT_EQ(claimed.tasks_size(), 1);
    const v1::Credentials& c = claimed.tasks(0).credentials();
    run_ = {c.client_id(), c.access_token(), c.certificate(), std::nullopt};
  }

  v1::UploadArtifactHeader Header(const std::string& name) { return UploadHeader(task_id_, name); }

  absl::StatusOr<v1::Artifact> Upload(const hawk::Credentials* who,
                                      const v1::UploadArtifactHeader& header, int64_t size,
                                      uint64_t seed) {
    Generated content(size, seed);
    return UploadArtifactStream(*queue_, *SignedContext(who), header,
                                [&](char* b, size_t n) { return content.Read(b, n); });
  }

  struct Downloaded {
    v1::Artifact artifact;
    int64_t size = 0;
    int64_t largest_chunk = 0;
    std::string sha256;
  };
  absl::StatusOr<Downloaded> Download(const hawk::Credentials* who, const std::string& name) {
    v1::DownloadArtifactRequest request;
    request.set_task_id(task_id_);
    request.set_name(name);
    Downloaded d;
    crypto::Sha256Stream hash;
    auto artifact =
        DownloadArtifactStream(*queue_, *SignedContext(who), request, [&](absl::string_view c) {
          hash.Update(c);
          d.size += static_cast<int64_t>(c.size());
          d.largest_chunk = std::max<int64_t>(d.largest_chunk, static_cast<int64_t>(c.size()));
          return absl::OkStatus();
        });
    if (!artifact.ok()) return artifact.status();
    d.artifact = *artifact;
    d.sha256 = hash.FinishHex();
    return d;
  }

  // Nothing was ever staged or stored: no upload was even begun.
  void ExpectNothingStored() {
    EXPECT_EQ(Count(*cluster_, "SELECT count(*) FROM queue.artifacts"), 0);
    EXPECT_EQ(Count(*cluster_, "SELECT count(*) FROM queue.artifact_chunks"), 0);
    EXPECT_EQ(Count(*cluster_, "SELECT count(*) FROM queue.uploads"), 0);
  }

  std::unique_ptr<QueueCluster> cluster_;
  hawk::Credentials root_;
  hawk::Credentials run_;
  std::unique_ptr<v1::Queue::Stub> queue_;
  std::string task_id_;
};

TEST_F(ArtifactStreamTest, FiftyMegabytesGoUpAndComeBackWithTheRightHashAndSize) {
  StartCluster();
  const int64_t size = 50 * kMiB + 12345;
  std::string sha256 = HexSha256OfGenerated(size, 1);
  v1::UploadArtifactHeader header = Header("public/build/big.tar");
  header.set_content_type("application/x-tar");
  header.set_size(size);
  header.set_sha256(sha256);
  auto uploaded = Upload(&run_, header, size, 1);
  ASSERT_TRUE(uploaded.ok()) << uploaded.status();
  EXPECT_EQ(uploaded->size(), size);
  EXPECT_EQ(uploaded->sha256(), sha256);
  EXPECT_EQ(uploaded->content_type(), "application/x-tar");

  auto downloaded = Download(&root_, header.name());
  ASSERT_TRUE(downloaded.ok()) << downloaded.status();
  EXPECT_EQ(downloaded->artifact.size(), size);
  EXPECT_EQ(downloaded->artifact.sha256(), sha256);
  EXPECT_EQ(downloaded->size, size);
  EXPECT_EQ(downloaded->sha256, sha256);
  EXPECT_LE(downloaded->largest_chunk, kMiB);
  // Stored in 1 MiB rows, nothing left staged.
  EXPECT_EQ(Count(*cluster_, "SELECT count(*) FROM queue.artifact_chunks"), 51);
  EXPECT_EQ(Count(*cluster_, "SELECT max(octet_length(data)) FROM queue.artifact_chunks"), kMiB);
  EXPECT_EQ(Count(*cluster_, "SELECT count(*) FROM queue.uploads"), 0);
  // Too large for one message, so the unary method says to stream.
  v1::GetArtifactRequest get;
  get.set_task_id(task_id_);
  get.set_name(header.name());
  v1::GetArtifactResponse unary;
  grpc::Status s = queue_->GetArtifact(SignedContext(&root_).get(), get, &unary);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
}

TEST_F(ArtifactStreamTest, AMismatchedDeclaredHashIsRefusedAndNothingIsStored) {
  StartCluster();
  v1::UploadArtifactHeader header = Header("public/build/app.zip");
  header.set_sha256(HexSha256OfGenerated(3 * kMiB, 99));  // of other content
  auto uploaded = Upload(&run_, header, 3 * kMiB, 2);
  ASSERT_EQ(uploaded.status().code(), absl::StatusCode::kInvalidArgument) << uploaded.status();
  EXPECT_NE(uploaded.status().message().find("SHA-256"), std::string::npos) << uploaded.status();
  EXPECT_EQ(Download(&root_, header.name()).status().code(), absl::StatusCode::kNotFound);
  ExpectNothingStored();
  // The same upload with the right hash then succeeds.
  header.set_sha256(HexSha256OfGenerated(3 * kMiB, 2));
  ASSERT_TRUE(Upload(&run_, header, 3 * kMiB, 2).ok());
}

TEST_F(ArtifactStreamTest, AnUploadOverTheLimitIsResourceExhausted) {
  StartCluster({"--max-artifact-bytes=3000000"});
  auto uploaded = Upload(&run_, Header("public/huge.bin"), 5 * kMiB, 3);
  ASSERT_EQ(uploaded.status().code(), absl::StatusCode::kResourceExhausted) << uploaded.status();
  EXPECT_NE(uploaded.status().message().find("3000000"), std::string::npos) << uploaded.status();
  EXPECT_EQ(Count(*cluster_, "SELECT count(*) FROM queue.uploads"), 0);
  EXPECT_EQ(Count(*cluster_, "SELECT count(*) FROM queue.artifact_chunks"), 0);
  EXPECT_EQ(Count(*cluster_, "SELECT count(*) FROM queue.artifacts"), 0);
  // A declared size over the limit is refused at the header.
  v1::UploadArtifactHeader declared = Header("public/huge.bin");
  declared.set_size(5 * kMiB);
  EXPECT_EQ(Upload(&run_, declared, 5 * kMiB, 3).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(Upload(&run_, Header("public/fits.bin"), 2 * kMiB, 3).ok());
}

TEST_F(ArtifactStreamTest, AnUploadWithoutTheScopeIsDeniedBeforeAnyChunkIsStored) {
  StartCluster();
  auth::v1::CreateClientRequest client;
  client.set_client_id("someone");
  *client.mutable_expires() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
  client.add_scopes("queue:create-artifact:" + task_id_ + "/1");  // another run
  auth::v1::CreateClientResponse created;
  ASSERT_TRUE(
      cluster_->auth().Stub()->CreateClient(SignedContext(&root_).get(), client, &created).ok());
  hawk::Credentials someone{"someone", created.access_token(), "", std::nullopt};
  auto uploaded = Upload(&someone, Header("public/x.bin"), 8 * kMiB, 4);
  ASSERT_EQ(uploaded.status().code(), absl::StatusCode::kPermissionDenied) << uploaded.status();
  EXPECT_NE(uploaded.status().message().find("queue:create-artifact:" + task_id_ + "/0"),
            std::string::npos)
      << uploaded.status();
  EXPECT_EQ(Upload(nullptr, Header("public/x.bin"), 8 * kMiB, 4).status().code(),
            absl::StatusCode::kPermissionDenied);  // anonymous
  ExpectNothingStored();
  // No upload was ever begun (the sequence behind upload ids was never used).
  pqxx::connection admin(cluster_->auth().database().AdminDsn());
  pqxx::work txn(admin);
  EXPECT_FALSE(txn.exec1("SELECT is_called FROM queue.uploads_upload_id_seq")[0].as<bool>());
}

TEST_F(ArtifactStreamTest, APublicArtifactDownloadsAnonymously) {
  StartCluster();
  auth::v1::CreateRoleRequest anonymous;
  anonymous.set_role_id("anonymous");
  anonymous.add_scopes("queue:get-artifact:public/*");
  auth::v1::Role role;
  ASSERT_TRUE(
      cluster_->auth().Stub()->CreateRole(SignedContext(&root_).get(), anonymous, &role).ok());
  ASSERT_TRUE(Upload(&run_, Header("public/logs/live_backing.log"), 2 * kMiB + 5, 5).ok());
  ASSERT_TRUE(Upload(&run_, Header("private/secret.bin"), 10, 6).ok());
  auto log = Download(nullptr, "public/logs/live_backing.log");
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->size, 2 * kMiB + 5);
  EXPECT_EQ(log->sha256, HexSha256OfGenerated(2 * kMiB + 5, 5));
  EXPECT_EQ(Download(nullptr, "private/secret.bin").status().code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace bulwark::queue
