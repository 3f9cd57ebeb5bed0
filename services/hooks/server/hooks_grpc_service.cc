#include "services/hooks/server/hooks_grpc_service.h"

#include "libraries/authn/authenticated_call.h"
#include "libraries/call/call_scope.h"
#include "libraries/grpc_server/deadline.h"
#include "libraries/grpc_server/input_guard.h"
#include "libraries/grpc_server/into.h"
#include "libraries/grpc_server/status.h"
#include "libraries/proto/timestamp.h"

namespace bulwark::hooks {

void HooksGrpcService::HashPayloads() {
  // Methods that change something (or hand out a secret) need the payload hash; read-only ones
  // accept a header without one.
  HashPayload(&Service::CreateHook, "CreateHook", Body::kChanges);
  HashPayload(&Service::UpdateHook, "UpdateHook", Body::kChanges);
  HashPayload(&Service::RemoveHook, "RemoveHook", Body::kChanges);
  HashPayload(&Service::TriggerHook, "TriggerHook", Body::kChanges);
  HashPayload(&Service::GetTriggerToken, "GetTriggerToken", Body::kChanges);
  HashPayload(&Service::ResetTriggerToken, "ResetTriggerToken", Body::kChanges);
  HashPayload(&Service::TriggerHookWithToken, "TriggerHookWithToken", Body::kChanges);
  HashPayload(&Service::Ping, "Ping", Body::kReadOnly);
  HashPayload(&Service::ListHookGroups, "ListHookGroups", Body::kReadOnly);
  HashPayload(&Service::ListHooks, "ListHooks", Body::kReadOnly);
  HashPayload(&Service::GetHook, "GetHook", Body::kReadOnly);
  HashPayload(&Service::ListLastFires, "ListLastFires", Body::kReadOnly);
  HashPayload(&Service::GetFire, "GetFire", Body::kReadOnly);
  HashPayload(&Service::GetHookVersion, "GetHookVersion", Body::kReadOnly);
  HashPayload(&Service::RenderHook, "RenderHook", Body::kReadOnly);
}

grpc::Status HooksGrpcService::Handle(
    Context* context, const char* method,
    const std::function<absl::Status(const Caller&, absl::Time)>& body) {
  return AuthenticatedCall(authenticator_, context, v1::Hooks::service_full_name(), method, body);
}

grpc::Status HooksGrpcService::Ping(Context*, const v1::PingRequest*, v1::PingResponse* out) {
  out->set_alive(true);
  out->set_service("hooks");
  out->set_uptime_seconds(absl::ToDoubleSeconds(clock_.Now() - started_));
  return grpc::Status::OK;
}

grpc::Status HooksGrpcService::ListHookGroups(Context* c, const v1::ListHookGroupsRequest*,
                                              v1::ListHookGroupsResponse* out) {
  return Handle(c, "ListHookGroups", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.ListHookGroups(caller, deadline), out);
  });
}

grpc::Status HooksGrpcService::ListHooks(Context* c, const v1::ListHooksRequest* r,
                                         v1::ListHooksResponse* out) {
  return Handle(c, "ListHooks", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.ListHooks(caller, r->hook_group_id(), deadline), out);
  });
}

grpc::Status HooksGrpcService::GetHook(Context* c, const v1::GetHookRequest* r, v1::Hook* out) {
  return Handle(c, "GetHook", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.GetHook(caller, r->hook_group_id(), r->hook_id(), deadline), out);
  });
}

grpc::Status HooksGrpcService::CreateHook(Context* c, const v1::CreateHookRequest* r,
                                          v1::Hook* out) {
  return Handle(c, "CreateHook", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.CreateHook(caller, r->hook(), deadline), out);
  });
}

grpc::Status HooksGrpcService::UpdateHook(Context* c, const v1::UpdateHookRequest* r,
                                          v1::Hook* out) {
  return Handle(c, "UpdateHook", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.UpdateHook(caller, r->hook(), deadline), out);
  });
}

grpc::Status HooksGrpcService::RemoveHook(Context* c, const v1::RemoveHookRequest* r,
                                          v1::RemoveHookResponse*) {
  return Handle(c, "RemoveHook", [&](const Caller& caller, absl::Time deadline) {
    return service_.RemoveHook(caller, r->hook_group_id(), r->hook_id(), deadline);
  });
}

grpc::Status HooksGrpcService::TriggerHook(Context* c, const v1::TriggerHookRequest* r,
                                           v1::TriggerHookResponse* out) {
  return Handle(c, "TriggerHook", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.TriggerHook(caller, *r, deadline), out);
  });
}

grpc::Status HooksGrpcService::GetTriggerToken(Context* c, const v1::GetTriggerTokenRequest* r,
                                               v1::TriggerTokenResponse* out) {
  return Handle(c, "GetTriggerToken", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.GetTriggerToken(caller, r->hook_group_id(), r->hook_id(), deadline), out);
  });
}

grpc::Status HooksGrpcService::ResetTriggerToken(Context* c, const v1::ResetTriggerTokenRequest* r,
                                                 v1::TriggerTokenResponse* out) {
  return Handle(c, "ResetTriggerToken", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.ResetTriggerToken(caller, r->hook_group_id(), r->hook_id(), deadline),
                out);
  });
}

grpc::Status HooksGrpcService::TriggerHookWithToken(Context* c,
                                                    const v1::TriggerHookWithTokenRequest* r,
                                                    v1::TriggerHookResponse* out) {
  absl::Status refused = RejectedInput(c);  // input_guard.h: nothing runs
  if (!refused.ok()) return ToGrpcStatus(refused);
  CallScope scope([c] { return c->IsCancelled(); });  // call_scope.h
  return ToGrpcStatus(Into(service_.TriggerHookWithToken(*r, DeadlineOf(*c)), out));
}

grpc::Status HooksGrpcService::ListLastFires(Context* c, const v1::ListLastFiresRequest* r,
                                             v1::ListLastFiresResponse* out) {
  return Handle(c, "ListLastFires", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.ListLastFires(caller, *r, deadline), out);
  });
}

grpc::Status HooksGrpcService::RenderHook(Context* c, const v1::RenderHookRequest* r,
                                          v1::RenderHookResponse* out) {
  return Handle(c, "RenderHook", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.RenderHook(caller, *r, deadline), out);
  });
}

grpc::Status HooksGrpcService::GetFire(Context* c, const v1::GetFireRequest* r, v1::LastFire* out) {
  return Handle(c, "GetFire", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.GetFire(caller, *r, deadline), out);
  });
}

grpc::Status HooksGrpcService::GetHookVersion(Context* c, const v1::GetHookVersionRequest* r,
                                              v1::HookVersion* out) {
  return Handle(c, "GetHookVersion", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.GetHookVersion(caller, *r, deadline), out);
  });
}

}  // namespace bulwark::hooks
