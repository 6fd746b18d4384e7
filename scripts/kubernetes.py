"""Writes deploy/kubernetes/haven.yaml: Haven on Kubernetes, one Deployment per service
and for the gateway, from the list of services in this checkout (so a new service is
deployed the moment it exists; a test checks the file is current and matches the code).

    python -m scripts.kubernetes [--check]

deploy/kubernetes/README.md says how to apply it and what it leaves to the cluster
(RabbitMQ as a cluster with quorum queues, a managed PostgreSQL, TLS at the ingress).
"""
import sys

import yaml

from scripts.event_catalog import ROOT

TARGET = ROOT / "deploy" / "kubernetes" / "haven.yaml"
NAMESPACE = "haven"
IMAGE = "haven:latest"
HTTP_PORT = 8000
METRICS_PORT = 9100
# CPU-heavy or busy parts scale on CPU; the others run two replicas for availability.
AUTOSCALED = {"gateway": (2, 10), "identity": (2, 6), "charts": (2, 6)}
# requests and limits per process (measured under `make bench`: a service idles near
# 60-90 MiB; argon2id hashing gives identity 64 MiB per concurrent hash)
RESOURCES = {
    "default": {"requests": {"cpu": "100m", "memory": "128Mi"},
                "limits": {"memory": "384Mi"}},
    "identity": {"requests": {"cpu": "250m", "memory": "256Mi"},
                 "limits": {"memory": "512Mi"}},
    "gateway": {"requests": {"cpu": "250m", "memory": "192Mi"},
                "limits": {"memory": "512Mi"}},
}

# Settings every process reads; values that are secrets come from the Secret.
CONFIG = {
    "HAVEN_PUBLIC_URL": "https://portal.example.org",
    "HAVEN_PORTAL_BASE_DOMAIN": "",
    "HAVEN_BLOB_STORE": "s3",
    "HAVEN_S3_BUCKET": "haven-blobs",
    "HAVEN_S3_ENDPOINT_URL": "",
    "HAVEN_S3_REGION": "",
    "SMTP_HOST": "smtp.example.org",
    "SMTP_PORT": "587",
    "SMTP_STARTTLS": "1",
    "SMTP_FROM": "Haven <no-reply@example.org>",
    "HAVEN_LOG_LEVEL": "INFO",
    "HAVEN_METRICS_ADDRESS": f"0.0.0.0:{METRICS_PORT}",
    "HAVEN_VAR_DIR": "/var/lib/haven",
}
# Least privilege: each process gets the secrets it uses, and only its own database.
BLOBS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
# empty or absent: card payment is off
STRIPE = ("HAVEN_STRIPE_SECRET_KEY", "HAVEN_STRIPE_PUBLISHABLE_KEY", "HAVEN_STRIPE_WEBHOOK_SECRET")
SECRETS_OF = {
    "identity": ("HAVEN_TOKEN_SECRET", "HAVEN_DATA_KEY", *BLOBS),   # tokens, TOTP, logos
    "gateway": ("HAVEN_TOKEN_SECRET", *BLOBS),                      # verifies tokens, streams files
    "charts": BLOBS,
    "notify": ("SMTP_USERNAME", "SMTP_PASSWORD"),
    "billing": STRIPE,                                              # card payments
    "migrate": ("HAVEN_DATA_KEY",),                                 # identity 0006 encrypts
}
OPTIONAL = frozenset(("SMTP_USERNAME", "SMTP_PASSWORD", *BLOBS, *STRIPE))


def services():
    return sorted(p.name for p in (ROOT / "services").iterdir()
                  if (p / "service.py").exists() and p.name != "common")


def secret_env(role, service_names):
    databases = (service_names if role == "migrate"
                 else [role] if role in service_names else [])
    keys = (["AMQP_URI"] + [f"{name.upper()}_DATABASE_URL" for name in databases]
            + list(SECRETS_OF.get(role, ())))
    return [{"name": key, "valueFrom": {"secretKeyRef": {
        "name": "haven-secrets", "key": key, "optional": key in OPTIONAL}}} for key in keys]


def http_probe(path, port, period, failures):
    return {"httpGet": {"path": path, "port": port}, "periodSeconds": period,
            "timeoutSeconds": 3, "failureThreshold": failures}


def container(role, service_names):
    ports = [{"name": "metrics", "containerPort": METRICS_PORT}]
    if role == "gateway":
        ports.insert(0, {"name": "http", "containerPort": HTTP_PORT})
        # the gateway answers /readyz only when the broker, every service and its
        # revocation list are there; /healthz is the process itself
        readiness = http_probe("/readyz", "http", 10, 3)
        liveness = http_probe("/healthz", "http", 10, 6)
    else:
        # a service has no HTTP of its own: its exporter answers from the same eventlet
        # hub as its workers, so a blocked hub (STYLE.md, trap 9) fails the probe
        readiness = http_probe("/metrics", "metrics", 10, 3)
        liveness = http_probe("/metrics", "metrics", 20, 3)
    env = [{"name": "HAVEN_HTTP_ADDRESS", "value": f"0.0.0.0:{HTTP_PORT}"}] if role == "gateway" else []
    return {
        "name": role, "image": IMAGE, "args": [role], "ports": ports,
        "envFrom": [{"configMapRef": {"name": "haven-config"}}],
        "env": env + secret_env(role, service_names),
        "readinessProbe": readiness, "livenessProbe": liveness,
        "startupProbe": {**(readiness if role != "gateway" else http_probe("/healthz", "http", 2, 60))},
        "resources": RESOURCES.get(role, RESOURCES["default"]),
        "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False,
                            "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [{"name": "var", "mountPath": "/var/lib/haven"},
                         {"name": "tmp", "mountPath": "/tmp"}],
    }


def pod_spec(containers, restart="Always"):
    return {"restartPolicy": restart, "containers": containers,
            "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "fsGroup": 10001},
            "volumes": [{"name": "var", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}}]}


def meta(name, **extra):
    return {"name": name, "namespace": NAMESPACE, "labels": {"app.kubernetes.io/part-of": "haven",
                                                            "app.kubernetes.io/name": name},
            **extra}


def deployment(role, service_names):
    labels = {"app.kubernetes.io/name": role}
    annotations = {"prometheus.io/scrape": "true", "prometheus.io/port": str(METRICS_PORT),
                   "prometheus.io/path": "/metrics"}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(role),
            "spec": {"replicas": AUTOSCALED.get(role, (2, 2))[0],
                     "selector": {"matchLabels": labels},
                     "strategy": {"type": "RollingUpdate",
                                  "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
                     "template": {"metadata": {"labels": {**labels, "app.kubernetes.io/part-of": "haven"},
                                               "annotations": annotations},
                                  "spec": {**pod_spec([container(role, service_names)]),
                                           "terminationGracePeriodSeconds": 30}}}}


def autoscaler(role):
    low, high = AUTOSCALED[role]
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": meta(role),
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": role},
                     "minReplicas": low, "maxReplicas": high,
                     "metrics": [{"type": "Resource", "resource": {
                         "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]}}


def documents():
    names = services()
    migrate = container("migrate", names)
    migrate.update(args=["migrate", *names])
    migrate.pop("ports")
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        migrate.pop(probe)
    docs = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("haven-config"), "data": CONFIG},
        # Migrations: a Job per release, applied before the Deployments roll (never at
        # every replica's start). Re-create it with each new image.
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta("haven-migrate"),
         "spec": {"backoffLimit": 3, "ttlSecondsAfterFinished": 86400,
                  "template": {"metadata": {"labels": {"app.kubernetes.io/name": "haven-migrate"}},
                               "spec": pod_spec([migrate], restart="Never")}}},
    ]
    docs += [deployment(role, names) for role in names + ["gateway"]]
    docs.append({"apiVersion": "v1", "kind": "Service", "metadata": meta("gateway"),
                 "spec": {"selector": {"app.kubernetes.io/name": "gateway"},
                          "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}})
    docs += [autoscaler(role) for role in sorted(AUTOSCALED)]
    docs += [{"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta(role),
              "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": role}}}}
             for role in names + ["gateway"]]
    return docs


class _NoAliases(yaml.SafeDumper):
    """Shared dicts (the resources) written out in full: a reader sees each manifest whole."""

    def ignore_aliases(self, data):
        return True


def render():
    header = ("# Generated by `python -m scripts.kubernetes` from the services in this checkout;\n"
              "# deploy/kubernetes/README.md says how to apply it. Do not edit by hand.\n")
    return header + yaml.dump_all(documents(), Dumper=_NoAliases, sort_keys=False, width=100)


def main(argv):
    text = render()
    if "--check" in argv:
        if (TARGET.read_text() if TARGET.exists() else "") != text:
            print("deploy/kubernetes/haven.yaml is out of date: run python -m scripts.kubernetes")
            return 1
        return 0
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(text)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
