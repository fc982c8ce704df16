// Deterministic benchmark corpora for the pattern engine: city-lots GeoJSON features and
// CloudTrail records wrapped in the EventBridge envelope, plus generated rule sets for them.
//
// The real inputs behind event-ruler's published numbers (citylots.json, 213,068 San Francisco lot
// features of about 900 bytes) and real CloudTrail logs are too large or too private to ship, so
// these generators reproduce their shape instead: same field names and nesting, same value
// vocabulary style, similar sizes and skew. Everything is a pure function of the seed: the random
// numbers, UUIDs, ids and times come from loggen/random_text.h (splitmix64, not <random>, whose
// distributions differ between standard libraries; shared with `trailwatch generate`) and numbers
// are printed with fixed formats, so a seed gives the same bytes on every machine.
//
// Header-only on purpose: CMake builds every bench/*_bench.cpp as its own executable, and a
// header keeps helpers out of that glob without touching the build. The benchmarks link
// trailwatch_core, which holds the loggen library.
//
// Thread-safety: generators hold their own state; use one per thread.
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loggen/random_text.h"

namespace trailwatch::bench {

// The random numbers and the ids made from them are the log generator's (loggen/random_text.h),
// so the benchmark corpora and `trailwatch generate` share one implementation.
using loggen::AppendChars;
using loggen::AppendPadded;
using loggen::kBase32;
using loggen::kBase64;
using loggen::kLowerHex;
using loggen::Random;
using loggen::Uuid;

namespace internal {

// The shortest text that reads back as `value` (unique, so the same on every machine).
inline void AppendShortest(std::string* out, double value) {
  char text[32];
  auto result = std::to_chars(text, text + sizeof text, value);
  out->append(text, result.ptr);
}

}  // namespace internal

// ---------------------------------------------------------------------------------------------
// City lots
// ---------------------------------------------------------------------------------------------

// One San Francisco street: its name and its ST_TYPE; `weight` is how many blocks face it,
// relative to the others (long streets such as MISSION face many blocks).
struct CityStreet {
  const char* name;
  const char* type;  // nullptr for JSON null
  uint32_t weight;
};

inline const std::vector<CityStreet>& CityStreets() {
  static const std::vector<CityStreet> streets = {
      {"MISSION", "ST", 30},
      {"MARKET", "ST", 20},
      {"VAN NESS", "AVE", 12},
      {"SOUTH VAN NESS", "AVE", 4},
      {"GEARY", "BLVD", 18},
      {"CALIFORNIA", "ST", 18},
      {"FULTON", "ST", 14},
      {"MASON", "ST", 8},
      {"JACKSON", "ST", 12},
      {"HARRISON", "ST", 14},
      {"JEFFERSON", "ST", 3},
      {"BEACH", "ST", 3},
      {"HYDE", "ST", 8},
      {"CHESTNUT", "ST", 10},
      {"BROADWAY", nullptr, 12},
      {"SACRAMENTO", "ST", 14},
      {"SANSOME", "ST", 6},
      {"SAN JOSE", "AVE", 6},
      {"SAN BRUNO", "AVE", 8},
      {"CHURCH", "ST", 10},
      {"CHENERY", "ST", 4},
      {"DIVISADERO", "ST", 10},
      {"GUERRERO", "ST", 8},
      {"EMBARCADERO", nullptr, 4},
      {"DRUMM", "ST", 2},
      {"BLAKE", "ST", 2},
      {"BLANKEN", "AVE", 2},
      {"IRVING", "ST", 14},
      {"KING", "ST", 4},
      {"JUDAH", "ST", 14},
      {"NORIEGA", "ST", 14},
      {"TARAVAL", "ST", 14},
      {"ORTEGA", "ST", 12},
      {"GOLDEN GATE", "AVE", 8},
      {"GOUGH", "ST", 10},
      {"RHODE ISLAND", "ST", 6},
      {"TELEGRAPH HILL", "BLVD", 1},
      {"TEHAMA", "ST", 3},
      {"POWELL", "ST", 10},
      {"FELL", "ST", 8},
      {"LOMBARD", "ST", 10},
      {"OCEAN", "AVE", 10},
      {"ALEMANY", "BLVD", 6},
      {"PORTOLA", "DR", 4},
      {"CRESTLAKE", "DR", 2},
      {"ACACIA", "ST", 1},
      {"ACTON", "ST", 1},
      {"FUNSTON", "AVE", 6},
      {"HAIGHT", "ST", 8},
      {"VALENCIA", "ST", 10},
      {"POTRERO", "AVE", 8},
      {"STANYAN", "ST", 4},
      {"LAGUNA", "ST", 8},
      {"OCTAVIA", "BLVD", 6},
      {"FOLSOM", "ST", 14},
      {"HOWARD", "ST", 10},
      {"BRYANT", "ST", 12},
      {"DOLORES", "ST", 8},
      {"NOE", "ST", 6},
      {"CASTRO", "ST", 8},
      {"MONTEREY", "BLVD", 6},
      {"SLOAT", "BLVD", 4},
      {"SUNSET", "BLVD", 6},
      {"LINCOLN", "WAY", 10},
      {"WAWONA", "ST", 8},
      {"VICENTE", "ST", 8},
      {"ALVARADO", "ST", 3},
      {"CLIPPER", "ST", 3},
      {"ELIZABETH", "ST", 4},
      {"DUBOCE", "AVE", 3},
      {"MASONIC", "AVE", 5},
      {"LYON", "ST", 5},
      {"WASHINGTON", "ST", 12},
      {"VALLEJO", "ST", 10},
      {"UNION", "ST", 10},
      {"GREEN", "ST", 10},
      {"FILBERT", "ST", 10},
      {"GREENWICH", "ST", 8},
      {"CLAY", "ST", 10},
      {"PINE", "ST", 10},
      {"BUSH", "ST", 10},
      {"SUTTER", "ST", 10},
      {"POST", "ST", 10},
      {"ELLIS", "ST", 8},
      {"EDDY", "ST", 8},
      {"TURK", "BLVD", 8},
      {"STEINER", "ST", 10},
      {"FILLMORE", "ST", 10},
      {"WEBSTER", "ST", 10},
      {"BUCHANAN", "ST", 8},
      {"LARKIN", "ST", 8},
      {"POLK", "ST", 10},
      {"LEAVENWORTH", "ST", 8},
      {"JONES", "ST", 8},
      {"TAYLOR", "ST", 8},
      {"STOCKTON", "ST", 8},
      {"KEARNY", "ST", 6},
      {"MONTGOMERY", "ST", 6},
      {"DE HARO", "ST", 3},
      {"CESAR CHAVEZ", "ST", 8},
      {"ARMY", "ST", 2},
      {"BAYSHORE", "BLVD", 6},
      {"SILVER", "AVE", 6},
      {"GENEVA", "AVE", 8},
      {"BURNETT", "AVE", 2},
      {"PARNASSUS", "AVE", 4},
      {"CORBETT", "AVE", 3},
      {"DIAMOND HEIGHTS", "BLVD", 2},
      {"MIDDLE POINT", "RD", 1},
      {"HUNTERS POINT", "BLVD", 2},
      {"BAY SHORE", "BLVD", 1},
      {"ALLEN", "ALY", 1},
      {"ST FRANCIS", "PL", 1},
      {"CRESTA VISTA", "DR", 1},
      {"EL CAMINO DEL MAR", nullptr, 2},
      {"LA PLAYA", nullptr, 3},
      {"GRAND VIEW", "TER", 1},
      {"01ST", "ST", 3},
      {"02ND", "ST", 4},
      {"03RD", "ST", 8},
      {"04TH", "ST", 4},
      {"06TH", "AVE", 8},
      {"09TH", "AVE", 8},
      {"10TH", "AVE", 8},
      {"12TH", "AVE", 8},
      {"15TH", "AVE", 8},
      {"19TH", "AVE", 10},
      {"24TH", "ST", 10},
      {"25TH", "AVE", 8},
      {"30TH", "AVE", 8},
      {"38TH", "AVE", 8},
      {"41ST", "AVE", 8},
      {"46TH", "AVE", 8},
      {"47TH", "AVE", 6},
      {"48TH", "AVE", 4},
  };
  return streets;
}

// Generates city-lots GeoJSON features, one per call, in the layout of the real SF file (each
// feature on one line, properties first, then the geometry):
//   { "type": "Feature", "properties": { "MAPBLKLOT": "0001001", "BLKLOT": "0001001",
//     "BLOCK_NUM": "0001", "LOT_NUM": "001", "FROM_ST": "0", "TO_ST": "0", "STREET": "UNKNOWN",
//     "ST_TYPE": null, "ODD_EVEN": "E" }, "geometry": { "type": "Polygon", "coordinates":
//     [ [ [ -122.42200352825248, 37.80848009696725, 0.0 ], ... ] ] } }
// Coordinates are written as shortest round-trip doubles, as in event-ruler's citylots2 file, not
// with the 15 fixed decimals of the original SF file: "-122.422003528252475" has 18 significant
// digits, so under EventBridge's rule (docs/reference/event-patterns.md §3.7) it is not a
// comparable number and numeric rules would never see it; the numeric benchmark would then measure
// only the rejection path. Blocks are numbered upwards from 0001 and hold 8-40 lots (so lots
// 001-008 of every block exist); about 2.5% of lots are condominium buildings (2-24 units) whose
// units are separate features sharing the lot's MAPBLKLOT and polygon, with BLKLOTs numbered from
// 101; about 6% of lots have an unknown address; about 0.2% of features are MultiPolygons. Rings
// have 7-19 vertices (the first repeated last), which puts the mean feature near 900 bytes.
class CityLotsGenerator {
 public:
  explicit CityLotsGenerator(uint64_t seed) : random_(seed) {
    for (const CityStreet& s : CityStreets()) total_weight_ += s.weight;
  }

  // Appends one feature (without a newline) to *out.
  void Next(std::string* out) {
    if (condo_units_left_ == 0) NextLot();
    std::string blklot = mapblklot_;
    if (condo_units_total_ > 0) {
      uint32_t unit = condo_units_total_ - condo_units_left_;
      blklot.resize(4);
      AppendPadded(&blklot, 101 + unit, 3);
    }
    --condo_units_left_;
    out->append(R"({ "type": "Feature", "properties": { "MAPBLKLOT": ")").append(mapblklot_);
    out->append(R"(", "BLKLOT": ")").append(blklot);
    out->append(R"(", "BLOCK_NUM": ")").append(mapblklot_, 0, 4);
    out->append(R"(", "LOT_NUM": ")").append(blklot, 4, 3);
    out->append(R"(", "FROM_ST": ")").append(std::to_string(from_st_));
    out->append(R"(", "TO_ST": ")").append(std::to_string(to_st_));
    out->append(R"(", "STREET": ")").append(street_ ? street_->name : "UNKNOWN");
    out->append(R"(", "ST_TYPE": )");
    if (street_ && street_->type) {
      out->push_back('"');
      out->append(street_->type);
      out->push_back('"');
    } else {
      out->append("null");
    }
    out->append(R"(, "ODD_EVEN": ")").append(odd_even_);
    out->append(R"(" }, "geometry": { "type": ")");
    out->append(polygons_.size() > 1 ? "MultiPolygon" : "Polygon");
    out->append(R"(", "coordinates": [ )");
    for (size_t p = 0; p < polygons_.size(); ++p) {
      if (p) out->append(", ");
      if (polygons_.size() > 1) out->append("[ ");
      out->append("[ ");
      const std::vector<std::pair<double, double>>& ring = polygons_[p];
      for (size_t i = 0; i < ring.size(); ++i) {
        if (i) out->append(", ");
        out->append("[ ");
        internal::AppendShortest(out, ring[i].first);
        out->append(", ");
        internal::AppendShortest(out, ring[i].second);
        out->append(", 0.0 ]");
      }
      out->append(" ]");
      if (polygons_.size() > 1) out->append(" ]");
    }
    out->append(" ] } }");
  }

 private:
  void NextBlock() {
    ++block_;
    lots_in_block_ = random_.Between(8, 40);
    lot_ = 0;
    block_lon_ = random_.Uniform(-122.512, -122.368);
    block_lat_ = random_.Uniform(37.708, 37.812);
    uint32_t pick = random_.Below(total_weight_);
    for (const CityStreet& s : CityStreets()) {
      if (pick < s.weight) {
        block_street_ = &s;
        break;
      }
      pick -= s.weight;
    }
    next_number_ =
        random_.Below(45) * 100 + random_.Between(0, 9) * 2 + random_.Below(2);  // odd or even side
  }

  void NextLot() {
    if (lot_ == lots_in_block_) NextBlock();
    ++lot_;
    mapblklot_.clear();
    AppendPadded(&mapblklot_, block_, 4);
    AppendPadded(&mapblklot_, lot_, 3);
    condo_units_total_ = 0;
    condo_units_left_ = 1;
    if (random_.Chance(0.025)) condo_units_left_ = condo_units_total_ = random_.Between(2, 24);

    if (random_.Chance(0.06)) {  // unknown address, as in the real file
      street_ = nullptr;
      from_st_ = to_st_ = 0;
      odd_even_ = "E";
    } else {
      street_ = block_street_;
      from_st_ = next_number_;
      to_st_ = from_st_ + (random_.Chance(0.3) ? 2 * random_.Between(1, 4) : 0);
      next_number_ = to_st_ + 2 * random_.Between(1, 3);
      odd_even_ = (from_st_ % 2) ? "O" : "E";
      if (random_.Chance(0.01)) odd_even_ = "B";  // a lot spanning both sides
    }

    polygons_.assign(random_.Chance(0.002) ? 2 : 1, {});
    double lon = block_lon_ + random_.Uniform(-0.0012, 0.0012);
    double lat = block_lat_ + random_.Uniform(-0.0008, 0.0008);
    for (auto& ring : polygons_) {
      uint32_t vertices = random_.Between(6, 18);
      for (uint32_t i = 0; i < vertices; ++i) {
        // A rough convex ring around the lot's centre.
        double angle = 6.283185307179586 * (i + random_.Uniform(0.0, 0.6)) / vertices;
        double radius = random_.Uniform(0.00008, 0.00025);
        ring.emplace_back(lon + radius * Cos(angle), lat + radius * Sin(angle));
      }
      ring.push_back(ring.front());
      lon += 0.0004;
    }
  }

  // Taylor series, so the bytes do not depend on the platform's libm.
  static double Sin(double x) {
    while (x > 3.141592653589793) x -= 6.283185307179586;
    double x2 = x * x, term = x, sum = x;
    for (int k = 1; k < 12; ++k) {
      term *= -x2 / ((2 * k) * (2 * k + 1));
      sum += term;
    }
    return sum;
  }
  static double Cos(double x) { return Sin(x + 1.5707963267948966); }

  Random random_;
  uint32_t total_weight_ = 0;
  uint32_t block_ = 0;
  uint32_t lots_in_block_ = 0;
  uint32_t lot_ = 0;
  double block_lon_ = 0, block_lat_ = 0;
  const CityStreet* block_street_ = nullptr;
  uint32_t next_number_ = 0;
  std::string mapblklot_;
  uint32_t condo_units_total_ = 0;
  uint32_t condo_units_left_ = 0;
  const CityStreet* street_ = nullptr;
  uint32_t from_st_ = 0, to_st_ = 0;
  const char* odd_even_ = "E";
  std::vector<std::vector<std::pair<double, double>>> polygons_;
};

// `count` features as JSON lines (each followed by '\n').
inline std::string GenerateCityLotsLines(size_t count, uint64_t seed = 20240501) {
  CityLotsGenerator generator(seed);
  std::string out;
  out.reserve(count * 960);
  for (size_t i = 0; i < count; ++i) {
    generator.Next(&out);
    out.push_back('\n');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// CloudTrail records in the EventBridge envelope
// ---------------------------------------------------------------------------------------------

// The vocabulary the CloudTrail generator draws from; the rule generator draws from it too (and
// from values outside it), so generated rules match a realistic share of events.
struct CloudTrailVocabulary {
  struct Call {
    const char* service;  // "ec2" -> source "aws.ec2", eventSource "ec2.amazonaws.com"
    const char* name;
    bool read_only;
    uint32_t weight;  // relative frequency
  };
  std::vector<Call> calls;
  std::vector<std::string> accounts;   // the corpus's 8 accounts
  std::vector<std::string> regions;    // weighted by repetition
  std::vector<std::string> users;      // IAM user names
  std::vector<std::string> user_keys;  // one AKIA key per user, same order
  std::vector<std::string> roles;      // role names
  std::vector<std::string> ips;        // caller addresses
  std::vector<std::string> user_agents;
  std::vector<const char*> services_invoking;  // AWSService callers
  uint32_t total_weight = 0;

  static const CloudTrailVocabulary& Get() {
    static const CloudTrailVocabulary vocabulary = Make();
    return vocabulary;
  }

 private:
  static CloudTrailVocabulary Make() {
    CloudTrailVocabulary v;
    // Read-only calls dominate real trails; destructive and sign-in calls are rare.
    v.calls = {
        {"ec2", "DescribeInstances", true, 80},
        {"ec2", "DescribeSecurityGroups", true, 40},
        {"ec2", "DescribeVolumes", true, 30},
        {"ec2", "DescribeNetworkInterfaces", true, 30},
        {"ec2", "RunInstances", false, 6},
        {"ec2", "TerminateInstances", false, 4},
        {"ec2", "StartInstances", false, 4},
        {"ec2", "StopInstances", false, 4},
        {"ec2", "CreateTags", false, 10},
        {"ec2", "AuthorizeSecurityGroupIngress", false, 3},
        {"s3", "ListBuckets", true, 20},
        {"s3", "GetBucketAcl", true, 40},
        {"s3", "GetBucketPolicy", true, 20},
        {"s3", "GetBucketLocation", true, 30},
        {"s3", "GetBucketEncryption", true, 10},
        {"s3", "PutBucketPolicy", false, 2},
        {"s3", "CreateBucket", false, 2},
        {"s3", "DeleteBucket", false, 1},
        {"s3", "PutBucketPublicAccessBlock", false, 1},
        {"iam", "ListRoles", true, 20},
        {"iam", "GetRole", true, 20},
        {"iam", "ListUsers", true, 10},
        {"iam", "ListPolicies", true, 10},
        {"iam", "GetPolicyVersion", true, 10},
        {"iam", "CreateUser", false, 1},
        {"iam", "AttachUserPolicy", false, 1},
        {"iam", "CreateAccessKey", false, 1},
        {"iam", "PutRolePolicy", false, 1},
        {"iam", "DeleteUser", false, 1},
        {"sts", "AssumeRole", false, 100},
        {"sts", "GetCallerIdentity", true, 40},
        {"sts", "AssumeRoleWithWebIdentity", false, 20},
        {"sts", "GetSessionToken", false, 3},
        {"kms", "Decrypt", true, 80},
        {"kms", "GenerateDataKey", true, 40},
        {"kms", "Encrypt", true, 10},
        {"kms", "DescribeKey", true, 10},
        {"kms", "ScheduleKeyDeletion", false, 1},
        {"kms", "DisableKey", false, 1},
        {"lambda", "ListFunctions20150331", true, 10},
        {"lambda", "GetFunction20150331v2", true, 10},
        {"lambda", "UpdateFunctionCode20150331v2", false, 3},
        {"lambda", "CreateFunction20150331", false, 1},
        {"cloudtrail", "LookupEvents", true, 10},
        {"cloudtrail", "DescribeTrails", true, 10},
        {"cloudtrail", "GetTrailStatus", true, 10},
        {"cloudtrail", "StopLogging", false, 1},
        {"cloudtrail", "DeleteTrail", false, 1},
        {"cloudtrail", "UpdateTrail", false, 1},
        {"logs", "CreateLogStream", false, 30},
        {"logs", "DescribeLogGroups", true, 20},
        {"logs", "CreateLogGroup", false, 3},
        {"logs", "DeleteLogGroup", false, 1},
        {"dynamodb", "DescribeTable", true, 20},
        {"dynamodb", "ListTables", true, 10},
        {"dynamodb", "CreateTable", false, 1},
        {"secretsmanager", "GetSecretValue", true, 30},
        {"secretsmanager", "ListSecrets", true, 5},
        {"ssm", "GetParameter", true, 30},
        {"ssm", "GetParameters", true, 20},
        {"ssm", "DescribeInstanceInformation", true, 10},
        {"guardduty", "ListDetectors", true, 5},
        {"guardduty", "GetFindings", true, 3},
        {"config", "DescribeConfigurationRecorders", true, 5},
        {"config", "PutEvaluations", false, 10},
        {"signin", "ConsoleLogin", false, 5},
    };
    for (const Call& c : v.calls) v.total_weight += c.weight;
    v.accounts = {"123456789012", "210987654321", "345678901234", "456789012345",
                  "567890123456", "678901234567", "789012345678", "890123456789"};
    v.regions = {"us-east-1",      "us-east-1",      "us-east-1",    "us-east-1", "us-east-1",
                 "us-west-2",      "us-west-2",      "eu-west-1",    "eu-west-1", "eu-central-1",
                 "ap-southeast-2", "ap-northeast-1", "ca-central-1", "sa-east-1"};
    static constexpr const char* kFirst[] = {"alice",   "bob",   "carol",  "dave",  "erin",
                                             "frank",   "grace", "heidi",  "ivan",  "judy",
                                             "mallory", "niaj",  "olivia", "peggy", "rupert"};
    static constexpr const char* kLast[] = {"smith",  "jones",  "garcia", "chen",
                                            "okafor", "muller", "tanaka", "silva"};
    Random random(7);
    for (const char* first : kFirst) {
      for (const char* last : kLast) {
        if (random.Chance(0.5)) v.users.push_back(std::string(first) + "." + last);
      }
    }
    v.users.push_back("ci-deployer");
    v.users.push_back("terraform");
    v.users.push_back("backup-agent");
    for (size_t i = 0; i < v.users.size(); ++i) {
      std::string key = "AKIA";
      AppendChars(random, kBase32, 16, &key);
      v.user_keys.push_back(key);
    }
    v.roles = {"OrganizationAccountAccessRole",
               "AdminRole",
               "ReadOnlyRole",
               "DeployPipelineRole",
               "github-actions-deploy",
               "ecsTaskExecutionRole",
               "LambdaExec-orders",
               "LambdaExec-billing",
               "LambdaExec-thumbnails",
               "AWSServiceRoleForConfig",
               "AWSServiceRoleForSupport",
               "AWSReservedSSO_AdministratorAccess_4f3a2b1c0d9e8f7a",
               "AWSReservedSSO_ReadOnlyAccess_0a1b2c3d4e5f6a7b",
               "eks-node-group-prod",
               "eks-node-group-staging",
               "datadog-integration",
               "SecurityAuditRole",
               "backup-service-role",
               "rds-monitoring-role",
               "karpenter-controller"};
    for (uint32_t i = 0; i < 300; ++i) {
      char ip[32];
      if (i < 200) {
        std::snprintf(ip, sizeof ip, "%u.%u.%u.%u", 3 + random.Below(200), random.Below(256),
                      random.Below(256), 1 + random.Below(254));
      } else {
        std::snprintf(ip, sizeof ip, "10.%u.%u.%u", random.Below(256), random.Below(256),
                      1 + random.Below(254));
      }
      v.ips.push_back(ip);
    }
    v.user_agents = {
        "aws-cli/2.13.25 Python/3.11.5 Linux/6.1.0-13-amd64 exe/x86_64.debian.12 prompt/off "
        "command/ec2.describe-instances",
        "Boto3/1.28.62 md/Botocore#1.31.62 ua/2.0 os/linux#5.10.197-186.748.amzn2.x86_64 "
        "md/arch#x86_64 lang/python#3.9.16 md/pyimpl#CPython cfg/retry-mode#legacy "
        "Botocore/1.31.62",
        "aws-sdk-go-v2/1.21.2 os/linux lang/go#1.21.3 md/GOOS#linux md/GOARCH#amd64 "
        "api/sts#1.23.2",
        "APN/1.0 HashiCorp/1.0 Terraform/1.5.7 (+https://www.terraform.io) "
        "terraform-provider-aws/5.21.0 (+https://registry.terraform.io/providers/hashicorp/aws) "
        "aws-sdk-go/1.45.24 (go1.20.8; linux; amd64)",
        "aws-sdk-java/1.12.565 Linux/5.10.197-186.748.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/"
        "17.0.8+7-LTS java/17.0.8 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE",
        "console.amazonaws.com",
        "AWS Internal",
    };
    v.services_invoking = {"lambda.amazonaws.com",      "ec2.amazonaws.com",
                           "config.amazonaws.com",      "cloudformation.amazonaws.com",
                           "autoscaling.amazonaws.com", "ecs-tasks.amazonaws.com"};
    return v;
  }
};

// Generates CloudTrail management events as EventBridge delivers them ("AWS API Call via
// CloudTrail" / "AWS Console Sign In via CloudTrail"), one compact JSON object per call, mean
// 1.6 KB (0.9-2.7 KB). Identities: ~60% AssumedRole (with sessionContext), ~27% IAMUser, ~13%
// AWSService; 3% of console sign-ins (about 1 event in 5,000) are by the account root.
class CloudTrailGenerator {
 public:
  explicit CloudTrailGenerator(uint64_t seed) : random_(seed) {}

  void Next(std::string* out) {
    const CloudTrailVocabulary& v = CloudTrailVocabulary::Get();
    const CloudTrailVocabulary::Call& call = PickCall(v);
    seconds_ += random_.Below(3);
    const std::string& account = random_.Pick(v.accounts);
    bool sign_in = std::string_view(call.name) == "ConsoleLogin";
    std::string region = sign_in ? "us-east-1" : random_.Pick(v.regions);
    std::string time = Time(seconds_);

    out->append(R"({"version":"0","id":")").append(Uuid(random_));
    out->append(R"(","detail-type":")")
        .append(sign_in ? "AWS Console Sign In via CloudTrail" : "AWS API Call via CloudTrail");
    out->append(R"(","source":"aws.)").append(call.service);
    out->append(R"(","account":")").append(account);
    out->append(R"(","time":")").append(time);
    out->append(R"(","region":")").append(region);
    out->append(R"(","resources":[],"detail":{"eventVersion":"1.09","userIdentity":)");

    // Identity.
    std::string ip, agent;
    uint32_t kind = random_.Below(100);
    if (sign_in) kind = random_.Chance(0.03) ? 200 : 70;  // root, or an IAM user
    if (kind == 200) {
      out->append(R"({"type":"Root","principalId":")").append(account);
      out->append(R"(","arn":"arn:aws:iam::)").append(account).append(R"(:root","accountId":")");
      out->append(account).append(R"(","accessKeyId":""})");
    } else if (kind < 60) {
      const std::string& role = random_.Pick(v.roles);
      std::string role_id = RoleId(role);
      std::string session = SessionName();
      out->append(R"({"type":"AssumedRole","principalId":")").append(role_id);
      out->append(":").append(session);
      out->append(R"(","arn":"arn:aws:sts::)").append(account).append(":assumed-role/");
      out->append(role).append("/").append(session);
      out->append(R"(","accountId":")").append(account);
      out->append(R"(","accessKeyId":"ASIA)");
      AppendChars(random_, kBase32, 16, out);
      out->append(R"(","sessionContext":{"sessionIssuer":{"type":"Role","principalId":")");
      out->append(role_id).append(R"(","arn":"arn:aws:iam::)").append(account);
      out->append(":role/").append(role).append(R"(","accountId":")").append(account);
      out->append(R"(","userName":")").append(role);
      out->append(R"("},"webIdFederationData":{},"attributes":{"creationDate":")");
      out->append(Time(seconds_ > 900 ? seconds_ - 900 : 0));
      out->append(R"(","mfaAuthenticated":"false"}}})");
    } else if (kind < 87) {
      uint32_t u = random_.Below(static_cast<uint32_t>(v.users.size()));
      out->append(R"({"type":"IAMUser","principalId":"AIDA)");
      AppendChars(random_, kBase32, 17, out);
      out->append(R"(","arn":"arn:aws:iam::)").append(account).append(":user/");
      out->append(v.users[u]).append(R"(","accountId":")").append(account);
      out->append(R"(","accessKeyId":")").append(sign_in ? "" : v.user_keys[u]);
      out->append(R"(","userName":")").append(v.users[u]).append(R"("})");
    } else {
      const char* by = random_.Pick(v.services_invoking);
      out->append(R"({"type":"AWSService","invokedBy":")").append(by).append(R"("})");
      ip = agent = by;
    }
    if (ip.empty()) ip = random_.Pick(v.ips);
    if (agent.empty()) {
      agent = sign_in ? "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
                        "(KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36"
                      : random_.Pick(v.user_agents);
    }

    out->append(R"(,"eventTime":")").append(time);
    out->append(R"(","eventSource":")").append(call.service).append(".amazonaws.com");
    out->append(R"(","eventName":")").append(call.name);
    out->append(R"(","awsRegion":")").append(region);
    out->append(R"(","sourceIPAddress":")").append(ip);
    out->append(R"(","userAgent":")").append(agent).append("\"");
    if (sign_in) {
      out->append(R"(,"requestParameters":null,"responseElements":{"ConsoleLogin":")");
      out->append(random_.Chance(0.9) ? "Success" : "Failure");
      out->append(R"("},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/)"
                  R"(console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_)");
      AppendChars(random_, kLowerHex, 16, out);
      out->append(R"(","MobileVersion":"No","MFAUsed":")");
      out->append(random_.Chance(0.7) ? "Yes" : "No");
      out->append(R"("})");
    } else {
      out->append(R"(,"requestParameters":)");
      AppendRequestParameters(call, account, region, out);
      out->append(R"(,"responseElements":)");
      if (std::string_view(call.name).starts_with("AssumeRole")) {
        // CloudTrail logs the temporary credentials (secret key omitted) and the assumed role.
        out->append(R"({"credentials":{"accessKeyId":"ASIA)");
        AppendChars(random_, kBase32, 16, out);
        out->append(R"(","sessionToken":"IQoJb3JpZ2luX2VjE)");
        AppendChars(random_, kBase64, 380, out);
        out->append(R"(","expiration":"May 1, 2024, 1:00:00 AM"},"assumedRoleUser":)"
                    R"({"assumedRoleId":"AROA)");
        AppendChars(random_, kBase32, 17, out);
        out->append(":").append(SessionName()).append(R"(","arn":"arn:aws:sts::)");
        out->append(account).append(":assumed-role/").append(random_.Pick(v.roles));
        out->append(R"(/session"}})");
      } else if (call.read_only) {
        out->append("null");
      } else {
        out->append(R"({"requestId":")").append(Uuid(random_)).append(R"("})");
      }
    }
    if (std::string_view(call.service) == "s3") {
      out->append(R"(,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":)"
                  R"("TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,)"
                  R"("AuthenticationMethod":"AuthHeader","x-amz-id-2":")");
      AppendChars(random_, kBase64, 76, out);
      out->append(R"(","bytesTransferredOut":)").append(std::to_string(random_.Below(4000)));
      out->append("}");
    }
    out->append(R"(,"requestID":")").append(Uuid(random_));
    out->append(R"(","eventID":")").append(Uuid(random_));
    out->append(R"(","readOnly":)").append(call.read_only ? "true" : "false");
    if (std::string_view(call.service) == "kms" || std::string_view(call.service) == "sts") {
      // CloudTrail lists the key or role acted on.
      bool kms = std::string_view(call.service) == "kms";
      out->append(R"(,"resources":[{"accountId":")").append(account);
      out->append(kms ? R"(","type":"AWS::KMS::Key","ARN":"arn:aws:kms:)"
                      : R"(","type":"AWS::IAM::Role","ARN":"arn:aws:iam::)");
      if (kms) {
        out->append(region).append(":").append(account).append(":key/");
        out->append(Uuid(random_));
      } else {
        out->append(":").append(account).append(":role/").append(random_.Pick(v.roles));
      }
      out->append("\"}]");
    }
    out->append(R"(,"eventType":")").append(sign_in ? "AwsConsoleSignIn" : "AwsApiCall");
    out->append(R"(","managementEvent":true,"recipientAccountId":")").append(account);
    out->append(R"(","eventCategory":"Management")");
    if (!sign_in && random_.Chance(0.2)) {  // calls through an interface VPC endpoint
      out->append(R"(,"vpcEndpointId":"vpce-0)");
      AppendChars(random_, kLowerHex, 16, out);
      out->append(R"(","vpcEndpointAccountId":")").append(account).append("\"");
    }
    if (!sign_in) {
      out->append(R"(,"tlsDetails":{"tlsVersion":")");
      bool tls13 = random_.Chance(0.7);
      out->append(tls13 ? "TLSv1.3" : "TLSv1.2");
      out->append(R"(","cipherSuite":")");
      out->append(tls13 ? "TLS_AES_128_GCM_SHA256" : "ECDHE-RSA-AES128-GCM-SHA256");
      out->append(R"(","clientProvidedHostHeader":")").append(call.service).append(".");
      out->append(region).append(R"(.amazonaws.com"})");
    }
    out->append("}}");
  }

 private:
  const CloudTrailVocabulary::Call& PickCall(const CloudTrailVocabulary& v) {
    uint32_t pick = random_.Below(v.total_weight);
    for (const CloudTrailVocabulary::Call& c : v.calls) {
      if (pick < c.weight) return c;
      pick -= c.weight;
    }
    return v.calls.back();
  }

  static std::string Time(uint64_t seconds) {
    // 2024-05-01T00:00:00Z (unix 1714521600) plus `seconds`, wrapping within May.
    std::string text;
    loggen::AppendTime(1714521600 + static_cast<int64_t>(seconds % (31 * 86400)), &text);
    return text;
  }

  static std::string RoleId(const std::string& role) {
    uint64_t hash = 14695981039346656037ull;  // FNV-1a, so ids do not depend on std::hash
    for (char c : role) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    Random r(hash);
    std::string id = "AROA";
    AppendChars(r, kBase32, 17, &id);
    return id;
  }

  std::string SessionName() {
    switch (random_.Below(4)) {
      case 0:
        return "botocore-session-" + std::to_string(1714500000 + random_.Below(2000000));
      case 1: {
        std::string s = "i-0";
        AppendChars(random_, kLowerHex, 16, &s);
        return s;
      }
      case 2:
        return "GitHubActions";
      default: {
        const CloudTrailVocabulary& v = CloudTrailVocabulary::Get();
        return random_.Pick(v.users) + "@example.com";
      }
    }
  }

  void AppendRequestParameters(const CloudTrailVocabulary::Call& call, const std::string& account,
                               const std::string& region, std::string* out) {
    std::string_view service = call.service;
    std::string_view name = call.name;
    if (service == "ec2") {
      if (name == "DescribeInstances" || name == "TerminateInstances" || name == "StartInstances" ||
          name == "StopInstances") {
        out->append(R"({"instancesSet":{"items":[)");
        uint32_t n = random_.Between(1, 4);
        for (uint32_t i = 0; i < n; ++i) {
          if (i) out->push_back(',');
          out->append(R"({"instanceId":"i-0)");
          AppendChars(random_, kLowerHex, 16, out);
          out->append("\"}");
        }
        out->append(R"(]},"filterSet":{"items":[{"name":"instance-state-name","valueSet":)"
                    R"({"items":[{"value":"running"},{"value":"stopped"}]}},{"name":"tag:team",)"
                    R"("valueSet":{"items":[{"value":"payments"}]}}]}})");
      } else if (name == "RunInstances") {
        out->append(R"({"instancesSet":{"items":[{"imageId":"ami-0)");
        AppendChars(random_, kLowerHex, 16, out);
        out->append(R"(","minCount":1,"maxCount":1}]},"instanceType":"m6i.large",)"
                    R"("blockDeviceMapping":{},"monitoring":{"enabled":false},)"
                    R"("disableApiTermination":false,"disableApiStop":false,"clientToken":")");
        out->append(Uuid(random_)).append(R"("})");
      } else {
        out->append(R"({"groupIdSet":{"items":[{"groupId":"sg-0)");
        AppendChars(random_, kLowerHex, 16, out);
        out->append(R"("}]},"maxResults":1000,"filterSet":{}})");
      }
    } else if (service == "s3") {
      out->append(R"({"bucketName":")").append(Bucket());
      out->append(R"(","Host":"s3.)").append(region).append(R"(.amazonaws.com"})");
    } else if (service == "iam") {
      if (name == "ListRoles" || name == "ListUsers" || name == "ListPolicies") {
        out->append(R"({"maxItems":1000})");
      } else {
        const CloudTrailVocabulary& v = CloudTrailVocabulary::Get();
        out->append(R"({"userName":")").append(random_.Pick(v.users));
        out->append(R"(","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"})");
      }
    } else if (service == "sts") {
      if (name == "GetCallerIdentity" || name == "GetSessionToken") {
        out->append("null");
      } else {
        const CloudTrailVocabulary& v = CloudTrailVocabulary::Get();
        out->append(R"({"roleArn":"arn:aws:iam::)").append(account).append(":role/");
        out->append(random_.Pick(v.roles)).append(R"(","roleSessionName":")");
        out->append(SessionName()).append(R"(","durationSeconds":3600})");
      }
    } else if (service == "kms") {
      out->append(R"({"keyId":"arn:aws:kms:)").append(region).append(":").append(account);
      out->append(":key/").append(Uuid(random_));
      out->append(R"(","encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":)"
                  R"({"aws:lambda:FunctionArn":"arn:aws:lambda:)");
      out->append(region).append(":").append(account).append(":function:orders-");
      AppendChars(random_, kLowerHex, 6, out);
      out->append("\"}}");
    } else if (service == "logs") {
      out->append(R"({"logGroupName":"/aws/lambda/orders-)");
      AppendChars(random_, kLowerHex, 6, out);
      out->append(R"(","logStreamName":"2024/05/01/[$LATEST])");
      AppendChars(random_, kLowerHex, 32, out);
      out->append("\"}");
    } else if (service == "dynamodb") {
      out->append(R"({"tableName":"orders-)");
      AppendChars(random_, kLowerHex, 4, out);
      out->append("\"}");
    } else if (service == "secretsmanager" || service == "ssm") {
      out->append(R"({"name":"/prod/service-)");
      AppendChars(random_, kLowerHex, 4, out);
      out->append(R"(/database-password","withDecryption":true})");
    } else {
      out->append("null");
    }
  }

  std::string Bucket() {
    static constexpr const char* kBuckets[] = {"acme-prod-logs",       "acme-terraform-state",
                                               "acme-data-lake-raw",   "acme-backups",
                                               "cdk-hnb659fds-assets", "acme-static-site"};
    return kBuckets[random_.Below(6)];
  }

  Random random_;
  uint64_t seconds_ = 0;
};

// `count` CloudTrail events as JSON lines (each followed by '\n').
inline std::string GenerateCloudTrailLines(size_t count, uint64_t seed = 20240502) {
  CloudTrailGenerator generator(seed);
  std::string out;
  out.reserve(count * 2200);
  for (size_t i = 0; i < count; ++i) {
    generator.Next(&out);
    out.push_back('\n');
  }
  return out;
}

// The first user's rule: alert on every console sign-in by the account root.
inline constexpr std::string_view kRootSignInPattern =
    R"({"detail-type":["AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}})";

struct NamedRule {
  std::string name;
  std::string pattern;  // JSON text
};

// `count` exact-match rules over CloudTrail fields. Rule 0 is the root sign-in rule; the others
// cycle through six shapes (source + eventName + user ARN; eventSource + eventName + recipient
// account; account + region + eventName; sourceIPAddress; access key id; eventName + role), so any
// 7 or more rules reference the same fields and per-event parsing work is the same for 10 rules
// as for 10,000. Values are drawn partly from the corpus vocabulary and partly from outside it,
// so each event matches a few rules at most even in the largest set.
// With `unmatched`, every value after rule 0 lies outside the corpus vocabulary, so each event's
// walk stops at the first step whatever the rule count: comparing 10 and 10,000 such rules
// isolates the cost of larger lookup tables from the cost of events matching more rules.
inline std::vector<NamedRule> GenerateCloudTrailRules(size_t count, uint64_t seed = 99,
                                                      bool unmatched = false) {
  const CloudTrailVocabulary& v = CloudTrailVocabulary::Get();
  Random random(seed);
  const double corpus_share = unmatched ? 0.0 : 0.1;
  std::vector<NamedRule> rules;
  rules.reserve(count);
  std::vector<CloudTrailVocabulary::Call> calls = v.calls;
  std::vector<std::string> renamed;  // unseen event names, kept alive for the Call pointers
  if (unmatched) {
    renamed.reserve(calls.size());
    for (auto& c : calls) c.name = renamed.emplace_back(std::string(c.name) + "V9").c_str();
  }
  auto call = [&]() -> const CloudTrailVocabulary::Call& { return random.Pick(calls); };
  auto account = [&]() -> std::string {
    if (random.Chance(corpus_share)) return random.Pick(v.accounts);
    std::string a;
    AppendPadded(&a, 100000 + random.Below(900000), 6);
    AppendPadded(&a, random.Below(1000000), 6);
    return a;
  };
  auto ip = [&]() -> std::string {
    if (random.Chance(corpus_share)) return random.Pick(v.ips);
    return "198.51." + std::to_string(random.Below(256)) + "." + std::to_string(random.Below(256));
  };
  auto user = [&]() -> std::string {
    if (!unmatched) return random.Pick(v.users);
    return "contractor-" + std::to_string(random.Below(100000));
  };
  auto role = [&]() -> std::string {
    if (random.Chance(corpus_share)) return random.Pick(v.roles);
    return "app-role-" + std::to_string(random.Below(100000));
  };
  for (size_t i = 0; i < count; ++i) {
    std::string p;
    if (i == 0) {
      p = kRootSignInPattern;
    } else {
      switch ((i - 1) % 6) {
        case 0: {
          const auto& c = call();
          p = std::string(R"({"source":["aws.)") + c.service + R"("],"detail":{"eventName":[")" +
              c.name + R"("],"userIdentity":{"arn":["arn:aws:iam::)" + account() + ":user/" +
              user() + R"("]}}})";
          break;
        }
        case 1: {
          const auto& c = call();
          p = std::string(R"({"detail":{"eventSource":[")") + c.service +
              R"(.amazonaws.com"],"eventName":[")" + c.name + R"("],"recipientAccountId":[")" +
              account() + R"("]}})";
          break;
        }
        case 2: {
          const auto& c = call();
          p = R"({"account":[")" + account() + R"("],"region":[")" + random.Pick(v.regions) +
              R"("],"detail":{"eventName":[")" + c.name + R"("]}})";
          break;
        }
        case 3:
          p = R"({"detail":{"sourceIPAddress":[")" + ip() + R"("]}})";
          break;
        case 4: {
          std::string key;
          if (random.Chance(corpus_share / 2)) {
            key = random.Pick(v.user_keys);
          } else {
            key = "AKIA";
            AppendChars(random, kBase32, 16, &key);
          }
          p = R"({"detail":{"userIdentity":{"accessKeyId":[")" + key + R"("]}}})";
          break;
        }
        default: {
          const auto& c = call();
          p = std::string(R"({"detail":{"eventName":[")") + c.name +
              R"("],"userIdentity":{"sessionContext":{"sessionIssuer":{"userName":[")" + role() +
              R"("]}}}}})";
          break;
        }
      }
    }
    rules.push_back({"rule-" + std::to_string(i), std::move(p)});
  }
  return rules;
}

}  // namespace trailwatch::bench
