"""Do the deployment files in autograder/deploy/ load with the pinned JupyterHub and nbgrader,
agree with each other, name only options and paths that exist, and start the class grader with
the share each Kubernetes pod or SLURM task should grade?

What cannot run here (a hub, a cluster, a container build) is listed as untested in
autograder/deploy/README.md; these tests check everything short of that."""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tdnn import paths
from tdnn.grade import shards

DEPLOY = paths.ROOT / "autograder" / "deploy"
#: Where every deployment puts the instructor's kit (a clone of this repository).
COURSE = "/srv/course"


def _deploy_files() -> list[Path]:
    return sorted(p for p in DEPLOY.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _nbgrader_settings() -> dict:
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(DEPLOY)).load_config()


def _hub(path: Path):
    from jupyterhub.app import JupyterHub

    app = JupyterHub()
    app.load_config_file(str(path))
    return app


def _check_roles(roles: list[dict], groups: set[str], services: set[str]) -> None:
    """Every scope is one JupyterHub knows; every group and service a role names is defined."""
    from jupyterhub.scopes import _check_scopes_exist

    for role in roles:
        _check_scopes_exist(role["scopes"])  # raises on a misspelt scope
        assert set(role.get("groups", [])) <= groups, (role["name"], groups)
        assert set(role.get("services", [])) <= services, (role["name"], services)
        for scope in role["scopes"]:
            name = scope.partition("!service=")[2]
            assert not name or name in services, f"role {role['name']} opens unknown {name}"


def _service_keys() -> set[str]:
    from jupyterhub.services.service import Service

    return set(Service.class_trait_names())


def _manifests(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def test_every_path_a_deploy_file_names_exists():
    """Each path into the course's kit (/srv/course/...) and each deploy file a command names
    (autograder/deploy/...) resolves in this repository."""
    named = 0
    for path in _deploy_files():
        text = path.read_text()
        for rel in re.findall(rf"{COURSE}/([\w./-]*\w)", text):
            named += 1
            assert (paths.ROOT / rel).exists(), f"{path.name} names {COURSE}/{rel}: not in the kit"
        for rel in re.findall(r"(autograder/deploy/[\w./-]*\w)", text):
            named += 1
            assert (paths.ROOT / rel).exists(), f"{path.name} names {rel}, which does not exist"
    assert named >= 10


def test_the_hub_wide_nbgrader_config_sets_only_real_options():
    """Does each option of deploy/nbgrader_config.py exist in nbgrader 0.9.6, under the class
    name it is set on (a misspelt option is silently ignored by traitlets)?"""
    import nbgrader.exchange.default as default_exchange
    from nbgrader.apps import NbGraderApp

    # The apps' classes and the exchange nbgrader uses (its default one), with their bases: a
    # section applies to every class of that name in a configurable's MRO.
    classes = [*NbGraderApp().all_configurable_classes(),
               *(c for c in vars(default_exchange).values() if isinstance(c, type))]
    config = _nbgrader_settings()
    assert config.Exchange.root.startswith("/")
    for section, options in config.items():
        owners = {k for c in classes for k in c.mro() if k.__name__ == section
                  and hasattr(k, "class_trait_names")}
        assert owners, f"nbgrader has no configurable class {section}"
        for option in options:
            assert any(option in c.class_trait_names(config=True) for c in owners), \
                f"{section}.{option} is no nbgrader option"


def test_students_and_the_course_meet_in_one_exchange():
    """The hub-wide config and the course's own (which the formgrader and the grader account
    read after it, so it wins) name the same exchange folder, or the course's names none."""
    from traitlets.config.loader import PyFileConfigLoader

    course = PyFileConfigLoader("nbgrader_config.py", path=str(paths.AUTOGRADER)).load_config()
    hub_wide = _nbgrader_settings().Exchange.root
    assert course.Exchange.get("root", hub_wide) == hub_wide


def test_the_tljh_config_loads_with_the_pinned_jupyterhub():
    """JupyterHub's own loader reads tljh/jupyterhub_config.py; its services use only keys a
    JupyterHub service has, its roles only existing scopes, groups and services; the formgrader
    runs in the kit's autograder/ folder with the kit's venv."""
    app = _hub(DEPLOY / "tljh" / "jupyterhub_config.py")
    services = {s["name"]: s for s in app.services}
    for spec in services.values():
        assert set(spec) <= _service_keys(), set(spec) - _service_keys()
    _check_roles(app.load_roles, set(app.load_groups), set(services))
    formgrader = services["tdnn"]
    assert formgrader["cwd"] == f"{COURSE}/autograder"
    assert formgrader["environment"]["PATH"].startswith(f"{COURSE}/.venv/bin:")
    course_id = re.search(r'course_id = "([^"]+)"',
                          (paths.AUTOGRADER / "nbgrader_config.py").read_text())[1]
    assert {f"formgrade-{course_id}", f"nbgrader-{course_id}"} <= set(app.load_groups)


def test_the_z2jh_values_agree_with_the_hub_and_the_exchange():
    """config.yaml uses chart keys, JupyterHub scopes and service keys; its extraConfig is Python
    that defines the groups its roles name; the exchange volume is mounted where
    nbgrader_config.py puts the exchange, from the claim the volumes file makes."""
    values = yaml.safe_load((DEPLOY / "z2jh" / "config.yaml").read_text())
    # Top-level keys of the Zero to JupyterHub chart 4.x (its values.schema.yaml).
    chart = {"fullnameOverride", "nameOverride", "enabled", "imagePullSecret", "imagePullSecrets",
             "hub", "proxy", "singleuser", "scheduling", "prePuller", "ingress", "cull", "debug",
             "rbac", "global", "custom"}
    assert set(values) <= chart
    hub, single = values["hub"], values["singleuser"]
    services = hub["services"]
    for spec in services.values():
        keys = {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower() for k in spec}  # apiToken: api_token
        assert keys <= _service_keys(), keys - _service_keys()
    namespace = {"c": type("C", (), {"JupyterHub": type("J", (), {})()})()}
    for snippet in hub["extraConfig"].values():
        exec(compile(snippet, "extraConfig", "exec"), namespace)
    groups = set(namespace["c"].JupyterHub.load_groups)
    _check_roles([{"name": n, **r} for n, r in hub["loadRoles"].items()], groups, set(services))
    assert single["extraFiles"]["nbgrader-config"]["mountPath"] == "/etc/jupyter/nbgrader_config.py"
    mounts = {m["name"]: m["mountPath"] for m in single["storage"]["extraVolumeMounts"]}
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"]
              for v in single["storage"]["extraVolumes"]}
    assert mounts["nbgrader-exchange"] == _nbgrader_settings().Exchange.root
    made = {d["metadata"]["name"] for d in _manifests(DEPLOY / "z2jh" / "volumes.yaml")
            if d["kind"] == "PersistentVolumeClaim"}
    assert claims["nbgrader-exchange"] in made


def test_every_kubernetes_manifest_is_well_formed_and_its_claims_exist():
    """Each document has apiVersion, kind, name and namespace; each volume claim a pod mounts is
    made by volumes.yaml; the formgrader's service name is the hub's service URL host."""
    made = {d["metadata"]["name"] for d in _manifests(DEPLOY / "z2jh" / "volumes.yaml")}
    docs = [d for p in [*DEPLOY.glob("k8s/*.yaml"), DEPLOY / "z2jh" / "volumes.yaml"]
            for d in _manifests(p)]
    assert {d["kind"] for d in docs} >= {"Job", "Deployment", "Service", "PersistentVolumeClaim"}
    for doc in docs:
        assert doc["apiVersion"] and doc["metadata"]["name"] and doc["metadata"]["namespace"]
        pod = doc.get("spec", {}).get("template", {}).get("spec", {})
        for volume in pod.get("volumes", []):
            claim = volume.get("persistentVolumeClaim", {}).get("claimName")
            assert claim is None or claim in made, f"{doc['metadata']['name']} mounts {claim}"
    values = yaml.safe_load((DEPLOY / "z2jh" / "config.yaml").read_text())
    host = re.match(r"http://([\w-]+):", values["hub"]["services"]["tdnn"]["url"])[1]
    assert host in {d["metadata"]["name"] for d in docs if d["kind"] == "Service"}


def _grader_args(argv: list[str]):
    """The class grader's own parser on a command a manifest runs (``python -m tdnn.grade ...``)."""
    from tdnn.grade.__main__ import parse_args

    at = argv.index("tdnn.grade")
    return parse_args(argv[at + 1:])


def test_the_indexed_job_gives_each_pod_its_share():
    """Pod i of the Indexed Job runs the grader with --shard i/N, N being completions (and
    parallelism), in the kit, with the gradebook URL from the environment."""
    job, = [d for d in _manifests(DEPLOY / "k8s" / "grade-job.yaml") if d["kind"] == "Job"]
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    n = spec["completions"]
    assert spec["parallelism"] == n
    container, = spec["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert "TDNN_GRADEBOOK_URL" in env
    assert container["command"] == ["/bin/sh", "-c"]
    for index in range(n):  # what the pod's shell runs: Kubernetes sets JOB_COMPLETION_INDEX
        shell_env = {**{k: v for k, v in env.items() if v is not None},
                     "JOB_COMPLETION_INDEX": str(index), "PATH": os.environ["PATH"]}
        echoed = subprocess.run(["/bin/sh", "-c", container["args"][0].replace("exec ", "echo ", 1)],
                                env=shell_env, capture_output=True, text=True, check=True).stdout
        args = _grader_args(shlex.split(echoed))
        assert args.shard == shards.Shard(index, n)
        assert args.assignment == env["ASSIGNMENT"]
        assert args.autograder == Path(f"{COURSE}/autograder")


def test_the_slurm_array_gives_each_task_its_share(tmp_path):
    """The SLURM script passes bash -n, and task i of the array (--array=0-K) runs the grader
    with --shard i/(K+1), in the kit, with the gradebook URL it was given; the script really
    runs, up to the grader's interpreter (a stand-in that records its arguments)."""
    script = DEPLOY / "slurm" / "grade-array.sh"
    subprocess.run(["bash", "-n", str(script)], check=True)
    first, last = map(int, re.search(r"^#SBATCH --array=(\d+)-(\d+)$", script.read_text(),
                                     re.M).groups())
    assert first == 0
    course = tmp_path / "course"
    (course / ".venv" / "bin").mkdir(parents=True)
    stand_in = course / ".venv" / "bin" / "python"
    stand_in.write_text(f"#!{sys.executable}\nimport json, os, sys\n"
                        "print(json.dumps([sys.argv[1:], os.environ['TDNN_GRADEBOOK_URL']]))\n")
    stand_in.chmod(0o755)
    for index in (first, last):
        env = {"PATH": os.environ["PATH"], "COURSE": str(course), "ASSIGNMENT": "batch_norm",
               "TDNN_GRADEBOOK_URL": "postgresql+psycopg://grader@db/course",
               "SLURM_ARRAY_TASK_ID": str(index), "SLURM_CPUS_PER_TASK": "8"}
        done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        argv, url = json.loads(done.stdout)
        assert url == env["TDNN_GRADEBOOK_URL"]
        args = _grader_args(["python", "-m", "tdnn.grade", *argv[2:]])
        assert args.shard == shards.Shard(index, last + 1)
        assert args.jobs == 16 and args.assignment == "batch_norm"
    refused = subprocess.run(["bash", str(script)], env={**env, "ASSIGNMENT": ""},
                             capture_output=True, text=True)
    assert refused.returncode != 0 and "ASSIGNMENT" in refused.stderr


def test_the_student_image_copies_what_exists(tmp_path):
    """Every file the Dockerfile copies exists: from the student edition (its build context,
    written here by the real `tdnn.edition`) or from autograder/deploy (--build-context deploy)."""
    from tdnn import edition

    out = edition.build(tmp_path / "student-edition")
    copies = re.findall(r"^COPY\s+(.*)$", (DEPLOY / "image" / "Dockerfile").read_text(), re.M)
    assert len(copies) >= 3
    for line in copies:
        words = line.split()
        context = out
        if words[0].startswith("--from="):
            assert words.pop(0) == "--from=deploy"
            context = DEPLOY
        for source in words[:-1]:
            assert (context / source).exists(), f"COPY {source}: not in {context.name}"
    assert "tdnn/grade" not in {p.relative_to(out).as_posix() for p in out.rglob("*")}
