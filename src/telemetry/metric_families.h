// The metric families trailwatch exposes on /metrics: one list, each family with its type, HELP
// text and label names, so that every family comes out with `# HELP` and `# TYPE` whoever records
// into it (a source, the pipeline, the service). docs/operations.md documents the same list; the
// metric_families test fails when a `"trailwatch_…"` name used under src/ is missing here.
//
// Labels never carry a secret or event data: they are names from the configuration (source,
// target, rule), fixed words (result, state, kind, reason, endpoint) or the build.
//
// Thread-safety: constant data; DescribeMetricFamilies as Metrics' methods.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "telemetry/metrics.h"

namespace trailwatch::telemetry {

struct MetricFamily {
  std::string_view name;
  std::string_view type;    // "counter", "gauge" or "histogram"
  std::string_view labels;  // label names, comma-separated ("" for none)
  std::string_view help;
};

// Every family, sorted by name.
std::span<const MetricFamily> MetricFamilies();

// The bucket upper bounds (seconds) of the latency histograms.
std::vector<double> IngestLatencyBuckets();    // trailwatch_ingest_to_commit_seconds
std::vector<double> DeliveryLatencyBuckets();  // trailwatch_commit_to_delivered_seconds

// Describes every family of MetricFamilies() in `metrics` (histograms with their buckets).
void DescribeMetricFamilies(Metrics& metrics);

// Family names.
inline constexpr std::string_view kBuildInfo = "trailwatch_build_info";
inline constexpr std::string_view kIngestToCommitSeconds = "trailwatch_ingest_to_commit_seconds";
inline constexpr std::string_view kCommitToDeliveredSeconds =
    "trailwatch_commit_to_delivered_seconds";
inline constexpr std::string_view kSourceNewestObjectTimestamp =
    "trailwatch_source_newest_object_timestamp_seconds";
inline constexpr std::string_view kSourceNewestObjectAge =
    "trailwatch_source_newest_object_age_seconds";
inline constexpr std::string_view kTargetQueueDepth = "trailwatch_target_queue_depth";
inline constexpr std::string_view kTargetOldestPendingAge =
    "trailwatch_target_oldest_pending_age_seconds";
inline constexpr std::string_view kReady = "trailwatch_ready";
inline constexpr std::string_view kSourceLeader = "trailwatch_source_leader";
inline constexpr std::string_view kChannelLeases = "trailwatch_channel_leases";

}  // namespace trailwatch::telemetry
