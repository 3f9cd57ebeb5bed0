// File: services/queue/client/artifact_transfer.h
//
// The client side of the queue's streaming artifact methods, for C++ callers (the `bulwark`
// CLI, the artifact benchmark, tests; a worker may use it too):
//   UploadArtifactStream    sends the header, then content pulled from a reader in chunks of
//                           kUploadChunkBytes (1 MiB), and returns the stored artifact
//   DownloadArtifactStream  receives the metadata, then the content, handing each chunk to a
//                           writer, and checks the size and SHA-256 it received against the
//                           metadata
// Neither holds more than one chunk of content in memory.
//
//   grpc::ClientContext context;
//   context.set_credentials(HawkCallCredentials(creds));
//   auto artifact = DownloadArtifactStream(*stub, context, request,
//                                          [&](absl::string_view chunk) { return Write(chunk); });
//
// Thread-safety: each call uses its own ClientContext; the stub may be shared.
// Errors: the call's status (FromGrpcStatus: code and message as the queue sent them); the
// reader's or writer's own error, which ends the call (the upload is then cancelled, so the
// queue stores nothing); DATA_LOSS from DownloadArtifactStream when what arrived does not match
// the metadata (size or SHA-256) or the stream broke its shape (no metadata first).

#ifndef BULWARK_SERVICES_QUEUE_CLIENT_ARTIFACT_TRANSFER_H_
#define BULWARK_SERVICES_QUEUE_CLIENT_ARTIFACT_TRANSFER_H_

#include <cstddef>
#include <functional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bulwark/queue/v1/queue.grpc.pb.h"

namespace bulwark::queue {

inline constexpr size_t kUploadChunkBytes = size_t{1} << 20;

// Fills up to `capacity` bytes at `buffer`; returns how many (0 at the end of the content).
using ContentReader = std::function<absl::StatusOr<size_t>(char* buffer, size_t capacity)>;
// Takes the next piece of content.
using ContentWriter = std::function<absl::Status(absl::string_view chunk)>;

absl::StatusOr<v1::Artifact> UploadArtifactStream(v1::Queue::StubInterface& stub,
                                                  grpc::ClientContext& context,
                                                  const v1::UploadArtifactHeader& header,
                                                  const ContentReader& read);

absl::StatusOr<v1::Artifact> DownloadArtifactStream(v1::Queue::StubInterface& stub,
                                                    grpc::ClientContext& context,
                                                    const v1::DownloadArtifactRequest& request,
                                                    const ContentWriter& write);

}  // namespace bulwark::queue

#endif  // BULWARK_SERVICES_QUEUE_CLIENT_ARTIFACT_TRANSFER_H_
