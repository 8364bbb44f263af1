"""The reference deployment in deploy/: every document parses, Kubernetes objects pass the
API's own schemas (kubernetes-validate, offline, strict), and the pieces agree with each
other and with what Capsule needs (probes, resources, labels, the Host check, the token).

Linted here, never run: no cluster or container engine is needed.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
KUBERNETES_VERSION = "1.33.0"
PART_OF = {"app.kubernetes.io/part-of": "capsule"}
#: Kinds an operator's CRD defines (not in the Kubernetes API's schemas): checked by hand below.
OPERATOR_KINDS = {("postgresql.cnpg.io/v1", "Cluster")}


def documents() -> list[dict[str, Any]]:
    found = []
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            assert isinstance(document, dict), f"{path.name}: every document is a mapping"
            document["__file__"] = path.name
            found.append(document)
    return found


def objects(kind: str) -> list[dict[str, Any]]:
    return [document for document in documents() if document["kind"] == kind]


def strip(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "__file__"}


def test_every_kubernetes_object_passes_the_apis_schema_strictly() -> None:
    seen = set()
    for document in documents():
        kind = (document["apiVersion"], document["kind"])
        seen.add(document["kind"])
        if kind in OPERATOR_KINDS:
            continue
        kubernetes_validate.validate(strip(document), KUBERNETES_VERSION, strict=True)
    assert {"Namespace", "Deployment", "Service", "Ingress", "PodDisruptionBudget", "Cluster"} <= seen


def test_the_validator_catches_a_misspelt_field() -> None:
    deployment = copy.deepcopy(strip(objects("Deployment")[0]))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = deployment["spec"]["template"]["spec"]["containers"][0].pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_every_object_is_labelled_and_in_the_capsule_namespace() -> None:
    for document in documents():
        metadata = document["metadata"]
        labels = metadata.get("labels", {})
        assert PART_OF.items() <= labels.items(), (document["__file__"], metadata["name"])
        assert document["kind"] == "Namespace" or "app.kubernetes.io/name" in labels, metadata["name"]
        assert document["kind"] == "Namespace" or metadata.get("namespace") == "capsule", metadata["name"]


def test_every_container_has_probes_resources_and_a_non_root_user() -> None:
    for deployment in objects("Deployment"):
        spec = deployment["spec"]
        pod = spec["template"]
        assert spec["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items(), deployment["metadata"]["name"]
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
        for container in pod["spec"]["containers"]:
            for probe in ("readinessProbe", "livenessProbe"):
                assert probe in container, (deployment["metadata"]["name"], probe)
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), (deployment["metadata"]["name"], bound)
            env = {item["name"]: item for item in container.get("env", [])}
            # The operator token and the database URL come from Secrets, never a literal here.
            for name in ("CAPSULE_METRICS_TOKEN", "DATABASE_URL"):
                assert "secretKeyRef" in env[name]["valueFrom"], name
            assert "--database" in container["args"]


def test_the_hosts_pass_their_own_host_check() -> None:
    (host,) = [d for d in objects("Deployment") if d["metadata"]["name"] == "capsule-host"]
    container = host["spec"]["template"]["spec"]["containers"][0]
    args = container["args"]
    allowed = [args[i + 1] for i, arg in enumerate(args) if arg == "--allowed-host"]
    # The public name, and the pod's address Prometheus scrapes by; probes say localhost.
    assert "$(POD_IP)" in allowed and any("." in name and not name.startswith("$") for name in allowed)
    assert any(item["name"] == "POD_IP" for item in container["env"])
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        headers = container[probe]["httpGet"]["httpHeaders"]
        assert {"name": "Host", "value": "localhost"} in headers, probe


def test_services_ingress_and_volumes_point_at_what_exists() -> None:
    deployments = objects("Deployment")
    ports = {d["metadata"]["name"]: {p["name"] for c in d["spec"]["template"]["spec"]["containers"] for p in c["ports"]} for d in deployments}
    services = {}
    for service in objects("Service"):
        selector = service["spec"]["selector"]
        (target,) = [d for d in deployments if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()]
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports[target["metadata"]["name"]], service["metadata"]["name"]
        services[service["metadata"]["name"]] = {port["name"] for port in service["spec"]["ports"]}
    (host_service,) = [s for s in objects("Service") if s["metadata"]["name"] == "capsule-host"]
    assert host_service["spec"]["sessionAffinity"] == "ClientIP"
    (ingress,) = objects("Ingress")
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/affinity"] == "cookie"  # sticky WebSockets
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["port"]["name"] in services[backend["name"]], backend
    claims = {claim["metadata"]["name"] for claim in objects("PersistentVolumeClaim")}
    for deployment in deployments:
        for volume in deployment["spec"]["template"]["spec"]["volumes"]:
            if "persistentVolumeClaim" in volume:
                assert volume["persistentVolumeClaim"]["claimName"] in claims


def test_postgresql_is_a_primary_with_a_replica() -> None:
    (cluster,) = objects("Cluster")
    assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
    assert cluster["spec"]["instances"] >= 2  # one primary, at least one streaming replica
    assert re.fullmatch(r"\d+Gi", cluster["spec"]["storage"]["size"])
    assert {"cpu", "memory"} <= set(cluster["spec"]["resources"]["limits"])


def test_the_compose_file_has_two_hosts_a_balancer_a_registry_and_a_replica() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    hosts = [name for name, service in services.items() if service.get("command", [None, None])[:2] == ["capsule", "host"]]
    assert len(hosts) == 2
    assert services["registry"]["command"][:3] == ["capsule", "registry", "serve"]
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        assert "limits" in service["deploy"]["resources"], name
        for dependency in service.get("depends_on", []):
            assert dependency in services, (name, dependency)
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source.startswith(".") or source in compose["volumes"], (name, volume)
            if source.startswith("."):
                assert (DEPLOY / source).exists() or source == "./metrics-token", (name, source)
    for name in (*hosts, "registry", "postgres", "postgres-replica"):
        assert "healthcheck" in services[name], name
    for name in hosts:
        command = services[name]["command"]
        allowed = [command[i + 1] for i, arg in enumerate(command) if arg == "--allowed-host"]
        assert set(hosts) <= set(allowed), "Prometheus scrapes each host by its service name"
        assert "CAPSULE_METRICS_TOKEN" in services[name]["environment"]
    assert "replica" in " ".join(services["postgres-replica"]["command"]) or (DEPLOY / "postgres" / "replica-start.sh").is_file()
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert "ip_hash;" in nginx and all(f"server {name}:8000" in nginx for name in hosts)
    assert "proxy_set_header Upgrade" in nginx  # WebSockets pass through
    prometheus = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    targets = {target for job in prometheus["scrape_configs"] for group in job["static_configs"] for target in group["targets"]}
    assert targets == {f"{name}:8000" for name in hosts} | {"registry:8470"}
    assert all(job["authorization"]["type"] == "Bearer" for job in prometheus["scrape_configs"])
