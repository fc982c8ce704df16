// The container and Kubernetes files under deploy/ (issue 12, item 7) cannot be built or applied
// here (no container runtime, no cluster), so their structure is checked: every manifest a
// resource of kustomization.yaml with apiVersion/kind/metadata.name; the Deployment's image
// tagged with this version, probes on the ops listener's port (/healthz, /readyz), non-root,
// resources set, secrets from the Secret only; the ServiceAccount annotated for IRSA; the
// ConfigMap's trailwatch.yaml valid for the real loader and listening where the probes, the
// Service and the PodMonitor look; the Dockerfile installing the .deb as the same user with a
// HEALTHCHECK on /healthz at the ops listener's default address.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_test_util.h"
#include "common/version.h"
#include "service/service_config.h"

namespace trailwatch::testing {
namespace {

const std::string kKubernetes = std::string(TW_SOURCE_DIR) + "/deploy/kubernetes";
const std::string kDockerfile = std::string(TW_SOURCE_DIR) + "/deploy/container/Dockerfile";
const std::string kName = "trailwatch";
const std::string kTelemetryPort = "9464";

// Every document of every manifest (not kustomization.yaml), by kind.
std::map<std::string, YAML::Node> LoadManifests() {
  std::map<std::string, YAML::Node> by_kind;
  YAML::Node kustomization = YAML::LoadFile(kKubernetes + "/kustomization.yaml");
  for (const YAML::Node& resource : kustomization["resources"]) {
    for (const YAML::Node& document :
         YAML::LoadAllFromFile(kKubernetes + "/" + resource.as<std::string>())) {
      std::string kind = document["kind"].as<std::string>();
      EXPECT_EQ(by_kind.count(kind), 0u) << "one " << kind << " expected";
      by_kind[kind] = document;
    }
  }
  return by_kind;
}

YAML::Node Container(const YAML::Node& deployment) {
  YAML::Node containers = deployment["spec"]["template"]["spec"]["containers"];
  EXPECT_EQ(containers.size(), 1u);
  return containers[0];
}

// The containerPort of the named port, "" if none.
std::string ContainerPort(const YAML::Node& container, const std::string& name) {
  for (const YAML::Node& port : container["ports"]) {
    if (port["name"].as<std::string>() == name) return port["containerPort"].as<std::string>();
  }
  return "";
}

// The port of a host:port listen address.
std::string PortOf(const std::string& listen) { return listen.substr(listen.rfind(':') + 1); }

std::optional<std::string> SecretEnvironmentForConfigMap(const std::string& name) {
  if (name == "SLACK_WEBHOOK_URL") return "https://hooks.slack.com/services/T000/B000/XXXX";
  if (name == "TRAILWATCH_API_KEY") return "0123456789abcdef0123456789abcdef";
  return std::nullopt;
}

TEST(KubernetesManifests, KustomizationListsEveryManifest) {
  YAML::Node kustomization = YAML::LoadFile(kKubernetes + "/kustomization.yaml");
  std::set<std::string> listed;
  for (const YAML::Node& resource : kustomization["resources"]) {
    listed.insert(resource.as<std::string>());
  }
  std::set<std::string> present;
  for (const auto& entry : std::filesystem::directory_iterator(kKubernetes)) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".yaml" && name != "kustomization.yaml") present.insert(name);
  }
  EXPECT_EQ(listed, present);
  EXPECT_EQ(kustomization["namespace"].as<std::string>(), kName);
}

TEST(KubernetesManifests, EveryManifestHasTheRequiredKeys) {
  std::map<std::string, YAML::Node> manifests = LoadManifests();
  for (const char* kind : {"Namespace", "ServiceAccount", "ConfigMap", "PersistentVolumeClaim",
                           "Deployment", "Service", "PodMonitor"}) {
    ASSERT_EQ(manifests.count(kind), 1u) << kind;
  }
  for (const auto& [kind, manifest] : manifests) {
    EXPECT_TRUE(manifest["apiVersion"].IsScalar()) << kind;
    EXPECT_FALSE(manifest["metadata"]["name"].as<std::string>().empty()) << kind;
    EXPECT_EQ(manifest["metadata"]["labels"]["app.kubernetes.io/name"].as<std::string>(), kName)
        << kind;
  }
  EXPECT_EQ(manifests["Deployment"]["apiVersion"].as<std::string>(), "apps/v1");
  EXPECT_EQ(manifests["PodMonitor"]["apiVersion"].as<std::string>(), "monitoring.coreos.com/v1");
}

TEST(KubernetesManifests, TheServiceAccountIsAnnotatedForIrsa) {
  std::map<std::string, YAML::Node> manifests = LoadManifests();
  const YAML::Node& account = manifests["ServiceAccount"];
  std::string role =
      account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].as<std::string>();
  EXPECT_TRUE(std::regex_match(role, std::regex(R"(arn:aws:iam::\d{12}:role/[\w+=,.@/-]+)")))
      << role;
  EXPECT_EQ(
      manifests["Deployment"]["spec"]["template"]["spec"]["serviceAccountName"].as<std::string>(),
      account["metadata"]["name"].as<std::string>());
}

TEST(KubernetesManifests, TheDeploymentRunsThisVersionNonRootWithProbesAndResources) {
  std::map<std::string, YAML::Node> manifests = LoadManifests();
  const YAML::Node& deployment = manifests["Deployment"];
  const YAML::Node pod = deployment["spec"]["template"]["spec"];
  // One writer of the SQLite store.
  EXPECT_EQ(deployment["spec"]["replicas"].as<int>(), 1);
  EXPECT_EQ(deployment["spec"]["strategy"]["type"].as<std::string>(), "Recreate");
  EXPECT_EQ(
      deployment["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"].as<std::string>(),
      kName);
  EXPECT_EQ(deployment["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"]
                .as<std::string>(),
            kName);

  YAML::Node container = Container(deployment);
  std::string image = container["image"].as<std::string>();
  EXPECT_TRUE(image.size() > std::string(Version()).size() &&
              image.substr(image.size() - std::string(Version()).size() - 1) ==
                  std::string(":").append(Version()))
      << image << " should be tagged with this version, " << Version();

  EXPECT_EQ(ContainerPort(container, "telemetry"), kTelemetryPort);
  EXPECT_EQ(container["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/healthz");
  EXPECT_EQ(container["livenessProbe"]["httpGet"]["port"].as<std::string>(), "telemetry");
  EXPECT_EQ(container["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/readyz");
  EXPECT_EQ(container["readinessProbe"]["httpGet"]["port"].as<std::string>(), "telemetry");

  // Non-root, by number (the kubelet cannot check a user name), as the image's USER.
  EXPECT_TRUE(pod["securityContext"]["runAsNonRoot"].as<bool>());
  EXPECT_NE(pod["securityContext"]["runAsUser"].as<int>(), 0);
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"].as<std::string>(), "RuntimeDefault");
  const YAML::Node security = container["securityContext"];
  EXPECT_FALSE(security["allowPrivilegeEscalation"].as<bool>());
  EXPECT_TRUE(security["readOnlyRootFilesystem"].as<bool>());
  ASSERT_EQ(security["capabilities"]["drop"].size(), 1u);
  EXPECT_EQ(security["capabilities"]["drop"][0].as<std::string>(), "ALL");

  for (const char* kind : {"requests", "limits"}) {
    EXPECT_TRUE(container["resources"][kind]["cpu"].IsScalar()) << kind;
    EXPECT_TRUE(container["resources"][kind]["memory"].IsScalar()) << kind;
  }
  // Stopping drains for up to shutdown_timeout (10 s by default).
  EXPECT_GT(pod["terminationGracePeriodSeconds"].as<int>(), 10);
}

TEST(KubernetesManifests, ConfigAndStateComeFromTheConfigMapAndTheVolume) {
  std::map<std::string, YAML::Node> manifests = LoadManifests();
  const YAML::Node pod = manifests["Deployment"]["spec"]["template"]["spec"];
  std::map<std::string, YAML::Node> volumes;
  for (const YAML::Node& volume : pod["volumes"])
    volumes[volume["name"].as<std::string>()] = volume;
  std::map<std::string, std::string> mounts;  // path -> volume
  for (const YAML::Node& mount : Container(manifests["Deployment"])["volumeMounts"]) {
    mounts[mount["mountPath"].as<std::string>()] = mount["name"].as<std::string>();
  }
  ASSERT_EQ(mounts.count("/etc/trailwatch"), 1u);
  EXPECT_EQ(volumes[mounts["/etc/trailwatch"]]["configMap"]["name"].as<std::string>(),
            manifests["ConfigMap"]["metadata"]["name"].as<std::string>());
  ASSERT_EQ(mounts.count("/var/lib/trailwatch"), 1u);
  EXPECT_EQ(volumes[mounts["/var/lib/trailwatch"]]["persistentVolumeClaim"]["claimName"]
                .as<std::string>(),
            manifests["PersistentVolumeClaim"]["metadata"]["name"].as<std::string>());
  // The container runs the configuration the ConfigMap mounts.
  std::vector<std::string> args =
      Container(manifests["Deployment"])["args"].as<std::vector<std::string>>();
  EXPECT_EQ(args, (std::vector<std::string>{"run", "--config", "/etc/trailwatch/trailwatch.yaml",
                                            "--log-format", "json"}));
}

TEST(KubernetesManifests, TheConfigMapIsAValidConfigurationListeningWhereTheProbesLook) {
  std::map<std::string, YAML::Node> manifests = LoadManifests();
  std::string text = manifests["ConfigMap"]["data"]["trailwatch.yaml"].as<std::string>();
  TempDir dir;
  std::string path = dir.Write("trailwatch.yaml", text);
  auto config = service::LoadServiceConfig(path, &SecretEnvironmentForConfigMap);
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->targets.store.rfind("/var/lib/trailwatch/", 0), 0u) << config->targets.store;

  // The ops listener on the pod's address (the kubelet and Prometheus are not on loopback), on
  // the container's telemetry port.
  ASSERT_TRUE(config->telemetry.enabled);
  EXPECT_EQ(config->telemetry.listen, "0.0.0.0:" + kTelemetryPort);
  YAML::Node container = Container(manifests["Deployment"]);
  // The http source (/events) on the container's events port.
  std::string events_port;
  for (const sources::SourceConfig& source : config->sources) {
    if (const auto* http = std::get_if<sources::HttpSourceConfig>(&source.settings)) {
      events_port = PortOf(http->listen);
    }
  }
  EXPECT_EQ(events_port, ContainerPort(container, "events"));

  // Every ${env:...} the configuration uses is set by the container, secrets from the Secret.
  std::map<std::string, YAML::Node> env;
  for (const YAML::Node& variable : container["env"])
    env[variable["name"].as<std::string>()] = variable;
  std::smatch match;
  std::string rest = text;
  int references = 0;
  while (std::regex_search(rest, match, std::regex(R"(\$\{env:([A-Za-z_][A-Za-z0-9_]*)\})"))) {
    ++references;
    std::string name = match[1];
    ASSERT_EQ(env.count(name), 1u) << name << " is not set by the Deployment";
    EXPECT_EQ(env[name]["valueFrom"]["secretKeyRef"]["name"].as<std::string>(),
              "trailwatch-secrets")
        << name;
    rest = match.suffix();
  }
  EXPECT_EQ(references, 2);
}

TEST(KubernetesManifests, TheServiceAndPodMonitorReachTheContainerPorts) {
  std::map<std::string, YAML::Node> manifests = LoadManifests();
  YAML::Node container = Container(manifests["Deployment"]);
  const YAML::Node& service = manifests["Service"];
  EXPECT_EQ(service["spec"]["selector"]["app.kubernetes.io/name"].as<std::string>(), kName);
  std::map<std::string, std::string> target_ports;  // service port name -> container port name
  for (const YAML::Node& port : service["spec"]["ports"]) {
    target_ports[port["name"].as<std::string>()] = port["targetPort"].as<std::string>();
  }
  EXPECT_EQ(target_ports["events"], "events");
  EXPECT_EQ(target_ports["metrics"], "telemetry");
  for (const auto& [name, container_port] : target_ports) {
    EXPECT_FALSE(ContainerPort(container, container_port).empty()) << name;
  }
  const YAML::Node& monitor = manifests["PodMonitor"];
  EXPECT_EQ(monitor["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"].as<std::string>(),
            kName);
  ASSERT_EQ(monitor["spec"]["podMetricsEndpoints"].size(), 1u);
  EXPECT_EQ(monitor["spec"]["podMetricsEndpoints"][0]["port"].as<std::string>(), "telemetry");
  EXPECT_EQ(monitor["spec"]["podMetricsEndpoints"][0]["path"].as<std::string>(), "/metrics");
}

// The Dockerfile's instructions (continuation lines joined), by keyword.
std::multimap<std::string, std::string> DockerInstructions() {
  std::ifstream in(kDockerfile);
  EXPECT_TRUE(in.good()) << kDockerfile;
  std::multimap<std::string, std::string> instructions;
  std::string line;
  std::string joined;
  while (std::getline(in, line)) {
    if (joined.empty() && (line.empty() || line[0] == '#')) continue;
    if (!line.empty() && line.back() == '\\') {
      joined += line.substr(0, line.size() - 1);
      continue;
    }
    joined += line;
    size_t space = joined.find(' ');
    instructions.emplace(joined.substr(0, space), joined.substr(space + 1));
    joined.clear();
  }
  return instructions;
}

std::string Only(const std::multimap<std::string, std::string>& instructions,
                 const std::string& keyword) {
  EXPECT_EQ(instructions.count(keyword), 1u) << keyword;
  auto it = instructions.find(keyword);
  return it == instructions.end() ? "" : it->second;
}

TEST(Dockerfile, InstallsThePackageAndRunsAsItsUserWithAHealthCheck) {
  std::multimap<std::string, std::string> instructions = DockerInstructions();
  EXPECT_EQ(Only(instructions, "FROM"), "debian:12-slim");
  EXPECT_EQ(Only(instructions, "COPY"), "trailwatch_*.deb /tmp/");
  std::string run = Only(instructions, "RUN");
  EXPECT_NE(run.find("apt-get install"), std::string::npos) << run;
  EXPECT_NE(run.find("/tmp/trailwatch_*.deb"), std::string::npos) << run;

  // The same non-root user as the Deployment's runAsUser.
  std::map<std::string, YAML::Node> manifests = LoadManifests();
  const YAML::Node pod = manifests["Deployment"]["spec"]["template"]["spec"];
  std::string uid = pod["securityContext"]["runAsUser"].as<std::string>();
  std::string gid = pod["securityContext"]["runAsGroup"].as<std::string>();
  EXPECT_EQ(Only(instructions, "USER"), uid + ":" + gid);
  EXPECT_NE(uid, "0");
  EXPECT_NE(run.find("--uid " + uid), std::string::npos) << run;
  EXPECT_NE(run.find("--gid " + gid), std::string::npos) << run;

  // HEALTHCHECK on /healthz where the ops listener listens by default.
  std::string health = Only(instructions, "HEALTHCHECK");
  EXPECT_NE(
      health.find("http://" + std::string(service::TelemetryConfig::kDefaultListen) + "/healthz"),
      std::string::npos)
      << health;
  EXPECT_EQ(Only(instructions, "VOLUME"), "[\"/var/lib/trailwatch\"]");
  EXPECT_EQ(Only(instructions, "ENTRYPOINT"), "[\"/usr/bin/trailwatch\"]");
  EXPECT_NE(Only(instructions, "CMD").find("/etc/trailwatch/trailwatch.yaml"), std::string::npos);
}

}  // namespace
}  // namespace trailwatch::testing
