#include "services/queue/client/artifact_transfer.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "libraries/crypto/sha256_stream.h"
#include "libraries/grpc_server/status.h"

namespace bulwark::queue {

absl::StatusOr<v1::Artifact> UploadArtifactStream(v1::Queue::StubInterface& stub,
                                                  grpc::ClientContext& context,
                                                  const v1::UploadArtifactHeader& header,
                                                  const ContentReader& read) {
  v1::Artifact artifact;
  std::unique_ptr<grpc::ClientWriterInterface<v1::UploadArtifactRequest>> writer =
      stub.UploadArtifact(&context, &artifact);
  v1::UploadArtifactRequest message;
  *message.mutable_header() = header;
  // A failed Write means the queue has answered (an error, e.g. a refused header) or the call
  // broke; Finish then says which.
  bool open = writer->Write(message);
  std::string* chunk = message.mutable_chunk();
  while (open) {
    chunk->resize(kUploadChunkBytes);
    absl::StatusOr<size_t> n = read(chunk->data(), chunk->size());
    if (!n.ok()) {
      context.TryCancel();  // the queue stores nothing from a cancelled upload
      (void)writer->Finish();
      return n.status();
    }
    if (*n == 0) break;
    chunk->resize(*n);
    open = writer->Write(message);
  }
  if (open) writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return FromGrpcStatus(status);
  return artifact;
}

absl::StatusOr<v1::Artifact> DownloadArtifactStream(v1::Queue::StubInterface& stub,
                                                    grpc::ClientContext& context,
                                                    const v1::DownloadArtifactRequest& request,
                                                    const ContentWriter& write) {
  std::unique_ptr<grpc::ClientReaderInterface<v1::DownloadArtifactResponse>> reader =
      stub.DownloadArtifact(&context, request);
  v1::DownloadArtifactResponse message;
  v1::Artifact artifact;
  bool have_metadata = false;
  crypto::Sha256Stream hash;
  int64_t received = 0;
  absl::Status failure;
  while (reader->Read(&message)) {
    if (!have_metadata) {
      if (!message.has_artifact()) {
        failure = absl::DataLossError("the queue sent content before the artifact's metadata");
        break;
      }
      artifact = message.artifact();
      have_metadata = true;
      continue;
    }
    if (message.has_artifact()) {
      failure = absl::DataLossError("the queue sent the artifact's metadata twice");
      break;
    }
    received += static_cast<int64_t>(message.chunk().size());
    if (received > artifact.size()) {
      failure = absl::DataLossError(
          absl::StrCat("received more than the artifact's ", artifact.size(), " bytes"));
      break;
    }
    hash.Update(message.chunk());
    failure = write(message.chunk());
    if (!failure.ok()) break;
  }
  if (!failure.ok()) {
    context.TryCancel();
    (void)reader->Finish();
    return failure;
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) return FromGrpcStatus(status);
  if (!have_metadata) return absl::DataLossError("the queue sent no artifact metadata");
  if (received != artifact.size()) {
    return absl::DataLossError(absl::StrCat("received ", received, " bytes but artifact ",
                                            artifact.name(), " has ", artifact.size()));
  }
  std::string sha256 = hash.FinishHex();
  if (sha256 != artifact.sha256()) {
    return absl::DataLossError(absl::StrCat("the content received has SHA-256 ", sha256,
                                            " but artifact ", artifact.name(), " has ",
                                            artifact.sha256()));
  }
  return artifact;
}

}  // namespace bulwark::queue
