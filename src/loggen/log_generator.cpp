// Realistic CloudTrail log files in the S3 layout (see log_generator.h).
//
// Two phases. Planning (one thread, from the seed): the accounts with their users and roles, then
// every file's account, region, delivery minute, unique name part, uncompressed size and seed, and
// where the rare root sign-ins go. Writing (all cores): each file is built in memory from its own
// seed, gzip-compressed with libdeflate and written. Writing order therefore never changes bytes.
#include "loggen/log_generator.h"

#include <libdeflate.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "loggen/random_text.h"

namespace trailwatch::cloudtrail {
namespace {

// Random numbers, ids and times: loggen/random_text.h, shared with bench/corpus_generator.h.
using loggen::AppendChars;
using loggen::AppendPadded;
using loggen::AppendTime;
using loggen::AppendUint;
using loggen::AppendUuid;
using loggen::DaysFromCivil;
using loggen::DeriveSeed;
using loggen::kAlnum;
using loggen::kBase32;
using loggen::kBase64;
using loggen::kLowerHex;
using loggen::kUpperHex;
using loggen::Random;

CalendarDate CivilFromDays(int64_t days) {
  const loggen::CivilDate date = loggen::CivilFromDays(days);
  return {date.year, date.month, date.day};
}

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

// us-east-1 first: it records global services and every root sign-in (docs/reference/formats.md
// §2.4), so it is present whatever --regions says. The weights make it the busiest, as in most
// organizations.
struct RegionInfo {
  const char* name;
  uint32_t weight;
  bool console_sign_in;  // a latency-routed console sign-in proxy region (§2.4)
};
constexpr std::array<RegionInfo, kMaxGeneratedRegions> kRegions = {{
    {"us-east-1", 30, true},
    {"us-west-2", 14, false},
    {"eu-west-1", 12, false},
    {"us-east-2", 8, true},
    {"eu-central-1", 8, false},
    {"ap-southeast-2", 5, true},
    {"ap-northeast-1", 5, false},
    {"eu-north-1", 4, true},
    {"ca-central-1", 3, false},
    {"sa-east-1", 2, false},
    {"ap-south-1", 3, false},
    {"eu-west-2", 4, false},
    {"ap-southeast-1", 3, false},
    {"us-west-1", 2, false},
    {"eu-west-3", 2, false},
    {"ap-northeast-2", 2, false},
    {"ap-northeast-3", 1, false},
}};

constexpr std::array<const char*, 24> kFirstNames = {
    "alice", "bob",   "carol", "dave",   "erin",   "frank",  "grace", "heidi",
    "ivan",  "judy",  "karl",  "laura",  "mike",   "nadia",  "oscar", "peggy",
    "quinn", "rahul", "sofia", "tomasz", "ursula", "victor", "wei",   "yusuf"};
constexpr std::array<const char*, 10> kLastNames = {
    "smith", "jones", "garcia", "chen", "okafor", "muller", "tanaka", "silva", "novak", "kowalski"};
constexpr std::array<const char*, 6> kServiceUsers = {
    "ci-deployer", "terraform", "backup-agent", "legacy-etl", "grafana-reader", "break-glass"};

constexpr std::array<const char*, 22> kRoleNames = {
    "OrganizationAccountAccessRole",
    "AdminRole",
    "ReadOnlyRole",
    "DeployPipelineRole",
    "github-actions-deploy",
    "ecsTaskExecutionRole",
    "orders-api-task-role",
    "LambdaExec-orders",
    "LambdaExec-billing",
    "LambdaExec-thumbnails",
    "AWSServiceRoleForConfig",
    "AWSServiceRoleForSupport",
    "AWSServiceRoleForTrustedAdvisor",
    "AWSReservedSSO_AdministratorAccess_4f3a2b1c0d9e8f7a",
    "AWSReservedSSO_ReadOnlyAccess_0a1b2c3d4e5f6a7b",
    "AWSReservedSSO_PowerUserAccess_9c8d7e6f5a4b3c2d",
    "eks-node-group-prod",
    "karpenter-controller",
    "datadog-integration",
    "SecurityAuditRole",
    "backup-service-role",
    "rds-monitoring-role",
};

// The IAM Identity Center role console actions are made with.
constexpr size_t kConsoleRole = 13;
static_assert(std::string_view(kRoleNames[kConsoleRole]).starts_with("AWSReservedSSO_"));

constexpr std::array<const char*, 8> kBucketStems = {
    "prod-logs", "terraform-state", "data-lake-raw", "data-lake-curated",
    "backups",   "static-site",     "ml-artifacts",  "cdk-hnb659fds-assets"};

constexpr std::array<const char*, 8> kFunctionNames = {
    "orders-api", "billing-export",  "thumbnails",        "slack-notifier",
    "etl-ingest", "auth-authorizer", "cost-report-daily", "s3-object-indexer"};

constexpr std::array<const char*, 9> kSdkAgents = {
    "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.0-18-amd64 md/arch#x86_64 "
    "lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe "
    "md/distrib#debian.12 md/prompt#off",
    "Boto3/1.34.64 md/Botocore#1.34.64 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 "
    "md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.64",
    "aws-sdk-go-v2/1.25.3 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/sts#1.28.4",
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/"
    "5.41.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.3 "
    "os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.150.1",
    "aws-sdk-java/2.25.11 Linux/5.10.213-201.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/"
    "17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync "
    "http/Apache cfg/retry-mode/legacy",
    "aws-sdk-js/3.535.0 ua/2.0 os/linux#5.10.213 lang/js md/nodejs#20.11.1 api/s3#3.535.0 "
    "exec-env/AWS_Lambda_nodejs20.x",
    "aws-sdk-dotnet-coreclr/3.7.300.52 aws-sdk-dotnet-core/3.7.303.1 .NET_Core/8.0.2 "
    "OS/Microsoft_Windows_10.0.20348 ClientAsync",
    "datadog-agent/7.51.1 aws-sdk-go/1.50.30 (go1.21.8; linux; amd64)",
    "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.660 Linux/5.10.213-179.855.amzn2int.x86_64 "
    "OpenJDK_64-Bit_Server_VM/25.402-b08 java/1.8.0_402 vendor/Oracle_Corporation "
    "cfg/retry-mode/standard]",
};

constexpr std::array<const char*, 5> kBrowserAgents = {
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36 Edg/122.0.2365.80",
    "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3_1) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.3.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.3.1 Mobile/15E148 Safari/604.1",
};

// Services that act for a caller: AWSService identities' invokedBy, and the sourceIPAddress and
// userAgent of calls they make (CloudTrail shows the service host, not an IP).
constexpr std::array<const char*, 9> kInvokingServices = {
    "lambda.amazonaws.com",      "ec2.amazonaws.com",
    "ecs-tasks.amazonaws.com",   "cloudformation.amazonaws.com",
    "autoscaling.amazonaws.com", "config.amazonaws.com",
    "s3.amazonaws.com",          "secretsmanager.amazonaws.com",
    "cloudtrail.amazonaws.com"};

// What a call's requestParameters / responseElements look like.
enum class Payload : uint8_t {
  kNone,
  kEc2Instances,
  kEc2RunInstances,
  kEc2SecurityGroups,
  kEc2Volumes,
  kEc2CreateTags,
  kS3Bucket,
  kS3GetObject,
  kS3PutObject,
  kIamList,
  kIamRole,
  kIamUser,
  kIamPutRolePolicy,
  kStsAssumeRole,
  kStsWebIdentity,
  kStsCallerIdentity,
  kKmsCrypto,
  kKmsDescribe,
  kLambdaInvoke,
  kLambdaFunction,
  kCloudTrailLookup,
  kCloudTrailTrail,
  kLogsStream,
  kLogsGroups,
  kDynamoTable,
  kSecret,
  kSsmParameter,
  kEcsTaskDefinition,
  kMonitoring,
};

struct ApiCall {
  const char* service;  // eventSource is service + ".amazonaws.com"
  const char* name;
  Payload payload;
  bool read_only;
  uint32_t weight;  // relative frequency within management or data events
};

// Management events: read-only calls dominate real trails; writes are rarer, deletes rarest.
constexpr std::array<ApiCall, 58> kManagementCalls = {{
    {"ec2", "DescribeInstances", Payload::kEc2Instances, true, 80},
    {"ec2", "DescribeSecurityGroups", Payload::kEc2SecurityGroups, true, 40},
    {"ec2", "DescribeVolumes", Payload::kEc2Volumes, true, 30},
    {"ec2", "DescribeNetworkInterfaces", Payload::kEc2SecurityGroups, true, 30},
    {"ec2", "DescribeInstanceStatus", Payload::kEc2Instances, true, 25},
    {"ec2", "DescribeTags", Payload::kEc2Volumes, true, 15},
    {"ec2", "RunInstances", Payload::kEc2RunInstances, false, 4},
    {"ec2", "TerminateInstances", Payload::kEc2Instances, false, 3},
    {"ec2", "StartInstances", Payload::kEc2Instances, false, 3},
    {"ec2", "StopInstances", Payload::kEc2Instances, false, 3},
    {"ec2", "CreateTags", Payload::kEc2CreateTags, false, 10},
    {"ec2", "AuthorizeSecurityGroupIngress", Payload::kEc2SecurityGroups, false, 2},
    {"s3", "ListBuckets", Payload::kNone, true, 15},
    {"s3", "GetBucketAcl", Payload::kS3Bucket, true, 40},
    {"s3", "GetBucketPolicy", Payload::kS3Bucket, true, 20},
    {"s3", "GetBucketLocation", Payload::kS3Bucket, true, 30},
    {"s3", "GetBucketEncryption", Payload::kS3Bucket, true, 10},
    {"s3", "GetBucketVersioning", Payload::kS3Bucket, true, 10},
    {"s3", "PutBucketPolicy", Payload::kS3Bucket, false, 1},
    {"s3", "CreateBucket", Payload::kS3Bucket, false, 1},
    {"iam", "ListRoles", Payload::kIamList, true, 15},
    {"iam", "GetRole", Payload::kIamRole, true, 20},
    {"iam", "ListAttachedRolePolicies", Payload::kIamRole, true, 10},
    {"iam", "ListUsers", Payload::kIamList, true, 8},
    {"iam", "GetUser", Payload::kIamUser, true, 8},
    {"iam", "ListPolicies", Payload::kIamList, true, 8},
    {"iam", "PutRolePolicy", Payload::kIamPutRolePolicy, false, 1},
    {"iam", "CreateAccessKey", Payload::kIamUser, false, 1},
    {"iam", "AttachUserPolicy", Payload::kIamUser, false, 1},
    {"sts", "AssumeRole", Payload::kStsAssumeRole, false, 90},
    {"sts", "GetCallerIdentity", Payload::kStsCallerIdentity, true, 30},
    {"sts", "AssumeRoleWithWebIdentity", Payload::kStsWebIdentity, false, 20},
    {"kms", "Decrypt", Payload::kKmsCrypto, true, 90},
    {"kms", "GenerateDataKey", Payload::kKmsCrypto, true, 45},
    {"kms", "Encrypt", Payload::kKmsCrypto, true, 10},
    {"kms", "DescribeKey", Payload::kKmsDescribe, true, 10},
    {"kms", "ScheduleKeyDeletion", Payload::kKmsDescribe, false, 1},
    {"lambda", "ListFunctions20150331", Payload::kNone, true, 8},
    {"lambda", "GetFunction20150331v2", Payload::kLambdaFunction, true, 10},
    {"lambda", "UpdateFunctionCode20150331v2", Payload::kLambdaFunction, false, 3},
    {"lambda", "UpdateFunctionConfiguration20150331v2", Payload::kLambdaFunction, false, 2},
    {"cloudtrail", "LookupEvents", Payload::kCloudTrailLookup, true, 8},
    {"cloudtrail", "DescribeTrails", Payload::kCloudTrailTrail, true, 8},
    {"cloudtrail", "GetTrailStatus", Payload::kCloudTrailTrail, true, 8},
    {"cloudtrail", "GetEventSelectors", Payload::kCloudTrailTrail, true, 4},
    {"cloudtrail", "StopLogging", Payload::kCloudTrailTrail, false, 1},
    {"logs", "CreateLogStream", Payload::kLogsStream, false, 30},
    {"logs", "DescribeLogGroups", Payload::kLogsGroups, true, 20},
    {"logs", "CreateLogGroup", Payload::kLogsGroups, false, 2},
    {"dynamodb", "DescribeTable", Payload::kDynamoTable, true, 20},
    {"dynamodb", "ListTables", Payload::kNone, true, 8},
    {"secretsmanager", "GetSecretValue", Payload::kSecret, true, 30},
    {"ssm", "GetParameter", Payload::kSsmParameter, true, 30},
    {"ssm", "GetParameters", Payload::kSsmParameter, true, 15},
    {"ssm", "UpdateInstanceInformation", Payload::kNone, false, 15},
    {"ecs", "RegisterTaskDefinition", Payload::kEcsTaskDefinition, false, 2},
    {"ecs", "DescribeTaskDefinition", Payload::kEcsTaskDefinition, true, 4},
    {"monitoring", "GetMetricData", Payload::kMonitoring, true, 25},
}};

// Data events (eventCategory "Data"): the bulk of a busy trail with S3 data events enabled.
constexpr std::array<ApiCall, 6> kDataCalls = {{
    {"s3", "GetObject", Payload::kS3GetObject, true, 60},
    {"s3", "PutObject", Payload::kS3PutObject, false, 25},
    {"s3", "HeadObject", Payload::kS3GetObject, true, 20},
    {"s3", "DeleteObject", Payload::kS3GetObject, false, 3},
    {"s3", "ListObjects", Payload::kS3Bucket, true, 8},
    {"lambda", "Invoke", Payload::kLambdaInvoke, false, 20},
}};

bool IsGlobalService(std::string_view service) { return service == "iam"; }

// A cumulative-weight table over a subset of calls, for one kind of file.
class CallTable {
 public:
  template <size_t N>
  CallTable(const std::array<ApiCall, N>& calls, bool global_services) {
    uint32_t total = 0;
    for (const ApiCall& call : calls) {
      if (!global_services && IsGlobalService(call.service)) continue;
      total += call.weight;
      entries_.push_back({total, &call});
    }
  }
  const ApiCall& Pick(Random& r) const {
    const uint32_t pick = r.Below(entries_.back().cumulative);
    auto it = std::upper_bound(entries_.begin(), entries_.end(), pick,
                               [](uint32_t p, const Entry& e) { return p < e.cumulative; });
    return *it->call;
  }

 private:
  struct Entry {
    uint32_t cumulative;
    const ApiCall* call;
  };
  std::vector<Entry> entries_;
};

// ---------------------------------------------------------------------------------------------
// The world: accounts, their principals and resources (read-only while writing)
// ---------------------------------------------------------------------------------------------

struct Principal {
  std::string name;
  std::string id;          // AIDA… for users, AROA… for roles
  std::string access_key;  // AKIA… (users only)
};

struct Account {
  std::string id;
  std::vector<Principal> users;
  std::vector<Principal> roles;
  std::vector<std::string> kms_keys;  // key UUIDs
  std::string bucket_prefix;          // buckets are <prefix>-<stem>
  std::string root_principal_id;      // the account id, as AWS shows for Root
};

struct World {
  std::vector<Account> accounts;
  std::vector<uint32_t> account_weights;
  CallTable management_us_east_1{kManagementCalls, true};
  CallTable management_regional{kManagementCalls, false};
  CallTable data{kDataCalls, true};
};

World MakeWorld(const LogGeneratorOptions& options) {
  World world;
  Random r(DeriveSeed(options.seed, 1, 0));
  std::vector<std::string> ids;
  while (ids.size() < static_cast<size_t>(options.accounts)) {
    std::string id;
    id.push_back(static_cast<char>('1' + r.Below(9)));
    AppendChars(r, "0123456789", 11, &id);
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  for (size_t a = 0; a < ids.size(); ++a) {
    Account account;
    account.id = ids[a];
    account.root_principal_id = ids[a];
    const uint32_t users = r.Between(3, 25);
    for (uint32_t u = 0; u < users; ++u) {
      Principal p;
      if (u < 3) {
        p.name = kServiceUsers[(a + u) % kServiceUsers.size()];
      } else {
        p.name = std::string(r.Pick(kFirstNames)) + "." + r.Pick(kLastNames);
      }
      p.id = "AIDA";
      AppendChars(r, kBase32, 17, &p.id);
      p.access_key = "AKIA";
      AppendChars(r, kBase32, 16, &p.access_key);
      account.users.push_back(std::move(p));
    }
    for (const char* role : kRoleNames) {
      Principal p;
      p.name = role;
      p.id = "AROA";
      AppendChars(r, kBase32, 17, &p.id);
      account.roles.push_back(std::move(p));
    }
    for (int k = 0; k < 4; ++k) {
      std::string key;
      AppendUuid(r, &key);
      account.kms_keys.push_back(std::move(key));
    }
    account.bucket_prefix = "acme-" + account.id.substr(8);
    world.accounts.push_back(std::move(account));
    // Zipf-like activity: a few busy production accounts, a long tail of quiet ones.
    world.account_weights.push_back(1000 / static_cast<uint32_t>(a + 1) + 5);
  }
  return world;
}

uint32_t PickWeighted(Random& r, const std::vector<uint32_t>& weights) {
  uint32_t total = 0;
  for (uint32_t w : weights) total += w;
  uint32_t pick = r.Below(total);
  for (uint32_t i = 0; i < weights.size(); ++i) {
    if (pick < weights[i]) return i;
    pick -= weights[i];
  }
  return static_cast<uint32_t>(weights.size() - 1);
}

// ---------------------------------------------------------------------------------------------
// The plan: every file's place, size and seed
// ---------------------------------------------------------------------------------------------

struct PlannedFile {
  uint32_t account = 0;
  uint32_t region = 0;
  int64_t delivery = 0;  // unix seconds, a whole minute
  std::string unique;    // the 16-character tail of the file name
  uint64_t size = 0;     // planned uncompressed bytes
  uint64_t seed = 0;
  std::vector<uint64_t> root_sign_in_offsets;  // sorted byte offsets where a root sign-in goes
  std::filesystem::path path;
};

// File sizes: Pareto with alpha 0.9 from 8 KB, capped. With a 2 GB target this gives ~14,000
// files with a median of ~17 KB and p99 of ~1.3 MB uncompressed (1-2 KB and ~150 KB of gzip),
// while the ~20 files over 10 MB hold half of the bytes: quiet account-regions write small files
// every few minutes, busy ones with S3 data events write a few big ones (docs/reference/formats.md
// §1.5).
constexpr double kSizeAlpha = 0.9;
constexpr uint64_t kMinFileBytes = 8 << 10;
// The biggest file: 256 MB of JSON is ~25 MB of gzip, half the 50 MB CloudTrail quota; and an
// eighth of the corpus at most, so that a small corpus still has several files.
constexpr uint64_t kMaxFileBytes = uint64_t{256} << 20;
// One root sign-in per 32 MB of logs, at least one: rare, yet enough to check a scan by.
constexpr uint64_t kBytesPerRootSignIn = uint64_t{32} << 20;

std::vector<PlannedFile> PlanFiles(const LogGeneratorOptions& options, const World& world) {
  Random r(DeriveSeed(options.seed, 2, 0));
  const uint64_t cap = std::clamp<uint64_t>(options.target_bytes / 8, 64 << 10, kMaxFileBytes);
  const bool uniform = options.max_file_bytes > 0;
  std::vector<uint32_t> region_weights;
  for (int i = 0; i < options.regions; ++i) region_weights.push_back(kRegions[i].weight);
  const int64_t last_day = DaysFromCivil(options.end.year, options.end.month, options.end.day);

  std::vector<PlannedFile> files;
  uint64_t planned = 0;
  while (planned < options.target_bytes) {
    PlannedFile file;
    const double u = 1.0 - r.Uniform();  // (0, 1]
    const uint64_t left = options.target_bytes - planned;
    uint64_t size = 0;
    if (uniform) {
      // Uniform in [min, max]; near the end, the rest goes into at most two files in the range
      // (max >= 2 * min: what is left beyond max leaves at least min for the last one).
      size = options.min_file_bytes +
             static_cast<uint64_t>(
                 (1.0 - u) * static_cast<double>(options.max_file_bytes - options.min_file_bytes));
      if (left < size + options.min_file_bytes) {
        size = left <= options.max_file_bytes ? left : left - options.min_file_bytes;
      }
    } else {
      size = static_cast<uint64_t>(static_cast<double>(kMinFileBytes) *
                                   std::pow(u, -1.0 / kSizeAlpha));
      size = std::min(size, cap);
      // The last file takes what is left (and never less than a small file).
      if (left < size + kMinFileBytes) size = left;
    }
    file.size = size;
    planned += size;
    file.account = PickWeighted(r, world.account_weights);
    file.region = PickWeighted(r, region_weights);
    const int64_t day = last_day - r.Below(static_cast<uint32_t>(options.days));
    file.delivery = day * 86400 + int64_t{60} * r.Below(24 * 60);
    AppendChars(r, kAlnum, 16, &file.unique);
    file.seed = DeriveSeed(options.seed, 3, files.size());
    files.push_back(std::move(file));
  }
  // Root sign-ins are recorded in us-east-1 only; make sure there is such a file.
  std::vector<size_t> us_east_1;
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i].region == 0) us_east_1.push_back(i);
  }
  if (us_east_1.empty() && !files.empty()) {
    files[0].region = 0;
    us_east_1.push_back(0);
  }
  // Uniform over files, not bytes: root signs in to quiet and busy accounts alike.
  const uint64_t roots = std::max<uint64_t>(1, options.target_bytes / kBytesPerRootSignIn);
  for (uint64_t k = 0; k < roots && !us_east_1.empty(); ++k) {
    PlannedFile& file = files[us_east_1[r.Below(static_cast<uint32_t>(us_east_1.size()))]];
    file.root_sign_in_offsets.push_back(r.Next() % file.size);
  }
  for (PlannedFile& file : files) {
    std::sort(file.root_sign_in_offsets.begin(), file.root_sign_in_offsets.end());
    const Account& account = world.accounts[file.account];
    const char* region = kRegions[file.region].name;
    const CalendarDate date = CivilFromDays(file.delivery / 86400);
    std::string dir = "AWSLogs/";
    if (!options.org_id.empty()) dir += options.org_id + "/";
    dir += account.id + "/CloudTrail/" + region + "/";
    AppendPadded(&dir, static_cast<uint64_t>(date.year), 4);
    dir += '/';
    AppendPadded(&dir, static_cast<uint64_t>(date.month), 2);
    dir += '/';
    AppendPadded(&dir, static_cast<uint64_t>(date.day), 2);
    std::string name = account.id + "_CloudTrail_" + region + "_";
    AppendPadded(&name, static_cast<uint64_t>(date.year), 4);
    AppendPadded(&name, static_cast<uint64_t>(date.month), 2);
    AppendPadded(&name, static_cast<uint64_t>(date.day), 2);
    name += 'T';
    AppendPadded(&name, static_cast<uint64_t>(file.delivery % 86400 / 3600), 2);
    AppendPadded(&name, static_cast<uint64_t>(file.delivery % 3600 / 60), 2);
    name += "Z_" + file.unique + ".json.gz";
    file.path = options.out_dir / dir / name;
  }
  return files;
}

// ---------------------------------------------------------------------------------------------
// One log file's records
// ---------------------------------------------------------------------------------------------

struct FileTally {
  uint64_t records = 0;
  uint64_t root_sign_ins = 0;
  uint64_t root_sign_ins_failed = 0;
  uint64_t root_sign_ins_with_mfa = 0;
  uint64_t root_api_calls = 0;
  uint64_t console_sign_ins = 0;
};

// Where a call came from: appended after userIdentity as sourceIPAddress and userAgent.
struct Caller {
  std::string ip;
  std::string agent;
  bool from_console = false;  // sessionCredentialFromConsole
  bool internal = false;      // made by an AWS service: no tlsDetails
};

class FileWriter {
 public:
  FileWriter(const World& world, const PlannedFile& file, std::string* out)
      : world_(world),
        file_(file),
        account_(world.accounts[file.account]),
        region_(kRegions[file.region].name),
        r_(file.seed),
        out_(*out) {
    // A file holds the events of the last 5-15 minutes before its delivery
    // (docs/reference/formats.md §1.5).
    window_ = 300 + r_.Below(600);
    start_ = file.delivery - 60 - window_;
    // Busy files are busy because of data events; quiet ones are mostly management events.
    data_share_ = file.size >= (1 << 20) ? 0.75 : file.size >= (128 << 10) ? 0.35 : 0.05;
    sign_in_rate_ = kRegions[file.region].console_sign_in ? 1.0 / 400 : 1.0 / 8000;
    if (file.size >= (1 << 20)) sign_in_rate_ /= 10;
  }

  FileTally Write() {
    out_.assign("{\"Records\":[");
    size_t next_root = 0;
    uint32_t pending_root_calls = 0;
    while (out_.size() < file_.size) {
      const int64_t now = start_ + static_cast<int64_t>(static_cast<double>(window_) *
                                                        static_cast<double>(out_.size()) /
                                                        static_cast<double>(file_.size));
      if (next_root < file_.root_sign_in_offsets.size() &&
          out_.size() >= file_.root_sign_in_offsets[next_root]) {
        ++next_root;
        if (RootSignIn(now) && r_.Chance(0.5)) pending_root_calls = r_.Between(1, 3);
      } else if (pending_root_calls > 0) {
        --pending_root_calls;
        RootApiCall(now);
      } else {
        Record(now);
      }
    }
    // Offsets past the last record boundary still get their sign-in.
    for (; next_root < file_.root_sign_in_offsets.size(); ++next_root) {
      RootSignIn(start_ + window_);
    }
    out_.append("]}");
    return tally_;
  }

 private:
  // ----- record framing

  void BeginRecord(const char* event_version = nullptr) {
    if (tally_.records++) out_.push_back(',');
    out_.append(R"({"eventVersion":")");
    out_.append(event_version ? event_version : (r_.Chance(0.7) ? "1.09" : "1.08"));
    out_.append(R"(","userIdentity":)");
  }

  void Common(int64_t now, std::string_view service, std::string_view name, const Caller& caller) {
    out_.append(R"(,"eventTime":")");
    AppendTime(now, &out_);
    out_.append(R"(","eventSource":")").append(service).append(R"(.amazonaws.com","eventName":")");
    out_.append(name).append(R"(","awsRegion":")").append(region_);
    out_.append(R"(","sourceIPAddress":")").append(caller.ip);
    out_.append(R"(","userAgent":")").append(caller.agent).append("\"");
  }

  void Ids(bool s3_style_request_id) {
    out_.append(R"(,"requestID":")");
    if (s3_style_request_id) {
      AppendChars(r_, kUpperHex, 16, &out_);
    } else {
      AppendUuid(r_, &out_);
    }
    out_.append(R"(","eventID":")");
    AppendUuid(r_, &out_);
    out_.push_back('"');
  }

  void Trailer(std::string_view event_type, bool management, std::string_view category) {
    out_.append(R"(,"eventType":")").append(event_type);
    out_.append(R"(","managementEvent":)").append(management ? "true" : "false");
    out_.append(R"(,"recipientAccountId":")").append(account_.id);
    out_.append(R"(","eventCategory":")").append(category).append("\"");
  }

  void Tls(std::string_view host_prefix, bool with_region = true) {
    const bool tls13 = r_.Chance(0.75);
    out_.append(R"(,"tlsDetails":{"tlsVersion":")").append(tls13 ? "TLSv1.3" : "TLSv1.2");
    out_.append(R"(","cipherSuite":")");
    out_.append(tls13 ? "TLS_AES_128_GCM_SHA256" : "ECDHE-RSA-AES128-GCM-SHA256");
    out_.append(R"(","clientProvidedHostHeader":")").append(host_prefix);
    if (with_region) out_.append(".").append(region_);
    out_.append(".amazonaws.com\"");
    if (tls13 && r_.Chance(0.5)) out_.append(R"(,"keyExchange":"x25519")");
    out_.push_back('}');
  }

  // ----- identities

  void SourceIp(std::string* ip) {
    char text[48];
    int n;
    const uint32_t kind = r_.Below(100);
    if (kind < 70) {
      n = std::snprintf(text, sizeof text, "%u.%u.%u.%u", 3 + r_.Below(200), r_.Below(256),
                        r_.Below(256), 1 + r_.Below(254));
    } else if (kind < 92) {
      n = std::snprintf(text, sizeof text, "10.%u.%u.%u", r_.Below(256), r_.Below(256),
                        1 + r_.Below(254));
    } else {
      n = std::snprintf(text, sizeof text, "2600:1f18:%x:%x:%x:%x:%x:%x", r_.Below(65536),
                        r_.Below(65536), r_.Below(65536), r_.Below(65536), r_.Below(65536),
                        r_.Below(65536));
    }
    ip->assign(text, static_cast<size_t>(n));
  }

  std::string SessionName() {
    std::string s;
    switch (r_.Below(5)) {
      case 0:
        s = "botocore-session-";
        AppendUint(&s, 1700000000 + r_.Below(40000000));
        break;
      case 1:
        s = "i-0";
        AppendChars(r_, kLowerHex, 16, &s);
        break;
      case 2:
        s = "GitHubActions";
        break;
      case 3:
        s = "aws-go-sdk-";
        AppendUint(&s, 1700000000000ull + r_.Next() % 40000000000ull);
        break;
      default:
        s = r_.Pick(account_.users).name + "@example.com";
    }
    return s;
  }

  // One role session: the same credentials, caller address and SDK make many calls in a row.
  struct RoleSession {
    const Principal* role = nullptr;
    std::string name;
    std::string access_key;  // ASIA…
    int64_t created = 0;
    bool sso = false;
    const char* invoked_by = nullptr;  // a service acting with the role (then no IP)
    bool aws_internal = false;
    std::string ip;
    std::string agent;
  };

  RoleSession NewSession(const Principal* role) {
    RoleSession s;
    s.role = role;
    s.sso = role->name.starts_with("AWSReservedSSO_");
    s.name = s.sso ? r_.Pick(account_.users).name + "@example.com" : SessionName();
    s.access_key = "ASIA";
    AppendChars(r_, kBase32, 16, &s.access_key);
    s.created = start_ - r_.Below(3600);
    // Calls a service makes with a role on the caller's behalf carry invokedBy, and the service
    // host stands in for the IP (e.g. CloudFormation deploying a stack).
    if (s.sso) {
      SourceIp(&s.ip);
      s.agent = r_.Pick(kBrowserAgents);
    } else if (r_.Chance(0.12)) {
      s.invoked_by = r_.Pick(kInvokingServices);
    } else if (r_.Chance(0.04)) {
      s.aws_internal = true;
    } else {
      SourceIp(&s.ip);
      s.agent = r_.Pick(kSdkAgents);
    }
    return s;
  }

  // AssumedRole with sessionContext, the most common identity in a modern trail. Without an
  // explicit role the caller is one of the file's active sessions (a new one now and then), so
  // access keys, session names and addresses repeat within a file as they do in real logs.
  void AssumedRole(Caller* caller, const Principal* role = nullptr) {
    RoleSession fresh;
    const RoleSession* session;
    if (role) {
      fresh = NewSession(role);
      session = &fresh;
    } else {
      const size_t pool = std::clamp<size_t>(file_.size / (64 << 10), 4, 256);
      if (sessions_.size() < pool) {
        sessions_.push_back(NewSession(&r_.Pick(account_.roles)));
        session = &sessions_.back();
      } else {
        RoleSession& slot = sessions_[r_.Below(static_cast<uint32_t>(sessions_.size()))];
        if (r_.Chance(0.02)) slot = NewSession(&r_.Pick(account_.roles));
        session = &slot;
      }
    }
    const Principal& issuer = *session->role;
    out_.append(R"({"type":"AssumedRole","principalId":")").append(issuer.id).append(":");
    out_.append(session->name).append(R"(","arn":"arn:aws:sts::)").append(account_.id);
    out_.append(":assumed-role/").append(issuer.name).append("/").append(session->name);
    out_.append(R"(","accountId":")").append(account_.id).append(R"(","accessKeyId":")");
    out_.append(session->access_key);
    out_.append(R"(","sessionContext":{"sessionIssuer":{"type":"Role","principalId":")");
    out_.append(issuer.id).append(R"(","arn":"arn:aws:iam::)").append(account_.id);
    out_.append(":role/");
    if (session->sso) out_.append("aws-reserved/sso.amazonaws.com/");
    out_.append(issuer.name).append(R"(","accountId":")").append(account_.id);
    out_.append(R"(","userName":")").append(issuer.name);
    out_.append(R"("},"webIdFederationData":{},"attributes":{"creationDate":")");
    AppendTime(session->created, &out_);
    out_.append(R"(","mfaAuthenticated":")").append(session->sso ? "true" : "false").append("\"}");
    out_.push_back('}');
    if (session->invoked_by) {
      out_.append(R"(,"invokedBy":")").append(session->invoked_by).append("\"");
      caller->ip = caller->agent = session->invoked_by;
      caller->internal = true;
    } else if (session->aws_internal) {
      caller->ip = caller->agent = "AWS Internal";
      caller->internal = true;
    } else {
      caller->ip = session->ip;
      caller->agent = session->agent;
      caller->from_console = session->sso;
    }
    out_.push_back('}');
  }

  void IamUser(Caller* caller) {
    const Principal& user = r_.Pick(account_.users);
    out_.append(R"({"type":"IAMUser","principalId":")").append(user.id);
    out_.append(R"(","arn":"arn:aws:iam::)").append(account_.id).append(":user/").append(user.name);
    out_.append(R"(","accountId":")").append(account_.id);
    out_.append(R"(","accessKeyId":")").append(user.access_key);
    out_.append(R"(","userName":")").append(user.name).append("\"}");
    SourceIp(&caller->ip);
    caller->agent = r_.Pick(kSdkAgents);
  }

  void AwsService(Caller* caller, const char* by = nullptr) {
    if (!by) by = r_.Pick(kInvokingServices);
    out_.append(R"({"type":"AWSService","invokedBy":")").append(by).append("\"}");
    caller->ip = caller->agent = by;
    caller->internal = true;
  }

  void WebIdentityUser(Caller* caller) {
    out_.append(R"({"type":"WebIdentityUser","principalId":"arn:aws:iam::)").append(account_.id);
    out_.append(R"(:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:)"
                R"(acme/infra:ref:refs/heads/main","userName":"repo:acme/infra:ref:refs/heads/)"
                R"(main","identityProvider":"arn:aws:iam::)");
    out_.append(account_.id).append(R"(:oidc-provider/token.actions.githubusercontent.com"})");
    SourceIp(&caller->ip);
    caller->agent = kSdkAgents[5];
  }

  void Identity(const ApiCall& call, Caller* caller) {
    const uint32_t p = r_.Below(100);
    if (call.payload == Payload::kStsWebIdentity) return WebIdentityUser(caller);
    if (call.payload == Payload::kStsAssumeRole) {
      // Execution roles assumed by Lambda, ECS and EC2 are a large share of AssumeRole.
      if (p < 40) {
        static constexpr std::array<const char*, 3> kAssumers = {
            "lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "ec2.amazonaws.com"};
        return AwsService(caller, r_.Pick(kAssumers));
      }
      return p < 85 ? AssumedRole(caller) : IamUser(caller);
    }
    if (call.payload == Payload::kKmsCrypto && p < 30) return AwsService(caller);
    if (p < 72) return AssumedRole(caller);
    if (p < 92) return IamUser(caller);
    return AwsService(caller);
  }

  // ----- payloads

  std::string Bucket() { return account_.bucket_prefix + "-" + r_.Pick(kBucketStems); }

  void InstanceId() {
    out_.append("i-0");
    AppendChars(r_, kLowerHex, 16, &out_);
  }

  void ObjectKey() {
    static constexpr std::array<const char*, 6> kPrefixes = {
        "raw/events/", "exports/daily/", "uploads/", "models/v3/", "logs/app/", "assets/img/"};
    out_.append(r_.Pick(kPrefixes));
    AppendUint(&out_, 2023 + r_.Below(3));
    out_.push_back('/');
    AppendPadded(&out_, 1 + r_.Below(12), 2);
    out_.push_back('/');
    AppendChars(r_, kLowerHex, 8 + r_.Below(24), &out_);
    static constexpr std::array<const char*, 5> kSuffixes = {".parquet", ".json.gz", ".csv", ".jpg",
                                                             ".tar.zst"};
    out_.append(r_.Pick(kSuffixes));
  }

  void KmsKeyArn() {
    out_.append("arn:aws:kms:").append(region_).append(":").append(account_.id).append(":key/");
    out_.append(r_.Pick(account_.kms_keys));
  }

  // requestParameters, responseElements, and sometimes additionalEventData and resources.
  void Payloads(const ApiCall& call, bool failed) {
    const std::string_view name = call.name;
    out_.append(R"(,"requestParameters":)");
    switch (call.payload) {
      case Payload::kNone:
      case Payload::kStsCallerIdentity:
        out_.append("null");
        break;
      case Payload::kEc2Instances: {
        out_.append(R"({"instancesSet":{"items":[)");
        // Mostly one or a few ids; a tool listing a fleet sends dozens.
        const uint32_t n = r_.Chance(0.9) ? r_.Between(1, 4) : r_.Between(10, 60);
        for (uint32_t i = 0; i < n; ++i) {
          if (i) out_.push_back(',');
          out_.append(R"({"instanceId":")");
          InstanceId();
          out_.append("\"}");
        }
        out_.append(R"(]},"filterSet":{"items":[{"name":"instance-state-name","valueSet":)"
                    R"({"items":[{"value":"running"},{"value":"stopped"}]}}]}})");
        break;
      }
      case Payload::kEc2RunInstances:
        out_.append(R"({"instancesSet":{"items":[{"imageId":"ami-0)");
        AppendChars(r_, kLowerHex, 16, &out_);
        out_.append(R"(","minCount":1,"maxCount":1}]},"instanceType":"m6i.large",)"
                    R"("blockDeviceMapping":{},"monitoring":{"enabled":false},)"
                    R"("disableApiTermination":false,"disableApiStop":false,"clientToken":")");
        AppendUuid(r_, &out_);
        out_.append(R"(","tagSpecificationSet":{"items":[{"resourceType":"instance","tags":[)"
                    R"({"key":"team","value":"payments"},{"key":"env","value":"prod"}]}]}})");
        break;
      case Payload::kEc2SecurityGroups:
        out_.append(R"({"groupIdSet":{"items":[{"groupId":"sg-0)");
        AppendChars(r_, kLowerHex, 16, &out_);
        out_.append(R"("}]},"ipPermissions":{},"maxResults":1000,"filterSet":{}})");
        break;
      case Payload::kEc2Volumes:
        out_.append(R"({"volumeSet":{},"filterSet":{"items":[{"name":"attachment.instance-id",)"
                    R"("valueSet":{"items":[{"value":")");
        InstanceId();
        out_.append(R"("}]}}]},"maxResults":500})");
        break;
      case Payload::kEc2CreateTags:
        out_.append(R"({"resourcesSet":{"items":[{"resourceId":")");
        InstanceId();
        out_.append(R"("}]},"tagSet":{"items":[{"key":"Name","value":"worker-)");
        AppendChars(r_, kLowerHex, 6, &out_);
        out_.append(R"("},{"key":"cost-center","value":"cc-)");
        AppendUint(&out_, 1000 + r_.Below(9000));
        out_.append(R"("}]}})");
        break;
      case Payload::kS3Bucket:
        out_.append(R"({"bucketName":")").append(Bucket());
        out_.append(R"(","Host":"s3.)").append(region_).append(R"(.amazonaws.com",")");
        out_.append(name == "ListObjects" ? R"(prefix":"raw/","max-keys":"1000"})" : R"(acl":""})");
        break;
      case Payload::kS3GetObject:
      case Payload::kS3PutObject: {
        const std::string bucket = Bucket();
        out_.append(R"({"bucketName":")").append(bucket);
        out_.append(R"(","Host":")").append(bucket).append(".s3.").append(region_);
        out_.append(R"(.amazonaws.com","key":")");
        const size_t key_at = out_.size();
        ObjectKey();
        const std::string key = out_.substr(key_at);
        out_.append("\"}");
        S3ObjectRest(call, bucket, key, failed);
        return;
      }
      case Payload::kIamList:
        out_.append(R"({"maxItems":1000,"pathPrefix":"/"})");
        break;
      case Payload::kIamRole:
        out_.append(R"({"roleName":")").append(r_.Pick(account_.roles).name).append("\"}");
        break;
      case Payload::kIamUser:
        out_.append(R"({"userName":")").append(r_.Pick(account_.users).name);
        if (name == "AttachUserPolicy") {
          out_.append(R"(","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess)");
        }
        out_.append("\"}");
        break;
      case Payload::kIamPutRolePolicy: {
        // The policy document is a JSON *string* in CloudTrail: escaped quotes and slashes.
        out_.append(R"({"roleName":")").append(r_.Pick(account_.roles).name);
        out_.append(R"(","policyName":"inline-)");
        AppendChars(r_, kLowerHex, 6, &out_);
        out_.append(R"(","policyDocument":"{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [)");
        const uint32_t statements = r_.Between(1, 8);
        for (uint32_t i = 0; i < statements; ++i) {
          if (i) out_.append(",");
          out_.append(
              R"(\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": [\"s3:GetObject\", )"
              R"(\"s3:PutObject\", \"kms:Decrypt\"],\n      \"Resource\": \"arn:aws:s3:::)");
          out_.append(Bucket()).append(R"(\/*\"\n    })");
        }
        out_.append(R"(\n  ]\n}"})");
        break;
      }
      case Payload::kStsAssumeRole: {
        const Principal& role = r_.Pick(account_.roles);
        const std::string session = SessionName();
        out_.append(R"({"roleArn":"arn:aws:iam::)").append(account_.id).append(":role/");
        out_.append(role.name).append(R"(","roleSessionName":")").append(session);
        out_.append(R"(","durationSeconds":3600})");
        if (failed) break;
        out_.append(R"(,"responseElements":{"credentials":{"accessKeyId":"ASIA)");
        AppendChars(r_, kBase32, 16, &out_);
        // CloudTrail logs the session token (never the secret key).
        out_.append(R"(","sessionToken":"IQoJb3JpZ2luX2VjE)");
        AppendChars(r_, kBase64, 300 + r_.Below(500), &out_);
        out_.append(R"(","expiration":"Mar 15, 2025, 1:00:00 AM"},"assumedRoleUser":)"
                    R"({"assumedRoleId":")");
        out_.append(role.id).append(":").append(session);
        out_.append(R"(","arn":"arn:aws:sts::)").append(account_.id).append(":assumed-role/");
        out_.append(role.name).append("/").append(session).append("\"}}");
        Resources("AWS::IAM::Role", "arn:aws:iam::" + account_.id + ":role/" + role.name);
        return;
      }
      case Payload::kStsWebIdentity:
        out_.append(R"({"roleArn":"arn:aws:iam::)").append(account_.id);
        out_.append(R"(:role/github-actions-deploy","roleSessionName":"GitHubActions",)"
                    R"("durationSeconds":3600})");
        if (failed) break;
        out_.append(R"(,"responseElements":{"credentials":{"accessKeyId":"ASIA)");
        AppendChars(r_, kBase32, 16, &out_);
        out_.append(R"(","sessionToken":"IQoJb3JpZ2luX2VjE)");
        AppendChars(r_, kBase64, 400, &out_);
        out_.append(R"(","expiration":"Mar 15, 2025, 1:00:00 AM"},)"
                    R"("subjectFromWebIdentityToken":"repo:acme/infra:ref:refs/heads/main",)"
                    R"("audience":"sts.amazonaws.com","provider":"arn:aws:iam::)");
        out_.append(account_.id).append(R"(:oidc-provider/token.actions.githubusercontent.com"})");
        return;
      case Payload::kKmsCrypto: {
        out_.append(R"({"keyId":")");
        const size_t key_at = out_.size();
        KmsKeyArn();
        const std::string key = out_.substr(key_at);
        out_.append(R"(","encryptionAlgorithm":"SYMMETRIC_DEFAULT")");
        if (r_.Chance(0.6)) {
          out_.append(R"(,"encryptionContext":{"aws:lambda:FunctionArn":"arn:aws:lambda:)");
          out_.append(region_).append(":").append(account_.id).append(":function:");
          out_.append(r_.Pick(kFunctionNames)).append("\"}");
        }
        if (name == "GenerateDataKey") out_.append(R"(,"keySpec":"AES_256")");
        out_.append(R"(},"responseElements":null)");
        Resources("AWS::KMS::Key", key);
        return;
      }
      case Payload::kKmsDescribe:
        out_.append(R"({"keyId":"alias/)").append(r_.Pick(kBucketStems)).append("\"}");
        break;
      case Payload::kLambdaInvoke: {
        const char* function = r_.Pick(kFunctionNames);
        out_.append(R"({"functionName":"arn:aws:lambda:)").append(region_).append(":");
        out_.append(account_.id).append(":function:").append(function);
        out_.append(R"(","invocationType":")");
        out_.append(r_.Chance(0.7) ? "RequestResponse" : "Event");
        out_.append(R"("},"responseElements":null,"additionalEventData":{"functionVersion":)"
                    R"("arn:aws:lambda:)");
        out_.append(region_).append(":").append(account_.id).append(":function:");
        out_.append(function).append(R"(:$LATEST"})");
        Resources("AWS::Lambda::Function", "arn:aws:lambda:" + std::string(region_) + ":" +
                                               account_.id + ":function:" + function);
        return;
      }
      case Payload::kLambdaFunction: {
        const char* function = r_.Pick(kFunctionNames);
        out_.append(R"({"functionName":")").append(function).append("\"");
        if (name.starts_with("Update")) {
          out_.append(R"(,"publish":false,"s3Bucket":")").append(Bucket());
          out_.append(R"(","s3Key":"lambda/)").append(function).append("-");
          AppendChars(r_, kLowerHex, 12, &out_);
          out_.append(R"(.zip"})");
          if (failed) break;
          out_.append(R"(,"responseElements":{"functionName":")").append(function);
          out_.append(R"(","functionArn":"arn:aws:lambda:)").append(region_).append(":");
          out_.append(account_.id).append(":function:").append(function);
          out_.append(R"(","runtime":"python3.12","role":"arn:aws:iam::)").append(account_.id);
          out_.append(R"(:role/LambdaExec-orders","handler":"app.handler","codeSize":)");
          AppendUint(&out_, 10000 + r_.Below(50000000));
          out_.append(R"(,"description":"","timeout":30,"memorySize":512,"lastModified":")");
          AppendTime(start_, &out_);
          out_.append(R"(","codeSha256":")");
          AppendChars(r_, kBase64, 43, &out_);
          out_.append(R"(=","version":"$LATEST","environment":{"variables":{)");
          const uint32_t vars = r_.Between(2, 30);
          for (uint32_t i = 0; i < vars; ++i) {
            if (i) out_.push_back(',');
            out_.append("\"SETTING_");
            AppendUint(&out_, i);
            out_.append(R"(":"HIDDEN_DUE_TO_SECURITY_REASONS")");
          }
          out_.append(R"(}},"tracingConfig":{"mode":"PassThrough"},"revisionId":")");
          AppendUuid(r_, &out_);
          out_.append(R"(","state":"Active","lastUpdateStatus":"InProgress",)"
                      R"("packageType":"Zip","architectures":["arm64"]})");
          return;
        }
        out_.push_back('}');
        break;
      }
      case Payload::kCloudTrailLookup:
        out_.append(R"({"lookupAttributes":[{"attributeKey":"EventName","attributeValue":")");
        out_.append(r_.Chance(0.5) ? "ConsoleLogin" : "DeleteBucket");
        out_.append(R"("}],"startTime":"Mar 1, 2025, 12:00:00 AM","maxResults":50})");
        break;
      case Payload::kCloudTrailTrail:
        out_.append(R"({"name":"arn:aws:cloudtrail:us-east-1:)").append(account_.id);
        out_.append(R"(:trail/org-trail"})");
        break;
      case Payload::kLogsStream:
        out_.append(R"({"logGroupName":"/aws/lambda/)").append(r_.Pick(kFunctionNames));
        out_.append(R"(","logStreamName":"2025/03/14/[$LATEST])");
        AppendChars(r_, kLowerHex, 32, &out_);
        out_.append("\"}");
        break;
      case Payload::kLogsGroups:
        out_.append(R"({"logGroupNamePrefix":"/aws/")").append("}");
        break;
      case Payload::kDynamoTable:
        out_.append(R"({"tableName":"orders-)");
        AppendChars(r_, kLowerHex, 4, &out_);
        out_.append("\"}");
        break;
      case Payload::kSecret:
        out_.append(R"({"secretId":"arn:aws:secretsmanager:)").append(region_).append(":");
        out_.append(account_.id).append(R"(:secret:prod/db/password-)");
        AppendChars(r_, kAlnum, 6, &out_);
        out_.append("\"}");
        break;
      case Payload::kSsmParameter:
        out_.append(R"({"name":"/prod/service-)");
        AppendChars(r_, kLowerHex, 4, &out_);
        out_.append(R"(/config","withDecryption":true})");
        break;
      case Payload::kEcsTaskDefinition:
        if (name.starts_with("Describe")) {
          out_.append(R"({"taskDefinition":"orders-api:)");
          AppendUint(&out_, 1 + r_.Below(300));
          out_.append("\"}");
          break;
        }
        // The rare large record: a task definition with many containers and variables.
        out_.append(R"({"family":"orders-api","containerDefinitions":[)");
        for (uint32_t c = 0, n = r_.Between(1, 6); c < n; ++c) {
          if (c) out_.push_back(',');
          out_.append(R"({"name":"container-)");
          AppendUint(&out_, c);
          out_.append(R"(","image":")").append(account_.id).append(".dkr.ecr.").append(region_);
          out_.append(R"(.amazonaws.com/orders-api:)");
          AppendChars(r_, kLowerHex, 40, &out_);
          out_.append(R"(","cpu":256,"memory":512,"essential":true,"environment":[)");
          for (uint32_t v = 0, m = r_.Between(5, 120); v < m; ++v) {
            if (v) out_.push_back(',');
            out_.append(R"({"name":"FEATURE_FLAG_)");
            AppendUint(&out_, v);
            out_.append(R"(","value":")");
            AppendChars(r_, kAlnum, 8 + r_.Below(40), &out_);
            out_.append("\"}");
          }
          out_.append(R"(],"logConfiguration":{"logDriver":"awslogs","options":)"
                      R"({"awslogs-group":"/ecs/orders-api","awslogs-region":")");
          out_.append(region_).append(R"(","awslogs-stream-prefix":"ecs"}}})");
        }
        out_.append(R"(],"networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],)"
                    R"("cpu":"1024","memory":"2048"})");
        break;
      case Payload::kMonitoring:
        out_.append(R"({"metricDataQueries":[)");
        for (uint32_t q = 0, n = r_.Between(1, 12); q < n; ++q) {
          if (q) out_.push_back(',');
          out_.append(R"({"id":"m)");
          AppendUint(&out_, q);
          out_.append(R"(","metricStat":{"metric":{"namespace":"AWS/EC2","metricName":)"
                      R"("CPUUtilization","dimensions":[{"name":"InstanceId","value":")");
          InstanceId();
          out_.append(R"("}]},"period":300,"stat":"Average"},"returnData":true})");
        }
        out_.append(R"(],"startTime":"Mar 14, 2025, 11:00:00 PM","endTime":)"
                    R"("Mar 15, 2025, 12:00:00 AM"})");
        break;
    }
    out_.append(R"(,"responseElements":)");
    if (failed || call.read_only) {
      out_.append("null");
    } else if (call.payload == Payload::kEc2RunInstances) {
      RunInstancesResponse();
    } else if (call.payload == Payload::kEc2Instances) {
      out_.append(R"({"requestId":")");
      AppendUuid(r_, &out_);
      out_.append(R"(","instancesSet":{"items":[{"instanceId":")");
      InstanceId();
      out_.append(R"(","currentState":{"code":64,"name":"stopping"},"previousState":)"
                  R"({"code":16,"name":"running"}}]}})");
    } else if (call.service == std::string_view("ec2") || call.service == std::string_view("ssm")) {
      out_.append(R"({"requestId":")");
      AppendUuid(r_, &out_);
      out_.append(R"(","_return":true})");
    } else {
      out_.append("null");
    }
  }

  void RunInstancesResponse() {
    out_.append(R"({"requestId":")");
    AppendUuid(r_, &out_);
    out_.append(R"(","reservationId":"r-0)");
    AppendChars(r_, kLowerHex, 16, &out_);
    out_.append(R"(","ownerId":")").append(account_.id);
    out_.append(R"(","groupSet":{},"instancesSet":{"items":[{"instanceId":")");
    InstanceId();
    out_.append(R"(","imageId":"ami-0)");
    AppendChars(r_, kLowerHex, 16, &out_);
    out_.append(R"(","currentInstanceBootMode":"uefi","instanceState":{"code":0,"name":)"
                R"("pending"},"privateDnsName":"ip-10-0-)");
    AppendUint(&out_, r_.Below(256));
    out_.append("-");
    AppendUint(&out_, r_.Below(256));
    out_.append(".").append(region_).append(R"(.compute.internal","amiLaunchIndex":0,)"
                                            R"("productCodes":{},"instanceType":"m6i.large",)"
                                            R"("launchTime":1741996800000,"placement":)"
                                            R"({"availabilityZone":")");
    out_.append(region_).append(R"(a","tenancy":"default"},"monitoring":{"state":"disabled"},)"
                                R"("subnetId":"subnet-0)");
    AppendChars(r_, kLowerHex, 16, &out_);
    out_.append(R"(","vpcId":"vpc-0)");
    AppendChars(r_, kLowerHex, 16, &out_);
    out_.append(R"(","privateIpAddress":"10.0.)");
    AppendUint(&out_, r_.Below(256));
    out_.append(".");
    AppendUint(&out_, 1 + r_.Below(254));
    out_.append(R"(","stateReason":{"code":"pending","message":"pending"},"architecture":)"
                R"("x86_64","rootDeviceType":"ebs","rootDeviceName":"/dev/xvda",)"
                R"("blockDeviceMapping":{},"virtualizationType":"hvm","hypervisor":"xen",)"
                R"("tagSet":{"items":[{"key":"team","value":"payments"},{"key":"env","value":)"
                R"("prod"}]},"networkInterfaceSet":{"items":[{"networkInterfaceId":"eni-0)");
    AppendChars(r_, kLowerHex, 16, &out_);
    out_.append(R"(","status":"in-use","sourceDestCheck":true,"interfaceType":"interface",)"
                R"("groupSet":{"items":[{"groupId":"sg-0)");
    AppendChars(r_, kLowerHex, 16, &out_);
    out_.append(R"(","groupName":"default"}]},"attachment":{"deviceIndex":0,"status":)"
                R"("attaching","deleteOnTermination":true}}]},"ebsOptimized":true,)"
                R"("enaSupport":true,"cpuOptions":{"coreCount":1,"threadsPerCore":2},)"
                R"("capacityReservationSpecification":{"capacityReservationPreference":)"
                R"("open"},"hibernationOptions":{"configured":false},"enclaveOptions":)"
                R"({"enabled":false},"metadataOptions":{"state":"pending","httpTokens":)"
                R"("required","httpPutResponseHopLimit":2,"httpEndpoint":"enabled"},)"
                R"("maintenanceOptions":{"autoRecovery":"default"}}]}})");
  }

  // The rest of an S3 object-level data event after requestParameters.
  void S3ObjectRest(const ApiCall& call, const std::string& bucket, const std::string& key,
                    bool failed) {
    out_.append(R"(,"responseElements":)");
    if (call.payload == Payload::kS3PutObject && !failed) {
      out_.append(R"({"x-amz-server-side-encryption":"aws:kms",)"
                  R"("x-amz-server-side-encryption-aws-kms-key-id":")");
      KmsKeyArn();
      out_.append(R"(","x-amz-server-side-encryption-bucket-key-enabled":"true",)"
                  R"("x-amz-version-id":")");
      AppendChars(r_, kAlnum, 32, &out_);
      out_.append("\"}");
    } else {
      out_.append("null");
    }
    out_.append(R"(,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":)"
                R"("TLS_AES_128_GCM_SHA256","bytesTransferredIn":)");
    AppendUint(&out_, call.payload == Payload::kS3PutObject ? r_.Below(50000000) : 0);
    out_.append(R"(,"AuthenticationMethod":"AuthHeader","x-amz-id-2":")");
    AppendChars(r_, kBase64, 76, &out_);
    out_.append(R"(","bytesTransferredOut":)");
    AppendUint(&out_, call.name == std::string_view("GetObject") ? r_.Below(20000000) : 0);
    out_.append(R"(},"requestID":")");
    AppendChars(r_, kUpperHex, 16, &out_);
    out_.append(R"(","eventID":")");
    AppendUuid(r_, &out_);
    out_.append(R"(","readOnly":)").append(call.read_only ? "true" : "false");
    out_.append(R"(,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::)");
    out_.append(bucket).append("/").append(key);
    out_.append(R"("},{"accountId":")").append(account_.id);
    out_.append(R"(","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::)").append(bucket).append("\"}]");
    ids_written_ = true;
    s3_object_host_ = bucket + ".s3";
  }

  void Resources(std::string_view type, const std::string& arn) {
    resources_type_ = type;
    resources_arn_ = arn;
  }

  // ----- records

  void Record(int64_t now) {
    const double p = r_.Uniform();
    if (p < sign_in_rate_) return IamSignIn(now);
    if (p < sign_in_rate_ + 0.015) return ServiceEvent(now);
    if (p < sign_in_rate_ + 0.02) return ConsoleAction(now);
    const bool data = r_.Chance(data_share_);
    const ApiCall& call = data                ? world_.data.Pick(r_)
                          : file_.region == 0 ? world_.management_us_east_1.Pick(r_)
                                              : world_.management_regional.Pick(r_);
    ApiCallRecord(now, call, data);
  }

  void ApiCallRecord(int64_t now, const ApiCall& call, bool data) {
    BeginRecord();
    Caller caller;
    Identity(call, &caller);
    Common(now, call.service, call.name, caller);
    // About 3% of calls fail, mostly with authorization errors.
    const bool failed = r_.Chance(0.03);
    if (failed) {
      static constexpr std::array<std::pair<const char*, const char*>, 4> kErrors = {{
          {"AccessDenied", "User is not authorized to perform this action"},
          {"Client.UnauthorizedOperation",
           "You are not authorized to perform this operation. User: arn:aws:sts::"
           "assumed-role is not authorized to perform: ec2:DescribeInstances because no "
           "identity-based policy allows the ec2:DescribeInstances action"},
          {"ThrottlingException", "Rate exceeded"},
          {"ResourceNotFoundException", "The requested resource was not found"},
      }};
      const auto& [code, message] = r_.Pick(kErrors);
      out_.append(R"(,"errorCode":")").append(code);
      out_.append(R"(","errorMessage":")").append(message).append("\"");
    }
    ids_written_ = false;
    resources_type_ = {};
    s3_object_host_.clear();
    Payloads(call, failed);
    const bool s3 = call.service == std::string_view("s3");
    if (!ids_written_) {
      Ids(s3);
      out_.append(R"(,"readOnly":)").append(call.read_only ? "true" : "false");
      if (!resources_type_.empty()) {
        out_.append(R"(,"resources":[{"accountId":")").append(account_.id);
        out_.append(R"(","type":")").append(resources_type_);
        out_.append(R"(","ARN":")").append(resources_arn_).append("\"}]");
      }
    }
    Trailer("AwsApiCall", !data, data ? "Data" : "Management");
    if (!caller.internal && r_.Chance(0.15)) {  // through an interface VPC endpoint
      out_.append(R"(,"vpcEndpointId":"vpce-0)");
      AppendChars(r_, kLowerHex, 16, &out_);
      out_.append(R"(","vpcEndpointAccountId":")").append(account_.id).append("\"");
    }
    if (!caller.internal) {
      if (!s3_object_host_.empty()) {
        Tls(s3_object_host_);  // virtual-hosted style: <bucket>.s3.<region>.amazonaws.com
      } else {
        Tls(call.service, !IsGlobalService(call.service));
      }
    }
    if (caller.from_console) out_.append(R"(,"sessionCredentialFromConsole":"true")");
    out_.push_back('}');
  }

  void SignInAdditionalData(bool mobile) {
    out_.append(R"(,"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/)"
                R"(home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_)");
    out_.append(region_).append("_");
    AppendChars(r_, kLowerHex, 16, &out_);
    out_.append(R"(","MobileVersion":")").append(mobile ? "Yes" : "No").append("\"");
  }

  // ConsoleLogin (or CheckMfa) by an IAM user, in a console sign-in region
  // (docs/reference/formats.md §2).
  void IamSignIn(int64_t now) {
    ++tally_.console_sign_ins;
    BeginRecord();
    const Principal& user = r_.Pick(account_.users);
    const bool check_mfa = r_.Chance(0.15);
    const bool failure = !check_mfa && r_.Chance(0.15);
    // AWS's failure example has no arn and an empty accessKeyId (§2.1).
    out_.append(R"({"type":"IAMUser","principalId":")").append(user.id);
    if (!failure) {
      out_.append(R"(","arn":"arn:aws:iam::)").append(account_.id).append(":user/");
      out_.append(user.name);
    }
    out_.append(R"(","accountId":")").append(account_.id);
    out_.append(R"(","accessKeyId":"","userName":")").append(user.name).append("\"}");
    Caller caller;
    SourceIp(&caller.ip);
    const bool mobile = r_.Chance(0.05);
    caller.agent = kBrowserAgents[mobile ? 4 : r_.Below(4)];
    Common(now, "signin", check_mfa ? "CheckMfa" : "ConsoleLogin", caller);
    if (failure) out_.append(R"(,"errorMessage":"Failed authentication")");
    out_.append(R"(,"requestParameters":null,"responseElements":{")");
    out_.append(check_mfa ? "CheckMfa" : "ConsoleLogin");
    out_.append(R"(":")").append(failure ? "Failure" : "Success").append("\"}");
    if (check_mfa) {
      out_.append(R"(,"additionalEventData":{"MfaType":"Virtual MFA"})");
    } else {
      SignInAdditionalData(mobile);
      const bool mfa = r_.Chance(0.7);
      if (mfa) {
        out_.append(R"(,"MFAIdentifier":"arn:aws:iam::)").append(account_.id);
        out_.append(":mfa/").append(user.name).append("\"");
      }
      out_.append(R"(,"MFAUsed":")").append(mfa ? "Yes" : "No").append("\"}");
    }
    Ids(false);
    out_.append(R"(,"readOnly":false)");
    Trailer("AwsConsoleSignIn", true, "Management");
    Tls("signin", false);
    out_.push_back('}');
  }

  // A root ConsoleLogin, always in us-east-1 (§2.4): success with MFA, without, or failure.
  // Returns true for a successful sign-in.
  bool RootSignIn(int64_t now) {
    ++tally_.console_sign_ins;
    ++tally_.root_sign_ins;
    const uint32_t outcome = r_.Below(100);
    const bool failure = outcome >= 75;
    const bool mfa = outcome < 45;
    if (failure) ++tally_.root_sign_ins_failed;
    if (mfa) ++tally_.root_sign_ins_with_mfa;
    BeginRecord(r_.Chance(0.5) ? "1.08" : "1.09");
    out_.append(R"({"type":"Root","principalId":")").append(account_.root_principal_id);
    out_.append(R"(","arn":"arn:aws:iam::)").append(account_.id);
    out_.append(R"(:root","accountId":")").append(account_.id);
    out_.append(R"(","accessKeyId":""})");
    Caller caller;
    SourceIp(&caller.ip);
    caller.agent = r_.Pick(kBrowserAgents);
    Common(now, "signin", "ConsoleLogin", caller);
    if (failure) out_.append(R"(,"errorMessage":"Failed authentication")");
    out_.append(R"(,"requestParameters":null,"responseElements":{"ConsoleLogin":")");
    out_.append(failure ? "Failure" : "Success").append("\"}");
    SignInAdditionalData(false);
    if (mfa) {
      out_.append(R"(,"MFAIdentifier":"arn:aws:iam::)").append(account_.id);
      out_.append(R"(:mfa/root-account-mfa-device")");
    }
    // AWS's own root-with-MFA example spells it "YES" (§2.1); keep some of those.
    out_.append(R"(,"MFAUsed":")").append(mfa ? (r_.Chance(0.3) ? "YES" : "Yes") : "No");
    out_.append("\"}");
    Ids(false);
    out_.append(R"(,"readOnly":false)");
    Trailer("AwsConsoleSignIn", true, "Management");
    Tls("signin", false);
    out_.push_back('}');
    return !failure;
  }

  // What a root user does in the console after signing in: IAM reads, AwsApiCall, which a
  // root-sign-in filter must not select.
  void RootApiCall(int64_t now) {
    ++tally_.root_api_calls;
    static constexpr std::array<const char*, 4> kNames = {
        "GetAccountSummary", "ListMFADevices", "GetAccountPasswordPolicy", "ListAccessKeys"};
    BeginRecord();
    out_.append(R"({"type":"Root","principalId":")").append(account_.root_principal_id);
    out_.append(R"(","arn":"arn:aws:iam::)").append(account_.id);
    out_.append(R"(:root","accountId":")").append(account_.id);
    out_.append(R"(","accessKeyId":"ASIA)");
    AppendChars(r_, kBase32, 16, &out_);
    out_.append(R"(","sessionContext":{"sessionIssuer":{},"webIdFederationData":{},)"
                R"("attributes":{"creationDate":")");
    AppendTime(now - 30, &out_);
    out_.append(R"(","mfaAuthenticated":"true"}}})");
    Caller caller{"AWS Internal", "AWS Internal", true, true};
    Common(now, "iam", r_.Pick(kNames), caller);
    out_.append(R"(,"requestParameters":null,"responseElements":null)");
    Ids(false);
    out_.append(R"(,"readOnly":true)");
    Trailer("AwsApiCall", true, "Management");
    out_.append(R"(,"sessionCredentialFromConsole":"true"})");
  }

  // Something AWS did on its own (key rotation, a health check): no caller, only invokedBy.
  void ServiceEvent(int64_t now) {
    static constexpr std::array<std::array<const char*, 2>, 4> kEvents = {{
        {"kms", "RotateKey"},
        {"kms", "DeleteExpiredKeyMaterial"},
        {"ec2", "SharedSnapshotVolumeCreated"},
        {"sso", "CreateRole"},
    }};
    const auto& event = r_.Pick(kEvents);
    const std::string service = event[0];
    BeginRecord();
    out_.append(R"({"accountId":")").append(account_.id);
    out_.append(R"(","invokedBy":")").append(service).append(R"(.amazonaws.com"})");
    Caller caller;
    caller.ip = caller.agent = service + ".amazonaws.com";
    if (r_.Chance(0.3)) caller.ip = "AWS Internal";
    Common(now, service, event[1], caller);
    out_.append(R"(,"requestParameters":null,"responseElements":null)");
    Ids(false);
    out_.append(R"(,"readOnly":false)");
    if (service == "kms") {
      out_.append(R"(,"resources":[{"accountId":")").append(account_.id);
      out_.append(R"(","type":"AWS::KMS::Key","ARN":")");
      KmsKeyArn();
      out_.append("\"}]");
    }
    Trailer("AwsServiceEvent", true, "Management");
    out_.append(R"(,"serviceEventDetails":{"keyRotationType":"AUTOMATIC","rotationStatus":)"
                R"("SUCCEEDED","eventSequenceNumber":)");
    AppendUint(&out_, r_.Below(1000000));
    out_.append("}}");
  }

  // A console action that is not an API call (AwsConsoleAction), by an SSO user.
  void ConsoleAction(int64_t now) {
    static constexpr std::array<std::array<const char*, 2>, 3> kActions = {{
        {"health", "DescribeEventAggregates"},
        {"s3", "GetStorageLensDashboardDataInternal"},
        {"servicecatalog", "SearchProductsAsAdmin"},
    }};
    const auto& action = r_.Pick(kActions);
    BeginRecord();
    Caller caller;
    const Principal* sso = &account_.roles[kConsoleRole];
    AssumedRole(&caller, sso);
    Common(now, action[0], action[1], caller);
    out_.append(R"(,"requestParameters":null,"responseElements":null)");
    Ids(false);
    out_.append(R"(,"readOnly":true)");
    Trailer("AwsConsoleAction", true, "Management");
    out_.append(R"(,"sessionCredentialFromConsole":"true"})");
  }

  const World& world_;
  const PlannedFile& file_;
  const Account& account_;
  std::string_view region_;
  Random r_;
  std::string& out_;
  int64_t window_ = 0;
  int64_t start_ = 0;
  double data_share_ = 0;
  double sign_in_rate_ = 0;
  FileTally tally_;
  bool ids_written_ = false;
  std::string_view resources_type_;
  std::string resources_arn_;
  std::string s3_object_host_;  // set by an S3 object-level event, for its tlsDetails
  std::vector<RoleSession> sessions_;
};

// ---------------------------------------------------------------------------------------------
// Writing files
// ---------------------------------------------------------------------------------------------

struct CompressorDeleter {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

Status WriteWholeFile(const std::filesystem::path& path, std::string_view bytes) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (!file) return Error{path.string() + ": cannot create: " + std::strerror(errno)};
  if (std::fwrite(bytes.data(), 1, bytes.size(), file.get()) != bytes.size()) {
    return Error{path.string() + ": write failed: " + std::strerror(errno)};
  }
  if (std::fclose(file.release()) != 0) {
    return Error{path.string() + ": close failed: " + std::strerror(errno)};
  }
  return Status::Ok();
}

bool IsOrgId(std::string_view text) {
  if (!text.starts_with("o-") || text.size() < 12 || text.size() > 34) return false;
  for (char c : text.substr(2)) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace

Result<CalendarDate> ParseCalendarDate(std::string_view text) {
  const auto bad = [&] {
    return Error{"\"" + std::string(text) + "\" is not a valid date (YYYY-MM-DD)"};
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  int parts[3] = {0, 0, 0};
  const std::string_view fields[3] = {text.substr(0, 4), text.substr(5, 2), text.substr(8, 2)};
  for (int i = 0; i < 3; ++i) {
    auto [ptr, ec] =
        std::from_chars(fields[i].data(), fields[i].data() + fields[i].size(), parts[i]);
    if (ec != std::errc() || ptr != fields[i].data() + fields[i].size()) return bad();
  }
  const CalendarDate date{parts[0], parts[1], parts[2]};
  if (date.year < 1970 || date.month < 1 || date.month > 12 || date.day < 1) return bad();
  // A real day: converting there and back changes nothing.
  const CalendarDate round_trip = CivilFromDays(DaysFromCivil(date.year, date.month, date.day));
  if (round_trip.month != date.month || round_trip.day != date.day) return bad();
  return date;
}

Status ValidateLogGeneratorOptions(const LogGeneratorOptions& options) {
  if (options.out_dir.empty()) return Error{"--out: an output directory is required"};
  if (options.target_bytes < 1024) return Error{"--size: must be at least 1 KB"};
  if (options.accounts < 1 || options.accounts > 1000) {
    return Error{"--accounts: must be between 1 and 1000"};
  }
  if (options.regions < 1 || options.regions > kMaxGeneratedRegions) {
    return Error{"--regions: must be between 1 and " + std::to_string(kMaxGeneratedRegions)};
  }
  if (options.days < 1 || options.days > 3650) return Error{"--days: must be between 1 and 3650"};
  if (options.end.year < 1970 || options.end.year > 9999) {
    return Error{"--end: the year must be between 1970 and 9999"};
  }
  if (DaysFromCivil(options.end.year, options.end.month, options.end.day) - options.days + 1 < 0) {
    return Error{"--days: the span starts before 1970-01-01"};
  }
  if (!options.org_id.empty() && !IsOrgId(options.org_id)) {
    return Error{"--org: \"" + options.org_id +
                 "\" is not an organization id (o- and 10-32 "
                 "lowercase letters or digits)"};
  }
  if (options.min_file_bytes != 0 || options.max_file_bytes != 0) {
    if (options.min_file_bytes < 1024 || options.max_file_bytes < 2 * options.min_file_bytes ||
        options.max_file_bytes > kMaxFileBytes) {
      return Error{
          "--file-size: MIN-MAX with MIN at least 1 KB, MAX at least twice MIN and at most "
          "256 MiB"};
    }
  }
  if (options.compression_level < 1 || options.compression_level > 12) {
    return Error{"compression level must be between 1 and 12"};
  }
  return Status::Ok();
}

Result<LogGeneratorReport> GenerateLogs(const LogGeneratorOptions& options) {
  if (Status valid = ValidateLogGeneratorOptions(options); !valid.ok()) {
    return Error{valid.message()};
  }
  std::error_code ec;
  if (std::filesystem::exists(options.out_dir, ec) &&
      !std::filesystem::is_empty(options.out_dir, ec)) {
    return Error{options.out_dir.string() + ": exists and is not empty; give a new directory"};
  }
  const World world = MakeWorld(options);
  std::vector<PlannedFile> files = PlanFiles(options, world);
  // Directories first, from one thread, so that workers never race to create them.
  for (const PlannedFile& file : files) {
    std::filesystem::create_directories(file.path.parent_path(), ec);
    if (ec) return Error{file.path.parent_path().string() + ": cannot create: " + ec.message()};
  }
  // Biggest first: the long files start early and the small ones fill the gaps at the end.
  std::vector<size_t> order(files.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return files[a].size > files[b].size; });

  int threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::clamp(threads, 1, static_cast<int>(std::max<size_t>(1, files.size())));
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;  // guards report and first_error
  LogGeneratorReport report;
  report.smallest_file_compressed_bytes = UINT64_MAX;
  std::string first_error;

  const auto work = [&] {
    std::unique_ptr<libdeflate_compressor, CompressorDeleter> compressor(
        libdeflate_alloc_compressor(options.compression_level));
    if (!compressor) {
      std::lock_guard lock(mutex);
      if (first_error.empty()) first_error = "libdeflate: cannot allocate a compressor";
      stop = true;
      return;
    }
    std::string json;
    std::string gzip;
    LogGeneratorReport local;
    local.smallest_file_compressed_bytes = UINT64_MAX;
    while (!stop) {
      const size_t i = next.fetch_add(1);
      if (i >= order.size()) break;
      const PlannedFile& file = files[order[i]];
      json.reserve(file.size + (256 << 10));
      const FileTally tally = FileWriter(world, file, &json).Write();
      gzip.resize(libdeflate_gzip_compress_bound(compressor.get(), json.size()));
      const size_t compressed = libdeflate_gzip_compress(compressor.get(), json.data(), json.size(),
                                                         gzip.data(), gzip.size());
      Status written = compressed == 0 ? Status(Error{file.path.string() + ": compression failed"})
                                       : WriteWholeFile(file.path, {gzip.data(), compressed});
      if (!written.ok()) {
        std::lock_guard lock(mutex);
        if (first_error.empty()) first_error = written.message();
        stop = true;
        break;
      }
      ++local.files;
      local.records += tally.records;
      local.root_sign_ins += tally.root_sign_ins;
      local.root_sign_ins_failed += tally.root_sign_ins_failed;
      local.root_sign_ins_with_mfa += tally.root_sign_ins_with_mfa;
      local.root_api_calls += tally.root_api_calls;
      local.console_sign_ins += tally.console_sign_ins;
      local.compressed_bytes += compressed;
      local.uncompressed_bytes += json.size();
      local.largest_file_compressed_bytes =
          std::max<uint64_t>(local.largest_file_compressed_bytes, compressed);
      local.largest_file_uncompressed_bytes =
          std::max<uint64_t>(local.largest_file_uncompressed_bytes, json.size());
      local.smallest_file_compressed_bytes =
          std::min<uint64_t>(local.smallest_file_compressed_bytes, compressed);
      // Do not keep a 256 MB buffer around for the thousands of small files that follow.
      if (json.capacity() > (size_t{64} << 20) && file.size < (size_t{16} << 20)) {
        std::string().swap(json);
        std::string().swap(gzip);
      }
    }
    std::lock_guard lock(mutex);
    report.files += local.files;
    report.records += local.records;
    report.root_sign_ins += local.root_sign_ins;
    report.root_sign_ins_failed += local.root_sign_ins_failed;
    report.root_sign_ins_with_mfa += local.root_sign_ins_with_mfa;
    report.root_api_calls += local.root_api_calls;
    report.console_sign_ins += local.console_sign_ins;
    report.compressed_bytes += local.compressed_bytes;
    report.uncompressed_bytes += local.uncompressed_bytes;
    report.largest_file_compressed_bytes =
        std::max(report.largest_file_compressed_bytes, local.largest_file_compressed_bytes);
    report.largest_file_uncompressed_bytes =
        std::max(report.largest_file_uncompressed_bytes, local.largest_file_uncompressed_bytes);
    report.smallest_file_compressed_bytes =
        std::min(report.smallest_file_compressed_bytes, local.smallest_file_compressed_bytes);
  };
  {
    std::vector<std::jthread> workers;
    for (int t = 1; t < threads; ++t) workers.emplace_back(work);
    work();
  }
  if (!first_error.empty()) return Error{first_error};
  if (report.files == 0) report.smallest_file_compressed_bytes = 0;
  return report;
}

std::string LogGeneratorReportJson(const LogGeneratorReport& report) {
  std::string out = "{";
  const auto field = [&](const char* name, uint64_t value) {
    if (out.size() > 1) out.append(", ");
    out.append("\"").append(name).append("\": ");
    AppendUint(&out, value);
  };
  field("files", report.files);
  field("records", report.records);
  field("compressed_bytes", report.compressed_bytes);
  field("uncompressed_bytes", report.uncompressed_bytes);
  field("root_sign_ins", report.root_sign_ins);
  field("root_sign_ins_failed", report.root_sign_ins_failed);
  field("root_sign_ins_with_mfa", report.root_sign_ins_with_mfa);
  field("root_api_calls", report.root_api_calls);
  field("console_sign_ins", report.console_sign_ins);
  field("largest_file_compressed_bytes", report.largest_file_compressed_bytes);
  field("largest_file_uncompressed_bytes", report.largest_file_uncompressed_bytes);
  field("smallest_file_compressed_bytes", report.smallest_file_compressed_bytes);
  out.append("}");
  return out;
}

}  // namespace trailwatch::cloudtrail
