// dbctl: database administration for Bulwark.
//
//   dbctl setup --admin=DSN --database=NAME --secrets-dir=DIR
//       Creates every service's runtime and migration roles (passwords generated once and kept
//       in DIR/passwords.json, mode 600), the database, applies every service's migrations as
//       its migration role, and writes DIR/<service>.dsn: the runtime role's connection string.
//       Idempotent; used by ./dev up.
//   dbctl migrate --service=SVC --database=OWNER_DSN
//       Applies SVC's migrations as its migration role (the Kubernetes migration Job).
//   dbctl version --service=SVC --database=DSN
//       Prints the schema version recorded in the database and the one this binary has.
//
// Connection strings are libpq keyword=value strings. Exit code 0 on success, 1 on error
// (with the error on stderr), 2 on bad usage.
#include <openssl/rand.h>
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libraries/config/flags.h"
#include "libraries/pg/bootstrap.h"
#include "libraries/pg/dsn.h"
#include "libraries/pg/migrations.h"
#include "nlohmann/json.hpp"
#include "services/auth/schema/migrations.h"
#include "services/hooks/schema/migrations.h"
#include "services/queue/schema/migrations.h"
#include "services/verifier/schema/migrations.h"

namespace bulwark {
namespace {

std::vector<const pg::MigrationSet*> AllSets() {
  return {&schema::AuthMigrations(), &schema::QueueMigrations(), &schema::HooksMigrations(),
          &schema::VerifierMigrations()};
}

const pg::MigrationSet* FindSet(const std::string& service) {
  for (const pg::MigrationSet* set : AllSets()) {
    if (set->service == service) return set;
  }
  return nullptr;
}

std::string RandomPassword() {
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    std::cerr << "dbctl: the system random generator failed\n";
    std::exit(1);
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

void WritePrivateFile(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content;
  }
  chmod(tmp.c_str(), 0600);
  std::rename(tmp.c_str(), path.c_str());
}

int Fail(const absl::Status& status) {
  std::cerr << "dbctl: " << status.message() << "\n";
  return 1;
}

int Setup(const Flags& flags) {
  std::string admin = flags.Get("admin");
  std::string dir = flags.Get("secrets-dir");
  if (admin.empty() || dir.empty()) {
    std::cerr << "dbctl setup needs --admin and --secrets-dir\n";
    return 2;
  }
  std::string passwords_path = dir + "/passwords.json";
  nlohmann::json passwords = nlohmann::json::object();
  if (std::ifstream in(passwords_path); in) {
    passwords = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!passwords.is_object()) {
      std::cerr << "dbctl: " << passwords_path << " is not a JSON object\n";
      return 1;
    }
  }
  pg::BootstrapOptions options;
  options.admin_dsn = admin;
  options.database = flags.Get("database", "bulwark");
  options.reset_passwords = true;
  for (const pg::MigrationSet* set : AllSets()) {
    options.services.push_back(set->service);
    for (const std::string& role : {set->runtime_role(), set->owner_role()}) {
      if (!passwords.contains(role)) passwords[role] = RandomPassword();
      options.passwords[role] = passwords[role].get<std::string>();
    }
  }
  WritePrivateFile(passwords_path, passwords.dump(2) + "\n");
  if (absl::Status s = pg::Bootstrap(options); !s.ok()) return Fail(s);
  for (const pg::MigrationSet* set : AllSets()) {
    std::string owner = pg::DsnForRole(admin, options.database, set->owner_role(),
                                       options.passwords[set->owner_role()]);
    auto version = pg::ApplyMigrations(owner, *set);
    if (!version.ok()) return Fail(version.status());
    std::cout << set->service << ": schema at version " << *version << "\n";
    WritePrivateFile(dir + "/" + set->service + ".dsn",
                     pg::DsnForRole(admin, options.database, set->runtime_role(),
                                    options.passwords[set->runtime_role()]) +
                         "\n");
  }
  return 0;
}

int Migrate(const Flags& flags, bool apply) {
  const pg::MigrationSet* set = FindSet(flags.Get("service"));
  if (set == nullptr || flags.Get("database").empty()) {
    std::cerr << "dbctl needs --service (auth, queue, hooks, verifier) and --database\n";
    return 2;
  }
  auto version = apply ? pg::ApplyMigrations(flags.Get("database"), *set)
                       : pg::SchemaVersion(flags.Get("database"), *set);
  if (!version.ok()) return Fail(version.status());
  std::cout << set->service << ": database at version " << *version << ", binary has "
            << set->latest_version() << "\n";
  return 0;
}

}  // namespace
}  // namespace bulwark

int main(int argc, char** argv) {
  umask(077);  // every file this writes holds secrets: never readable by others, not even briefly
  auto flags = bulwark::Flags::Parse(argc, argv, {"admin", "database", "secrets-dir", "service"});
  if (!flags.ok() || flags->positional().size() != 1) {
    std::cerr << (flags.ok() ? "" : std::string(flags.status().message()) + "\n")
              << "usage: dbctl setup|migrate|version [flags]; see tools/dbctl/dbctl.cc\n";
    return 2;
  }
  const std::string& command = flags->positional()[0];
  if (command == "setup") return bulwark::Setup(*flags);
  if (command == "migrate") return bulwark::Migrate(*flags, true);
  if (command == "version") return bulwark::Migrate(*flags, false);
  std::cerr << "dbctl: unknown command '" << command << "'\n";
  return 2;
}
