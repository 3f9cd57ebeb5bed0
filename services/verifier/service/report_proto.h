// File: services/verifier/service/report_proto.h
//
// Conversions between the engine's VerificationReport and the wire messages of
// bulwark.verifier.v1 (verifier.proto): ToProto fills a Verification (everything but
// verification_id, which the service assigns when it stores the record); FromProto reads one back
// (for the CLI's text and DOT renderings of a stored verification). RootModeFromProto maps the
// request's root mode.
//
// Thread-safety: pure functions. Errors: none; FromProto maps a missing run_id to nullopt and
// the verdict VERDICT_PASS to passed, anything else to failed.

#ifndef BULWARK_SERVICES_VERIFIER_SERVICE_REPORT_PROTO_H_
#define BULWARK_SERVICES_VERIFIER_SERVICE_REPORT_PROTO_H_

#include "bulwark/verifier/v1/verifier.pb.h"
#include "services/verifier/service/report.h"
#include "services/verifier/service/verifier_engine.h"

namespace bulwark::verifier {

void ToProto(const VerificationReport& report, v1::Verification* out);
VerificationReport FromProto(const v1::Verification& verification);
RootMode RootModeFromProto(v1::RootMode mode);

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVICE_REPORT_PROTO_H_
