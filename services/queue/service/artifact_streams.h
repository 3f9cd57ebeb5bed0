// File: services/queue/service/artifact_streams.h
//
// UploadStream and DownloadStream: the transport-free ends of QueueService's streaming
// artifact methods. The gRPC adapter wraps grpc::ServerReader / grpc::ServerWriter in them;
// tests feed the service from memory. The service pulls upload messages one at a time and
// pushes download messages one at a time, so neither side ever holds an artifact whole.
//
// Thread-safety: a stream belongs to one call and is used by one thread at a time.
// Errors: none of their own; a broken call shows as Read/Write returning false.

#ifndef BULWARK_SERVICES_QUEUE_SERVICE_ARTIFACT_STREAMS_H_
#define BULWARK_SERVICES_QUEUE_SERVICE_ARTIFACT_STREAMS_H_

#include "bulwark/queue/v1/queue.pb.h"

namespace bulwark::queue {

// The messages of an UploadArtifact call, as the client sends them.
class UploadStream {
 public:
  virtual ~UploadStream() = default;
  // Reads the next message into `*message`; false once the stream has ended, either because
  // the client finished it or because the call broke (see Broken).
  virtual bool Read(v1::UploadArtifactRequest* message) = 0;
  // Whether the call broke (the client went away, cancelled, or its deadline passed) rather
  // than finishing its stream. Asked after the last Read and again just before the artifact is
  // committed: a broken call stores nothing.
  virtual bool Broken() = 0;
};

// The messages of a DownloadArtifact call, as the client receives them.
class DownloadStream {
 public:
  virtual ~DownloadStream() = default;
  // Sends one message (blocking while the client is slow to read); false once the call has
  // broken and nothing more can be sent.
  virtual bool Write(const v1::DownloadArtifactResponse& message) = 0;
};

}  // namespace bulwark::queue

#endif  // BULWARK_SERVICES_QUEUE_SERVICE_ARTIFACT_STREAMS_H_
