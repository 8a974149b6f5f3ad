"""deploy/k8s: valid Kubernetes objects (offline, strict), hardened workloads, secrets referenced only,
settings that exist, and network policies that let only the intended pods talk."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from meldroute_dev.services import ALLE_DIENSTEN, DIENSTEN, WERKPLEK, Dienst

UnknownNames = Callable[[str, Iterable[str]], set[str]]
Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def k8s(repo: Path) -> Path:
    return repo / "deploy" / "k8s"


@pytest.fixture(scope="module")
def files(k8s: Path) -> list[Path]:
    found = sorted(p for p in k8s.rglob("*.yaml") if p.name != "kustomization.yaml")
    assert found
    return found


@pytest.fixture(scope="module")
def objects(files: list[Path]) -> list[Manifest]:
    loaded = [doc for path in files for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    assert all(isinstance(doc, dict) and "kind" in doc for doc in loaded)
    return loaded


def _of_kind(objects: list[Manifest], kind: str) -> list[Manifest]:
    return [o for o in objects if o["kind"] == kind]


def _by_name(objects: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {o["metadata"]["name"]: o for o in _of_kind(objects, kind)}


def _workloads(objects: list[Manifest]) -> Iterator[tuple[Manifest, dict[str, Any]]]:
    """(object, pod spec) of every Deployment and Job."""
    for obj in objects:
        if obj["kind"] in {"Deployment", "Job"}:
            yield obj, obj["spec"]["template"]["spec"]


def _dienst_of_image(image: str) -> Dienst:
    name = image.rsplit("/", 1)[-1].split(":")[0]
    return next(d for d in ALLE_DIENSTEN if d.naam == name)


def _ours(image: str) -> bool:
    """Whether the image is one of the three services or the werkplek (not Redis)."""
    return image.startswith("meldroute/")


@pytest.mark.processes
def test_manifests_validate_strictly_offline(files: list[Path], repo: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kubernetes_validate", "--strict", "--quiet", *map(str, files)],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "ERROR" not in output and "Couldn't find schema" not in output, output


def test_kustomization_lists_every_manifest(k8s: Path, files: list[Path]) -> None:
    kustomization = yaml.safe_load((k8s / "kustomization.yaml").read_text(encoding="utf-8"))
    assert kustomization["namespace"] == "meldroute"
    assert sorted(kustomization["resources"]) == sorted(str(p.relative_to(k8s)) for p in files)


@pytest.mark.processes
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (with kustomize) is not installed")
def test_kustomization_builds(k8s: Path, objects: list[Manifest]) -> None:
    result = subprocess.run(
        ["kubectl", "kustomize", str(k8s)], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    built = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    assert len(built) == len(objects)
    for doc in built:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "meldroute", doc["metadata"]["name"]


def test_no_secret_is_committed(objects: list[Manifest], files: list[Path]) -> None:
    assert not _of_kind(objects, "Secret"), "Secrets are created in the cluster, never committed"
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "PRIVATE KEY" not in text, path
    for config in _of_kind(objects, "ConfigMap"):
        for key, value in config.get("data", {}).items():
            assert "SECRET" not in key and "PASSWORD" not in key, key
            assert "@" not in str(value), f"{key} looks like a URL with credentials"


def test_every_deployment_and_job_is_hardened(objects: list[Manifest]) -> None:
    workloads = list(_workloads(objects))
    assert {o["kind"] for o, _ in workloads} == {"Deployment", "Job"}
    for obj, pod in workloads:
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        pod_security = pod.get("securityContext", {})
        assert pod.get("automountServiceAccountToken") is False, where
        tmp_volumes = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            security = container.get("securityContext", {})
            effective = {**pod_security, **security}  # a container's setting overrides the pod's
            name = f"{where} {container['name']}"
            assert effective.get("runAsNonRoot") is True, name
            assert effective.get("runAsUser", 1) != 0, name
            assert effective.get("seccompProfile") == {"type": "RuntimeDefault"}, name
            assert security.get("readOnlyRootFilesystem") is True, name
            assert security.get("allowPrivilegeEscalation") is False, name
            assert security.get("capabilities", {}).get("drop") == ["ALL"], name
            assert not security.get("capabilities", {}).get("add"), name
            assert security.get("privileged") is not True, name
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            assert mounts.get("/tmp") in tmp_volumes, f"{name}: /tmp must be an emptyDir"  # noqa: S108
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][kind]), f"{name}: {kind}"


def test_deployments_probe_health_and_listen_on_the_registered_port(objects: list[Manifest]) -> None:
    deployments = [
        d for d in _of_kind(objects, "Deployment")
        if _ours(d["spec"]["template"]["spec"]["containers"][0]["image"])
    ]  # fmt: skip
    assert {d["metadata"]["name"] for d in deployments} == {d.naam for d in ALLE_DIENSTEN}
    for deployment in deployments:
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        dienst = _dienst_of_image(container["image"])
        assert dienst.naam == deployment["metadata"]["name"]
        (port,) = container["ports"]
        assert port["containerPort"] == dienst.port
        for probe, path in (("livenessProbe", "/health/live"), ("readinessProbe", "/health/ready")):
            get = container[probe]["httpGet"]
            assert get["path"] == path and get["port"] in (port["name"], dienst.port), probe


def test_services_pdbs_and_autoscalers_cover_each_deployment(objects: list[Manifest]) -> None:
    services, pdbs = _by_name(objects, "Service"), _by_name(objects, "PodDisruptionBudget")
    hpas = _by_name(objects, "HorizontalPodAutoscaler")
    for dienst in ALLE_DIENSTEN:
        deployment = _by_name(objects, "Deployment")[dienst.naam]
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        service = services[dienst.naam]
        assert service["spec"]["ports"][0]["port"] == dienst.port
        assert service["spec"]["selector"].items() <= pod_labels.items()
        assert pdbs[dienst.naam]["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        hpa = hpas[dienst.naam]
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": dienst.naam,
        }
        assert hpa["spec"]["minReplicas"] >= 2, "a PDB with minAvailable 1 needs two replicas"


def test_each_service_has_a_migration_job(objects: list[Manifest], repo: Path) -> None:
    jobs = _by_name(objects, "Job")
    assert not [j for j in jobs if j.startswith(f"{WERKPLEK.naam}-")], (
        "the werkplek has no database to migrate"
    )
    for dienst in DIENSTEN:
        job = jobs[f"{dienst.naam}-migratie"]
        (container,) = job["spec"]["template"]["spec"]["containers"]
        assert _dienst_of_image(container["image"]) == dienst
        ini = f"services/{dienst.naam}/alembic.ini"
        assert container["command"] == ["alembic", "-c", ini, "upgrade", "head"]
        assert (repo / ini).is_file()
        assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_every_variable_is_a_settings_field_of_its_service(
    objects: list[Manifest], unknown_names: UnknownNames
) -> None:
    configs = _by_name(objects, "ConfigMap")
    for obj, pod in _workloads(objects):
        for container in pod["containers"]:
            if not _ours(container["image"]):
                continue
            dienst = _dienst_of_image(container["image"])
            names = {e["name"] for e in container.get("env", [])}
            for source in container.get("envFrom", []):
                names |= set(configs[source["configMapRef"]["name"]]["data"])
            has_database = f"{dienst.env_prefix}DATABASE_URL" in names
            assert has_database == dienst.database, obj["metadata"]["name"]
            unknown = unknown_names(dienst.naam, names)
            assert not unknown, f"{obj['kind']}/{obj['metadata']['name']}: unknown settings {unknown}"
            for env in container.get("env", []):
                if env["name"].endswith(("_SECRET", "_DATABASE_URL")):
                    assert "secretKeyRef" in env.get("valueFrom", {}), (
                        f"{env['name']} must come from a Secret"
                    )
    assert configs["meldroute"]["data"]["MELDROUTE_ENV"] == "production"
    assert configs["meldroute"]["data"]["MELDROUTE_JWKS_URL"].startswith("https://")


def test_service_urls_name_the_registered_ports(objects: list[Manifest]) -> None:
    for config in _of_kind(objects, "ConfigMap"):
        for key, value in config["data"].items():
            for dienst in ALLE_DIENSTEN:
                if f"://{dienst.naam}:" in value:
                    assert value == f"http://{dienst.naam}:{dienst.port}", key


def _secret_sources(pod: dict[str, Any]) -> set[str]:
    names = set()
    for volume in pod.get("volumes", []):
        if "secret" in volume:
            names.add(volume["secret"]["secretName"])
        for source in volume.get("projected", {}).get("sources", []):
            if "secret" in source:
                names.add(source["secret"]["name"])
    return names


def test_keys_are_mounted_only_where_they_belong(objects: list[Manifest]) -> None:
    mounted = {o["metadata"]["name"]: _secret_sources(pod) for o, pod in _workloads(objects)}
    assert mounted["privacy-gateway"] == {"privacy-gateway-keys"}
    assert mounted["intake-api"] == {"intake-api-keys"}
    assert mounted["reporting"] == set()
    assert mounted["werkplek"] == set(), "the werkplek holds no key"
    assert all(not keys for name, keys in mounted.items() if name.endswith("-migratie"))
    gateway = _by_name(objects, "ConfigMap")["privacy-gateway-config"]["data"]
    intake = _by_name(objects, "ConfigMap")["intake-api-config"]["data"]
    assert "private" in gateway["GATEWAY_HPKE_PRIVATE_KEY_FILES"]
    assert not any("private" in str(v) for v in intake.values()), "intake must never see a private key"


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a label selector (matchLabels and matchExpressions) picks a pod with these labels."""
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def _pods(objects: list[Manifest]) -> dict[str, dict[str, str]]:
    """The pod labels of every Deployment and Job in the namespace, by the workload's name."""
    return {
        o["metadata"]["name"]: o["spec"]["template"]["metadata"]["labels"] for o, _ in _workloads(objects)
    }


def _picked(objects: list[Manifest], selector: dict[str, Any]) -> set[str]:
    return {name for name, labels in _pods(objects).items() if _selects(selector, labels)}


def test_the_selector_helper_reads_expressions() -> None:
    web = {"app.kubernetes.io/name": "werkplek", "app.kubernetes.io/component": "web"}
    expressions = {
        "matchExpressions": [{"key": "app.kubernetes.io/component", "operator": "In", "values": ["api"]}]
    }
    assert _selects({}, web) and not _selects(expressions, web)
    assert _selects({"matchLabels": {"app.kubernetes.io/name": "werkplek"}}, web)
    assert not _selects({"matchLabels": {"app.kubernetes.io/name": "werkplek", "x": "y"}}, web)
    niet = [{"key": "app.kubernetes.io/name", "operator": "NotIn", "values": ["werkplek"]}]
    assert not _selects({"matchExpressions": niet}, web)


def test_network_policies_deny_by_default_and_allow_only_the_intended_calls(objects: list[Manifest]) -> None:
    policies = _of_kind(objects, "NetworkPolicy")
    deny = [
        p
        for p in policies
        if p["spec"]["podSelector"] == {}
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    assert deny, "a default deny of all ingress and egress is missing"
    every_pod = set(_pods(objects))

    # Pod-to-pod calls inside the namespace, as allowed by ingress and by egress rules separately; and what
    # each pod may reach outside it (the ingress controller in, PostgreSQL, the provider and DNS out).
    ingress_pairs: set[tuple[str, str]] = set()
    egress_pairs: set[tuple[str, str]] = set()
    ingress_controller: set[str] = set()
    outside: dict[int, set[str]] = {}
    for policy in policies:
        spec, naam = policy["spec"], policy["metadata"]["name"]
        targets = _picked(objects, spec["podSelector"])
        for rule in spec.get("ingress", []):
            for peer in rule["from"]:
                if "namespaceSelector" in peer:
                    assert (
                        peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] != "meldroute"
                    )
                    ingress_controller |= targets
                    continue
                sources = _picked(objects, peer["podSelector"])
                assert sources != every_pod, f"{naam} admits every pod"
                ingress_pairs |= {(s, t) for s in sources for t in targets}
        for rule in spec.get("egress", []):
            for peer in rule["to"]:
                if "podSelector" in peer and "namespaceSelector" not in peer:
                    destinations = _picked(objects, peer["podSelector"])
                    assert destinations != every_pod, f"{naam} reaches every pod"
                    egress_pairs |= {(s, d) for s in targets for d in destinations}
                elif spec["podSelector"] != {}:
                    for port in rule["ports"]:
                        outside.setdefault(port["port"], set()).update(targets)
    werkplek = WERKPLEK.naam
    intended = (
        {("privacy-gateway", "intake-api"), ("intake-api", "reporting")}
        | {(werkplek, d.naam) for d in DIENSTEN}
        | {(d.naam, "redis") for d in ALLE_DIENSTEN}
    )
    assert ingress_pairs == intended
    assert egress_pairs == intended
    # Only the ingress controller reaches the werkplek (no pod calls it); it reaches the services, Redis and
    # the provider, and no database.
    assert ingress_controller == {d.naam for d in ALLE_DIENSTEN}
    assert not {s for s, t in ingress_pairs if t == werkplek}
    assert outside[443] == {d.naam for d in ALLE_DIENSTEN}, "the OIDC provider"
    with_database = {d.naam for d in DIENSTEN} | {f"{d.naam}-migratie" for d in DIENSTEN}
    assert outside[5432] == with_database, "PostgreSQL: the services and their migrations, not the werkplek"
    assert set(outside) == {443, 5432}

    ports = {
        (p["protocol"], p["port"])
        for policy in policies
        if policy["spec"]["podSelector"] == {}
        for rule in policy["spec"].get("egress", [])
        for p in rule.get("ports", [])
    }
    assert ports == {("UDP", 53), ("TCP", 53)}, "only DNS egress is open to every pod"
    egress_ports = {
        p["port"] for policy in policies for rule in policy["spec"].get("egress", []) for p in rule["ports"]
    }
    assert {5432, 443, 6379} <= egress_ports, "PostgreSQL, the OIDC provider and Redis must be reachable"


def test_the_werkplek_calls_each_service_on_its_own_port(objects: list[Manifest]) -> None:
    policies = _by_name(objects, "NetworkPolicy")
    rules = policies["werkplek-egress-diensten"]["spec"]["egress"]
    reached = {
        (peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"], port["port"])
        for rule in rules
        for peer in rule["to"]
        for port in rule["ports"]
    }
    assert reached == {(d.naam, d.port) for d in DIENSTEN}
    (regel,) = policies["werkplek-ingress"]["spec"]["ingress"]
    assert [p["port"] for p in regel["ports"]] == [WERKPLEK.port]
    config = _by_name(objects, "ConfigMap")["werkplek-config"]["data"]
    assert config["WERKPLEK_PUBLIC_URL"].startswith("https://")
    for name in (
        "WERKPLEK_OIDC_AUTHORIZATION_URL",
        "WERKPLEK_OIDC_TOKEN_URL",
        "WERKPLEK_OIDC_END_SESSION_URL",
    ):
        assert config[name].startswith("https://"), name
    assert {config[f"WERKPLEK_{n}_URL"] for n in ("INTAKE", "GATEWAY", "REPORTING")} == {
        f"http://{d.naam}:{d.port}" for d in DIENSTEN
    }
    # reporting's closed dashboard sends people to the werkplek's, at the origin browsers use.
    reporting = _by_name(objects, "ConfigMap")["reporting-config"]["data"]
    assert reporting["REPORTING_DASHBOARD_OPEN"] == "false"
    assert reporting["REPORTING_WERKPLEK_URL"] == config["WERKPLEK_PUBLIC_URL"]


def test_replicas_share_rate_limit_counters_in_one_redis(objects: list[Manifest]) -> None:
    redis = _by_name(objects, "Deployment")["redis"]
    pod = redis["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"].startswith("redis:") and not container["image"].endswith(":latest")
    args = container["args"]
    assert args[args.index("--save") + 1] == "" and args[args.index("--appendonly") + 1] == "no"
    assert args[args.index("--maxmemory-policy") + 1] == "noeviction", "a full Redis must refuse, not forget"
    service = _by_name(objects, "Service")["redis"]
    assert service["spec"]["type"] == "ClusterIP" and service["spec"]["ports"][0]["port"] == 6379
    assert service["spec"]["selector"].items() <= pod_labels(redis).items()
    assert (
        _by_name(objects, "ConfigMap")["meldroute"]["data"]["MELDROUTE_REDIS_URL"] == "redis://redis:6379/0"
    )
    # Redis is reached only by the services and the werkplek, and reaches nothing but DNS.
    policies = _by_name(objects, "NetworkPolicy")
    (regel,) = policies["redis-ingress"]["spec"]["ingress"]
    assert [p["port"] for p in regel["ports"]] == [6379]
    assert not any(
        _picked(objects, p["spec"]["podSelector"]) == {"redis"} and p["spec"].get("egress")
        for p in policies.values()
    )


def pod_labels(deployment: Manifest) -> dict[str, str]:
    labels: dict[str, str] = deployment["spec"]["template"]["metadata"]["labels"]
    return labels


def test_the_checkpoint_witness_is_a_volume_of_its_own(objects: list[Manifest]) -> None:
    """The verwerkingenlog's witness: a claim of its own, written by every gateway replica, mounted nowhere else."""
    claims = _by_name(objects, "PersistentVolumeClaim")
    assert set(claims) == {"privacy-gateway-getuige"}
    assert claims["privacy-gateway-getuige"]["spec"]["accessModes"] == ["ReadWriteMany"]
    users = set()
    for obj, pod in _workloads(objects):
        names = {
            v["name"] for v in pod.get("volumes", []) if v.get("persistentVolumeClaim", {}).get("claimName")
        }
        if names:
            users.add(obj["metadata"]["name"])
    assert users == {"privacy-gateway"}
    pod = _by_name(objects, "Deployment")["privacy-gateway"]["spec"]["template"]["spec"]
    volume = next(v["name"] for v in pod["volumes"] if "persistentVolumeClaim" in v)
    mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["name"] == volume)
    assert not mount.get("readOnly")
    assert pod["securityContext"]["fsGroup"] == 10001, "the non-root user must be able to write the witness"
    config = _by_name(objects, "ConfigMap")["privacy-gateway-config"]["data"]
    assert config["GATEWAY_CHECKPOINT_WITNESS"] == mount["mountPath"]
    assert "/run/secrets/meldroute/" in config["GATEWAY_KETEN_SLEUTEL_BESTANDEN"]
    assert "/run/secrets/meldroute/" in config["GATEWAY_CHECKPOINT_SLEUTEL_BESTANDEN"]
