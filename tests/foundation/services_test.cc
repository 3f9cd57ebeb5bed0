// The four service binaries, for real: each starts against a migrated PostgreSQL database as
// its own runtime role, reports SERVING, answers Ping, is fully describable through server
// reflection by a client that has none of our protos (the way grpcurl works), reports
// NOT_SERVING while its schema is not migrated, and exits cleanly on SIGTERM.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "bulwark/auth/v1/auth.grpc.pb.h"
#include "bulwark/hooks/v1/hooks.grpc.pb.h"
#include "bulwark/queue/v1/queue.grpc.pb.h"
#include "bulwark/verifier/v1/verifier.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "libraries/pg/pg_test_database.h"
#include "libraries/testing/service_process.h"
#include "nlohmann/json.hpp"
#include "services/auth/schema/migrations.h"
#include "services/auth/tests/auth_cluster.h"
#include "services/hooks/schema/migrations.h"
#include "services/queue/schema/migrations.h"
#include "services/verifier/schema/migrations.h"

namespace bulwark {
namespace {

using ::bulwark::testing::RunfilePath;
using ::bulwark::testing::ServiceProcess;
using ::bulwark::testing::WaitForServing;

struct ServiceCase {
  std::string name;
  std::string full_name;
  // Internal services the binary also serves (auth's replicas call AuthReplicas on each other).
  std::vector<std::string> internal = {};
};

void PrintTo(const ServiceCase& c, std::ostream* os) { *os << c.name; }

const ServiceCase kServices[] = {
    {"auth", "bulwark.auth.v1.Auth", {"bulwark.auth.v1.AuthReplicas"}},
    {"queue", "bulwark.queue.v1.Queue"},
    {"hooks", "bulwark.hooks.v1.Hooks"},
    {"verifier", "bulwark.verifier.v1.Verifier"},
};

// The methods compiled into this test from the .proto files, for comparison with what the
// server's reflection reports.
nlohmann::json CompiledMethods(const std::string& full_name) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(full_name);
  std::vector<std::string> names;
  for (int i = 0; service != nullptr && i < service->method_count(); ++i) {
    names.push_back(service->method(i)->name());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string Binary(const std::string& service) {
  return "services/" + service + "/server/" + service + "_server";
}

// Runs the reflection-only client and returns its JSON answer.
nlohmann::json Reflect(const std::string& address) {
  const char* modules = std::getenv("BULWARK_NODE_MODULES");
  EXPECT_NE(modules, nullptr) << "BULWARK_NODE_MODULES must point at tools/npm/node_modules "
                                 "(./dev test sets it)";
  if (modules == nullptr) return nullptr;
  std::string cmd = "NODE_PATH='" + std::string(modules) + "' node '" +
                    RunfilePath("tests/foundation/reflection_client.js") + "' " + address;
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  int rc = pclose(pipe);
  EXPECT_EQ(rc, 0) << "reflection client failed: " << out;
  return nlohmann::json::parse(out, nullptr, false);
}

class ServicesTest : public ::testing::TestWithParam<ServiceCase> {
 protected:
  static void SetUpTestSuite() {
    auto db =
        pg::PgTestDatabase::Create({&schema::AuthMigrations(), &schema::QueueMigrations(),
                                    &schema::HooksMigrations(), &schema::VerifierMigrations()});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = db->release();
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }
  static pg::PgTestDatabase* db_;
};

pg::PgTestDatabase* ServicesTest::db_ = nullptr;

// The arguments a service needs besides its database: auth needs its configuration.
std::vector<std::string> ServiceArgs(const std::string& service, const std::string& dsn) {
  std::vector<std::string> args = {"--database=" + dsn};
  if (service == "auth") {
    auto config = auth::AuthCluster::GenerateConfig();
    EXPECT_TRUE(config.ok()) << config.status();
    args.push_back("--config=" + auth::AuthCluster::WriteConfig(*config));
  }
  if (service == "queue" || service == "hooks" || service == "verifier") {
    std::string path = testing::OutputDir() + "/" + service + "-credentials.json";
    std::ofstream(path) << R"({"clientId": "static/bulwark/)" << service << R"(", "accessToken": ")"
                        << std::string(44, 'q') << "\"}";
    args.push_back("--credentials=" + path);
  }
  if (service == "hooks") {
    std::string path = testing::OutputDir() + "/hooks-token-keys.json";
    std::ofstream(path)
        << R"([{"id": "k1", "key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}])";
    args.push_back("--token-keys=" + path);
  }
  if (service == "verifier") {
    args.push_back("--policy=" + RunfilePath("services/verifier/policy/testdata/demo_policy.json"));
  }
  return args;
}

TEST_P(ServicesTest, ServesPingHealthAndReflection) {
  ASSERT_NE(db_, nullptr);
  const ServiceCase& c = GetParam();
  auto process =
      ServiceProcess::Start(Binary(c.name), ServiceArgs(c.name, db_->RuntimeDsn(c.name)));
  ASSERT_TRUE(process.ok()) << process.status();
  ASSERT_TRUE(WaitForServing((*process)->Channel()).ok()) << (*process)->LogTail();
  EXPECT_TRUE(WaitForServing((*process)->Channel(), c.full_name).ok());

  nlohmann::json answer = Reflect((*process)->address());
  ASSERT_TRUE(answer.is_object()) << answer;
  nlohmann::json services = nlohmann::json::array({c.full_name});
  for (const std::string& internal : c.internal) services.push_back(internal);
  services.push_back("grpc.health.v1.Health");
  services.push_back("grpc.reflection.v1alpha.ServerReflection");
  EXPECT_EQ(answer["services"], services);
  nlohmann::json compiled = CompiledMethods(c.full_name);
  EXPECT_GE(compiled.size(), 5u);
  EXPECT_EQ(answer["methods"][c.full_name], compiled);
  EXPECT_EQ(answer["methods"]["grpc.health.v1.Health"], nlohmann::json({"Check", "Watch"}));
  EXPECT_EQ(answer["health"], "SERVING");
  EXPECT_EQ(answer["pings"][c.full_name]["alive"], true);
  EXPECT_EQ(answer["pings"][c.full_name]["service"], c.name);

  // The log has one JSON line per call, with method, code and latency.
  std::string log = (*process)->LogTail(100000);
  EXPECT_NE(log.find("\"method\":\"/" + c.full_name + "/Ping\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"latency_ms\""), std::string::npos);

  auto exit_code = (*process)->Terminate();
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
  EXPECT_NE((*process)->LogTail().find("\"msg\":\"stopped\""), std::string::npos);
}

// The verifier serves the policy it loaded, canonicalized, with its version and digest.
TEST(VerifierPolicyTest, GetPolicyReturnsThePolicyInForce) {
  auto db = pg::PgTestDatabase::Create({&schema::VerifierMigrations()});
  ASSERT_TRUE(db.ok()) << db.status();
  auto process = ServiceProcess::Start(Binary("verifier"),
                                       ServiceArgs("verifier", (*db)->RuntimeDsn("verifier")));
  ASSERT_TRUE(process.ok()) << process.status();
  ASSERT_TRUE(WaitForServing((*process)->Channel()).ok()) << (*process)->LogTail();
  auto stub = verifier::v1::Verifier::NewStub((*process)->Channel());
  grpc::ClientContext context;
  verifier::v1::Policy policy;
  grpc::Status status = stub->GetPolicy(&context, verifier::v1::GetPolicyRequest(), &policy);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(policy.version(), "demo-1");
  EXPECT_EQ(policy.sha256().size(), 64u);
  EXPECT_EQ(policy.content().fields().at("version").string_value(), "demo-1");
}

INSTANTIATE_TEST_SUITE_P(AllServices, ServicesTest, ::testing::ValuesIn(kServices),
                         [](const auto& info) { return info.param.name; });

TEST(ServiceReadinessTest, NotServingUntilMigrated) {
  // Roles exist, but no migration has run: the service must stay NOT_SERVING.
  auto db = pg::PgTestDatabase::Create({}, {"queue"});
  ASSERT_TRUE(db.ok()) << db.status();
  auto process =
      ServiceProcess::Start(Binary("queue"), ServiceArgs("queue", (*db)->RuntimeDsn("queue")));
  ASSERT_TRUE(process.ok()) << process.status();
  absl::Status serving = WaitForServing((*process)->Channel(), "", absl::Milliseconds(1500));
  EXPECT_EQ(serving.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_NE(serving.message().find("NOT_SERVING"), std::string::npos) << serving;
  EXPECT_NE((*process)->LogTail().find("run migrations"), std::string::npos)
      << (*process)->LogTail();
  // Migrating makes it SERVING without a restart.
  ASSERT_TRUE(pg::ApplyMigrations((*db)->OwnerDsn("queue"), schema::QueueMigrations()).ok());
  EXPECT_TRUE(WaitForServing((*process)->Channel(), "", absl::Seconds(10)).ok());
}

TEST(ServiceReadinessTest, NotServingWhileDatabaseUnreachable) {
  auto process = ServiceProcess::Start(
      Binary("hooks"), ServiceArgs("hooks", "host=127.0.0.1 port=1 dbname=x user=x password=x"));
  ASSERT_TRUE(process.ok()) << process.status();
  EXPECT_FALSE(WaitForServing((*process)->Channel(), "", absl::Milliseconds(1500)).ok());
  // Ping still answers: liveness is not readiness.
  auto stub = hooks::v1::Hooks::NewStub((*process)->Channel());
  grpc::ClientContext context;
  hooks::v1::PingResponse response;
  EXPECT_TRUE(stub->Ping(&context, hooks::v1::PingRequest(), &response).ok());
}

TEST(ServiceStartupTest, MissingDatabaseFlagFailsClearly) {
  auto process = ServiceProcess::Start(Binary("auth"), {}, absl::Seconds(5));
  ASSERT_FALSE(process.ok());
  EXPECT_NE(process.status().message().find("--database"), std::string::npos) << process.status();
}

}  // namespace
}  // namespace bulwark
