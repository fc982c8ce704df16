// Every metric family trailwatch records is declared in telemetry/metric_families.cpp, so that it
// comes out of /metrics with HELP and TYPE (issue 12: trailwatch_source_files_total was untyped).
#include "telemetry/metric_families.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace trailwatch::telemetry {
namespace {

std::set<std::string> DeclaredNames() {
  std::set<std::string> names;
  for (const MetricFamily& family : MetricFamilies()) names.emplace(family.name);
  return names;
}

TEST(MetricFamiliesTest, SortedUniqueAndWellFormed) {
  std::string previous;
  for (const MetricFamily& family : MetricFamilies()) {
    std::string name(family.name);
    EXPECT_LT(previous, name) << "not sorted or repeated: " << name;
    previous = name;
    EXPECT_TRUE(std::regex_match(name, std::regex("trailwatch_[a-z_]+"))) << name;
    EXPECT_TRUE(family.type == "counter" || family.type == "gauge" || family.type == "histogram")
        << name;
    // Prometheus naming: counters end in _total, nothing else does; no reserved suffixes.
    EXPECT_EQ(family.type == "counter", name.ends_with("_total")) << name;
    EXPECT_FALSE(name.ends_with("_count") || name.ends_with("_sum") || name.ends_with("_bucket"))
        << name;
    EXPECT_FALSE(family.help.empty()) << name;
    EXPECT_TRUE(std::regex_match(std::string(family.labels), std::regex("([a-z_]+(,[a-z_]+)*)?")))
        << name;
  }
}

// Every "trailwatch_…" metric name written in src/ (a metric call's literal, a k…Metric
// constant) is declared.
TEST(MetricFamiliesTest, EveryNameUsedInTheSourcesIsDeclared) {
  std::set<std::string> declared = DeclaredNames();
  std::regex literal("\"(trailwatch_[a-z_]+)\"");
  size_t found = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::string(TW_SOURCE_DIR) + "/src")) {
    std::string path = entry.path().string();
    if (!entry.is_regular_file() || !(path.ends_with(".cpp") || path.ends_with(".h"))) continue;
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    std::string content = text.str();
    for (std::sregex_iterator it(content.begin(), content.end(), literal), end; it != end; ++it) {
      std::string name = (*it)[1];
      ++found;
      EXPECT_TRUE(declared.count(name)) << name << " (used in " << path << ") is not in "
                                        << "telemetry/metric_families.cpp";
    }
  }
  EXPECT_GT(found, 20u);
}

TEST(MetricFamiliesTest, EveryDescribedFamilyRendersWithHelpAndType) {
  Metrics metrics;
  DescribeMetricFamilies(metrics);
  for (const MetricFamily& family : MetricFamilies()) {
    if (family.type == "histogram") {
      metrics.Observe(family.name, {{"source", "s"}}, 0.2);
    } else {
      metrics.Add(family.name, {{"source", "s"}});
    }
  }
  std::string text = metrics.RenderPrometheus();
  for (const MetricFamily& family : MetricFamilies()) {
    std::string name(family.name);
    EXPECT_NE(text.find("# HELP " + name + " "), std::string::npos) << name;
    EXPECT_NE(text.find("# TYPE " + name + " " + std::string(family.type) + "\n"),
              std::string::npos)
        << name;
  }
  EXPECT_EQ(text.find("untyped"), std::string::npos);
  EXPECT_NE(text.find("trailwatch_ingest_to_commit_seconds_bucket{source=\"s\",le=\"0.25\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(metrics.HistogramCount(kCommitToDeliveredSeconds, {{"source", "s"}}), 1u);
}

}  // namespace
}  // namespace trailwatch::telemetry
