#include "telemetry/metric_families.h"

#include <string>

namespace trailwatch::telemetry {
namespace {

constexpr MetricFamily kFamilies[] = {
    {"trailwatch_alert_history_errors_total", "counter", "",
     "Batches of alerts queued but not recorded in the web console's alert history."},
    {"trailwatch_alerts_duplicate_total", "counter", "target",
     "Alerts already in the outbox (same target, rule and eventID), per target."},
    {"trailwatch_alerts_queued_total", "counter", "target",
     "Alerts committed to the outbox, per target."},
    {"trailwatch_build_info", "gauge", "version,commit",
     "Always 1; the labels say which trailwatch build is running."},
    {"trailwatch_channel_leases", "gauge", "",
     "Delivery channels this replica holds the lease of (shared PostgreSQL store only)."},
    {"trailwatch_commit_to_delivered_seconds", "histogram", "target_type",
     "Time from an alert's commit to the outbox to its delivery, per target type (retries "
     "included)."},
    {"trailwatch_console_login_failures_total", "counter", "reason",
     "Failed sign-ins to the web console, by reason (bad_credentials, rate_limited)."},
    {"trailwatch_console_requests_total", "counter", "status",
     "Requests to the web console by HTTP status."},
    {"trailwatch_console_sessions", "gauge", "", "Signed-in web console sessions."},
    {"trailwatch_deliveries_total", "counter", "target,result",
     "Delivery attempts by target and result (delivered, retry, dead)."},
    {"trailwatch_event_errors_total", "counter", "source",
     "Events that could not be evaluated (not JSON, too complex), per source."},
    {"trailwatch_events_total", "counter", "source", "Events received, per source."},
    {"trailwatch_http_rejected_total", "counter", "endpoint,reason",
     "Requests and connections the http source refused, by endpoint and reason."},
    {"trailwatch_http_requests_total", "counter", "endpoint,status",
     "HTTP requests to the http source by endpoint and status."},
    {"trailwatch_ingest_to_commit_seconds", "histogram", "source",
     "Time from a source having an event (object read, request received) to its alert committed "
     "to the outbox, one observation per alert, per source."},
    {"trailwatch_matches_total", "counter", "rule",
     "Events matched by a rule (after suppressions), per rule."},
    {"trailwatch_outbox_entries", "gauge", "state", "Outbox entries by state."},
    {"trailwatch_outbox_lag_seconds", "gauge", "",
     "Age of the oldest alert not yet delivered (0 when none)."},
    {"trailwatch_ready", "gauge", "",
     "1 while /readyz answers 200 (sources running, store writable, not every target failing)."},
    {"trailwatch_sns_unsubscribed_total", "counter", "topic",
     "UnsubscribeConfirmation messages received, per configured SNS topic."},
    {"trailwatch_source_bad_records_total", "counter", "source",
     "Records that could not become an EventBridge envelope, per source."},
    {"trailwatch_source_errors_total", "counter", "source",
     "S3 listing and fetch errors and SQS errors, per source."},
    {"trailwatch_source_files_total", "counter", "source,result",
     "Files of a directory source by result (read, failed, skipped, retry)."},
    {"trailwatch_source_leader", "gauge", "source",
     "1 while this replica runs a polled source (directory, S3) of a shared store, else 0."},
    {"trailwatch_source_messages_deleted_total", "counter", "source",
     "SQS messages deleted after their objects were processed, per source."},
    {"trailwatch_source_messages_total", "counter", "source,kind",
     "SQS messages received by classification, per source."},
    {"trailwatch_source_newest_object_age_seconds", "gauge", "source",
     "Age of the newest CloudTrail log file a source has processed (from the time in its name)."},
    {"trailwatch_source_newest_object_timestamp_seconds", "gauge", "source",
     "Unix time of the newest CloudTrail log file a source has processed (from its name)."},
    {"trailwatch_source_objects_total", "counter", "source,result",
     "S3 objects of an s3 or sqs source by result (read, failed, skipped, retry)."},
    {"trailwatch_source_polls_total", "counter", "source", "S3 listings (polls), per source."},
    {"trailwatch_source_rescans_total", "counter", "source",
     "Full rescans of a directory source after an inotify overflow."},
    {"trailwatch_source_visibility_extensions_total", "counter", "source,result",
     "SQS ChangeMessageVisibility calls while an object is processed, by result."},
    {"trailwatch_suppressed_total", "counter", "", "Matches dropped by a rule's suppression."},
    {"trailwatch_target_oldest_pending_age_seconds", "gauge", "target",
     "Age of the oldest alert pending or in flight, per target (from the outbox)."},
    {"trailwatch_target_queue_depth", "gauge", "target",
     "Alerts pending or in flight, per target (from the outbox)."},
    {"trailwatch_threshold_held_total", "counter", "rule",
     "Matches counted towards a threshold that did not (yet) alert, per rule."},
    {"trailwatch_up", "gauge", "", "1 while the service runs."},
};

}  // namespace

std::span<const MetricFamily> MetricFamilies() { return kFamilies; }

std::vector<double> IngestLatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

std::vector<double> DeliveryLatencyBuckets() {
  return {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400};
}

void DescribeMetricFamilies(Metrics& metrics) {
  for (const MetricFamily& family : kFamilies) {
    std::string name(family.name), help(family.help);
    if (family.type != "histogram") {
      metrics.Describe(name, std::string(family.type), help);
    } else if (family.name == kIngestToCommitSeconds) {
      metrics.DescribeHistogram(name, help, IngestLatencyBuckets());
    } else {
      metrics.DescribeHistogram(name, help, DeliveryLatencyBuckets());
    }
  }
}

}  // namespace trailwatch::telemetry
