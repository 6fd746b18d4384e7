"""deploy/ matches the code: every service is deployed, started by the image's entry point,
migrated by the job, probed on a port it serves, and given only settings the code reads.
(No Docker engine or cluster runs here: the files are parsed and checked, and the entry
point is run with a stand-in python that shows what it would start.)"""
import os
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from scripts import kubernetes
from tests.unit.docs.test_configuration_table import names_read_by_code

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
SERVICES = kubernetes.services()
ROLES = SERVICES + ["gateway"]


def manifests():
    return [d for d in yaml.safe_load_all(kubernetes.TARGET.read_text()) if d]


def of_kind(kind):
    return {d["metadata"]["name"]: d for d in manifests() if d["kind"] == kind}


def port_of(address):
    return int(address.rpartition(":")[2])


def test_the_kubernetes_manifests_are_current():
    assert kubernetes.TARGET.read_text() == kubernetes.render(), \
        "deploy/kubernetes/haven.yaml is out of date: run python -m scripts.kubernetes"


def test_every_service_and_the_gateway_has_a_probed_non_root_deployment():
    deployments = of_kind("Deployment")
    assert set(deployments) == set(ROLES)
    config = of_kind("ConfigMap")["haven-config"]["data"]
    for role, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        [container] = pod["containers"]
        assert container["args"] == [role]
        assert pod["securityContext"]["runAsNonRoot"] and container["securityContext"]["runAsNonRoot"]
        assert container["resources"]["requests"]["cpu"] and container["resources"]["limits"]["memory"]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports["metrics"] == port_of(config["HAVEN_METRICS_ADDRESS"])
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            assert container[probe]["httpGet"]["port"] in ports, (role, probe)
        if role == "gateway":
            env = {e["name"]: e.get("value") for e in container["env"]}
            assert ports["http"] == port_of(env["HAVEN_HTTP_ADDRESS"])
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        secrets = {e["name"] for e in container["env"] if "valueFrom" in e}
        own = {f"{role.upper()}_DATABASE_URL"} if role in SERVICES else set()
        assert {n for n in secrets if n.endswith("_DATABASE_URL")} == own, role


def test_the_migration_job_migrates_every_service_and_the_makefile_agrees():
    [container] = of_kind("Job")["haven-migrate"]["spec"]["template"]["spec"]["containers"]
    with_migrations = sorted(p.parent.parent.name for p in (ROOT / "services").glob("*/migrations/env.py"))
    assert container["args"] == ["migrate", *with_migrations]
    makefile = (ROOT / "Makefile").read_text()
    line = next(l for l in makefile.splitlines() if "services.common.migrations" in l)
    assert sorted(line.split("services.common.migrations", 1)[1].split()) == with_migrations


def test_autoscalers_and_the_service_point_at_real_deployments():
    deployments = of_kind("Deployment")
    for name, hpa in of_kind("HorizontalPodAutoscaler").items():
        assert hpa["spec"]["scaleTargetRef"]["name"] == name and name in deployments
        assert hpa["spec"]["minReplicas"] == deployments[name]["spec"]["replicas"]
    service = of_kind("Service")["gateway"]
    assert service["spec"]["ports"][0]["targetPort"] == "http"


def test_every_setting_in_deploy_is_one_the_code_reads():
    read = names_read_by_code()
    names = set(of_kind("ConfigMap")["haven-config"]["data"])
    for d in of_kind("Deployment").values():
        names |= {e["name"] for e in d["spec"]["template"]["spec"]["containers"][0]["env"]}
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    names |= set(compose["x-haven"]["environment"])
    unknown = {n for n in names - read if not n.startswith("AWS_")}  # boto3's own
    assert not unknown, f"deploy/ sets what nothing reads: {sorted(unknown)}"


def test_compose_runs_every_service_and_migrates_them_all():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]
    for role in ROLES:
        assert compose[role]["command"] == [role], role
    assert compose["migrate"]["command"][0] == "migrate"
    assert sorted(compose["migrate"]["command"][1:]) == sorted(
        p.parent.parent.name for p in (ROOT / "services").glob("*/migrations/env.py"))


@pytest.fixture
def fake_python(tmp_path):
    """A `python` on PATH that prints what it was asked to run."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "python"
    fake.write_text('#!/bin/sh\necho "python $*"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return bin_dir


@pytest.mark.parametrize("role", ROLES)
def test_the_image_entry_point_starts_each_service(fake_python, role):
    result = subprocess.run(["sh", str(DEPLOY / "entrypoint.sh"), role], cwd=ROOT,
                            env={"PATH": f"{fake_python}:/usr/bin:/bin"},
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"python -m services.common.run {role}"


def test_the_entry_point_runs_migrations_and_other_commands(fake_python):
    env = {"PATH": f"{fake_python}:/usr/bin:/bin"}
    run = lambda *args: subprocess.run(["sh", str(DEPLOY / "entrypoint.sh"), *args], cwd=ROOT,
                                       env=env, capture_output=True, text=True, timeout=10)
    assert run("migrate", "identity").stdout.strip() == \
        "python -m services.common.migrations identity"
    assert run("common").stdout.strip() == ""  # the kernel is no service: run as a command
    assert run("echo", "hello").stdout.strip() == "hello"


def test_the_image_runs_as_a_user_and_carries_what_the_gateway_serves():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "\nUSER haven\n" in dockerfile
    for copied in ("COPY services ./services", "COPY gateway ./gateway",
                   "COPY docs/asyncapi.json ./docs/asyncapi.json"):
        assert copied in dockerfile
