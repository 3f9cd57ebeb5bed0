// File: services/hooks/server/hooks_grpc_service.h
//
// HooksGrpcService: the gRPC adapter of the hooks service (bulwark.hooks.v1.Hooks). Each
// method authenticates the call through auth (RemoteAuthenticator) — except
// TriggerHookWithToken, whose token is the credential — calls HooksService, and converts the
// result with ToGrpcStatus.
//
// Thread-safety: gRPC calls methods concurrently; the adapter holds no mutable state.

#ifndef BULWARK_SERVICES_HOOKS_SERVER_HOOKS_GRPC_SERVICE_H_
#define BULWARK_SERVICES_HOOKS_SERVER_HOOKS_GRPC_SERVICE_H_

#include <functional>

#include "bulwark/hooks/v1/hooks.grpc.pb.h"
#include "libraries/authn/request_authenticator.h"
#include "libraries/clock/clock.h"
#include "services/hooks/service/hooks_service.h"

namespace bulwark::hooks {

class HooksGrpcService final : public v1::Hooks::Service {
 public:
  HooksGrpcService(HooksService& service, const RequestAuthenticator& authenticator, Clock& clock,
                   absl::Time started)
      : service_(service), authenticator_(authenticator), clock_(clock), started_(started) {}

  using Context = grpc::ServerContext;
  grpc::Status Ping(Context*, const v1::PingRequest*, v1::PingResponse*) override;
  grpc::Status ListHookGroups(Context*, const v1::ListHookGroupsRequest*,
                              v1::ListHookGroupsResponse*) override;
  grpc::Status ListHooks(Context*, const v1::ListHooksRequest*, v1::ListHooksResponse*) override;
  grpc::Status GetHook(Context*, const v1::GetHookRequest*, v1::Hook*) override;
  grpc::Status CreateHook(Context*, const v1::CreateHookRequest*, v1::Hook*) override;
  grpc::Status UpdateHook(Context*, const v1::UpdateHookRequest*, v1::Hook*) override;
  grpc::Status RemoveHook(Context*, const v1::RemoveHookRequest*, v1::RemoveHookResponse*) override;
  grpc::Status TriggerHook(Context*, const v1::TriggerHookRequest*,
                           v1::TriggerHookResponse*) override;
  grpc::Status GetTriggerToken(Context*, const v1::GetTriggerTokenRequest*,
                               v1::TriggerTokenResponse*) override;
  grpc::Status ResetTriggerToken(Context*, const v1::ResetTriggerTokenRequest*,
                                 v1::TriggerTokenResponse*) override;
  grpc::Status TriggerHookWithToken(Context*, const v1::TriggerHookWithTokenRequest*,
                                    v1::TriggerHookResponse*) override;
  grpc::Status ListLastFires(Context*, const v1::ListLastFiresRequest*,
                             v1::ListLastFiresResponse*) override;
  grpc::Status RenderHook(Context*, const v1::RenderHookRequest*, v1::RenderHookResponse*) override;
  grpc::Status GetFire(Context*, const v1::GetFireRequest*, v1::LastFire*) override;
  grpc::Status GetHookVersion(Context*, const v1::GetHookVersionRequest*,
                              v1::HookVersion*) override;

 private:
  grpc::Status Handle(Context* context, const char* method,
                      const std::function<absl::Status(const Caller&, absl::Time)>& body);

  HooksService& service_;
  const RequestAuthenticator& authenticator_;
  Clock& clock_;
  const absl::Time started_;
};

}  // namespace bulwark::hooks

#endif  // BULWARK_SERVICES_HOOKS_SERVER_HOOKS_GRPC_SERVICE_H_
