// The client's own checks, against an in-process queue that lies or breaks on purpose.
#include "services/queue/client/artifact_transfer.h"

#include "absl/strings/escaping.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "libraries/crypto/encoding.h"

namespace bulwark::queue {
namespace {

std::string Sha256Hex(const std::string& s) { return absl::BytesToHexString(crypto::Sha256(s)); }

// DownloadArtifact behaves as the artifact's name says; UploadArtifact records what arrived.
class FakeQueue final : public v1::Queue::Service {
 public:
  grpc::Status DownloadArtifact(grpc::ServerContext*, const v1::DownloadArtifactRequest* r,
                                grpc::ServerWriter<v1::DownloadArtifactResponse>* w) override {
    std::string content = "0123456789";
    v1::DownloadArtifactResponse m;
    v1::Artifact* a = m.mutable_artifact();
    a->set_name(r->name());
    a->set_size(static_cast<int64_t>(content.size()));
    a->set_sha256(Sha256Hex(content));
    if (r->name() == "lies-about-hash") a->set_sha256(Sha256Hex("other"));
    if (r->name() == "short") content = "01234";
    if (r->name() == "long") content += "0123456789";
    if (r->name() != "no-metadata") w->Write(m);
    for (size_t at = 0; at < content.size(); at += 4) {
      v1::DownloadArtifactResponse c;
      c.set_chunk(content.substr(at, 4));
      if (!w->Write(c)) return grpc::Status::CANCELLED;
    }
    if (r->name() == "twice") w->Write(m);
    return grpc::Status::OK;
  }

  grpc::Status UploadArtifact(grpc::ServerContext* context,
                              grpc::ServerReader<v1::UploadArtifactRequest>* reader,
                              v1::Artifact* out) override {
    v1::UploadArtifactRequest m;
    int64_t bytes = 0;
    bool header = false;
    while (reader->Read(&m)) {
      if (m.has_header()) header = true;
      bytes += static_cast<int64_t>(m.chunk().size());
      EXPECT_LE(m.chunk().size(), kUploadChunkBytes);
    }
    absl::MutexLock lock(&mu_);
    done_ = true;
    cancelled_ = context->IsCancelled();
    bytes_ = bytes;
    if (!header) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no header");
    out->set_size(bytes);
    return grpc::Status::OK;
  }

  // Waits (bounded) for an upload call to end; returns whether it was cancelled.
  bool AwaitUploadEnd(int64_t* bytes) {
    absl::MutexLock lock(&mu_);
    EXPECT_TRUE(mu_.AwaitWithTimeout(absl::Condition(&done_), absl::Seconds(10)));
    *bytes = bytes_;
    done_ = false;
    return cancelled_;
  }

 private:
  absl::Mutex mu_;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  int64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

class ArtifactTransferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&fake_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::Queue::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->Shutdown(); }

  absl::StatusOr<v1::Artifact> Download(const std::string& name, std::string* got) {
    v1::DownloadArtifactRequest request;
    request.set_name(name);
    grpc::ClientContext context;
    return DownloadArtifactStream(*stub_, context, request, [&](absl::string_view c) {
      got->append(c.data(), c.size());
      return absl::OkStatus();
    });
  }

  FakeQueue fake_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::Queue::Stub> stub_;
};

TEST_F(ArtifactTransferTest, DownloadChecksWhatArrivesAgainstTheMetadata) {
  std::string got;
  auto good = Download("good", &got);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(got, "0123456789");
  for (const char* name : {"lies-about-hash", "short", "long", "no-metadata", "twice"}) {
    got.clear();
    absl::Status s = Download(name, &got).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << name << ": " << s;
  }
  got.clear();
  EXPECT_NE(Download("lies-about-hash", &got).status().message().find("SHA-256"),
            std::string::npos);
  // A writer's error ends the download with that error.
  v1::DownloadArtifactRequest request;
  request.set_name("good");
  grpc::ClientContext context;
  absl::Status s = DownloadArtifactStream(*stub_, context, request, [](absl::string_view) {
                     return absl::FailedPreconditionError("disk full");
                   }).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ArtifactTransferTest, UploadSendsTheHeaderThenChunksAndCancelsWhenTheReaderFails) {
  std::string content(2 * kUploadChunkBytes + 3, 'x');
  size_t at = 0;
  auto reader = [&](char* b, size_t n) -> absl::StatusOr<size_t> {
    size_t take = std::min(n, content.size() - at);
    content.copy(b, take, at);
    at += take;
    return take;
  };
  v1::UploadArtifactHeader header;
  header.set_name("public/x");
  grpc::ClientContext context;
  auto uploaded = UploadArtifactStream(*stub_, context, header, reader);
  ASSERT_TRUE(uploaded.ok()) << uploaded.status();
  EXPECT_EQ(uploaded->size(), static_cast<int64_t>(content.size()));
  int64_t bytes = 0;
  EXPECT_FALSE(fake_.AwaitUploadEnd(&bytes));
  EXPECT_EQ(bytes, static_cast<int64_t>(content.size()));

  int calls = 0;
  grpc::ClientContext failing;
  absl::Status s =
      UploadArtifactStream(*stub_, failing, header, [&](char*, size_t n) -> absl::StatusOr<size_t> {
        if (++calls == 3) return absl::DataLossError("bad disk");
        return n;
      }).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "bad disk");
  EXPECT_TRUE(fake_.AwaitUploadEnd(&bytes)) << "the queue saw the stream end normally";
}

}  // namespace
}  // namespace bulwark::queue
