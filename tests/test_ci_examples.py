"""The CI examples cannot rot: their shell steps are replayed against the emulator.

Each `run:` step of the GitHub workflow (and each script line of the GitLab
pipeline) runs as written, in order, under bash, with the secrets and the API URL
pointing at an emulator served on 127.0.0.1. Steps that are `uses:` actions
(checkout, artifacts, comments) are GitHub's own; the test does what they would
do where the shell steps rely on it (the plan artifact travels to the apply job).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bytestack_sync.api.client import Client
from bytestack_sync.emulator.server import EmulatorServer

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / "examples" / "ci" / "github-actions.yml"
GITLAB = ROOT / "examples" / "ci" / "gitlab-ci.yml"
CANARY_KEY = "canary-key-7f3e9a1c"
CANARY_HOOK = "https://hooks.example.com/canary-5b2d8e"
SECRET_REF = re.compile(r"^\$\{\{ secrets\.([A-Z_]+) \}\}$")

MANIFEST = """\
version: 1
jobs:
  - name: Daily Acme mentions
    prompt: How many times was Acme mentioned on X today?
    sources: [x, reddit]
    schedule: "0 8 * * 1-5"
    webhook_url: ${secret:ALERTS_HOOK}
  - name: Weekly digest
    prompt: Summarise the week's Acme threads.
    sources: [reddit]
    schedule: "@weekly"
webhooks:
  - url: https://hooks.example.com/bytestack
"""


def _checkout(tmp_path: Path, name: str) -> Path:
    repo = tmp_path / name
    (repo / "bytestack").mkdir(parents=True)
    (repo / "bytestack" / "jobs.yaml").write_text(MANIFEST, encoding="utf-8")
    return repo


def _base_env(server: EmulatorServer, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BITKIT_", "BYTESTACK_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PIP_NO_INDEX"] = "1"  # the tool is already installed: pip must find it satisfied
    env["BYTESTACK_API_URL"] = server.url
    env["ALERTS_HOOK"] = CANARY_HOOK
    env["BITKIT_API_KEY"] = CANARY_KEY
    env["GITHUB_STEP_SUMMARY"] = str(tmp_path / "summary.md")
    env["GITHUB_OUTPUT"] = str(tmp_path / "output.txt")
    return env


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _step_env(step: dict[str, Any], secrets: dict[str, str]) -> dict[str, str]:
    env: dict[str, str] = {}
    for name, value in (step.get("env") or {}).items():
        match = SECRET_REF.match(str(value))
        assert match, f"step env {name} must be a secret reference, got {value!r}"
        env[name] = secrets[match.group(1)]
    return env


def _run_github_job(
    workflow: dict[str, Any], job: str, cwd: Path, env: dict[str, str]
) -> list[subprocess.CompletedProcess[str]]:
    secrets = {"BITKIT_API_KEY": CANARY_KEY, "ALERTS_HOOK": CANARY_HOOK}
    spec = workflow["jobs"][job]
    job_env = {**env, **{k: str(v) for k, v in workflow["env"].items()}}
    job_env.update(_step_env(spec, secrets))
    job_env["GITHUB_ACTIONS"] = "true"
    results = []
    for step in spec["steps"]:
        if "run" not in step:
            continue
        assert "${{" not in step["run"], f"{job}/{step.get('name')}: expressions in a script"
        result = _bash(step["run"], cwd, {**job_env, **_step_env(step, secrets)})
        results.append(result)
        assert result.returncode == 0, f"{job}/{step.get('name')}:\n{result.stdout}{result.stderr}"
    return results


def _assert_no_canary(*texts: str) -> None:
    for text in texts:
        assert CANARY_KEY not in text
        assert CANARY_HOOK not in text


@pytest.fixture
def server() -> Any:
    from bytestack_sync.emulator.app import create_app

    with EmulatorServer(create_app(), host="127.0.0.1", port=0) as served:
        yield served


def test_github_workflow_plan_apply_and_drift(server: EmulatorServer, tmp_path: Path) -> None:
    workflow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    env = _base_env(server, tmp_path)
    pr = _checkout(tmp_path, "pr")
    outputs = _run_github_job(workflow, "plan", pr, env)
    plan_md = (pr / "plan.md").read_text(encoding="utf-8")
    assert plan_md.startswith("<!-- bytestack-sync plan -->")
    assert "3 to create" in plan_md or "| create | 3" in plan_md
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert plan_md in summary
    plan_file = (pr / "plan.json").read_text(encoding="utf-8")
    _assert_no_canary(plan_file, plan_md, summary, *(r.stdout + r.stderr for r in outputs))

    # download-artifact puts the reviewed plan into the apply job's checkout.
    main = _checkout(tmp_path, "main")
    shutil.copy(pr / "plan.json", main / "plan.json")
    outputs = _run_github_job(workflow, "apply", main, env)
    _assert_no_canary(*(r.stdout + r.stderr for r in outputs))
    with Client(server.url, CANARY_KEY) as client:
        live = {j.name: j for j in client.jobs.list()}
    assert sorted(live) == ["Daily Acme mentions", "Weekly digest"]
    assert live["Daily Acme mentions"].webhook_url == CANARY_HOOK

    drift_dir = _checkout(tmp_path, "drift")
    _run_github_job(workflow, "drift", drift_dir, env)
    assert "exitcode=0" in Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8")

    with Client(server.url, CANARY_KEY) as client:
        client.jobs.update(live["Weekly digest"].id, {"status": "paused"})
    Path(env["GITHUB_OUTPUT"]).write_text("", encoding="utf-8")
    _run_github_job(workflow, "drift", drift_dir, env)
    assert "exitcode=2" in Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8")
    assert "Weekly digest" in (drift_dir / "drift.md").read_text(encoding="utf-8")


def test_github_apply_of_a_stale_plan_fails_with_exit_4(
    server: EmulatorServer, tmp_path: Path
) -> None:
    workflow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    env = _base_env(server, tmp_path)
    pr = _checkout(tmp_path, "pr")
    _run_github_job(workflow, "plan", pr, env)
    with Client(server.url, CANARY_KEY) as client:  # someone creates it by hand meanwhile
        client.jobs.create(
            name="Weekly digest", prompt="other", sources=["x"], schedule="0 1 * * *"
        )
    step = next(
        s for s in workflow["jobs"]["apply"]["steps"] if s.get("name", "").startswith("Apply")
    )
    run_env = {**env, **{k: str(v) for k, v in workflow["env"].items()}}
    result = _bash(step["run"], pr, run_env)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "Weekly digest" in result.stderr
    _assert_no_canary(result.stdout, result.stderr)


def _gitlab_job_lines(pipeline: dict[str, Any], job: str) -> list[str]:
    before = pipeline.get("default", {}).get("before_script", [])
    spec = pipeline[job]
    return [*spec.get("before_script", before), *spec["script"], *spec.get("after_script", [])]


def test_gitlab_pipeline_stages(server: EmulatorServer, tmp_path: Path) -> None:
    pipeline = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    env = {**_base_env(server, tmp_path), **{k: str(v) for k, v in pipeline["variables"].items()}}
    repo = _checkout(tmp_path, "repo")
    for job in ("validate", "plan", "apply"):
        for line in _gitlab_job_lines(pipeline, job):
            result = _bash(line, repo, env)
            assert result.returncode == 0, f"{job}: {line}\n{result.stdout}{result.stderr}"
            _assert_no_canary(result.stdout, result.stderr)
    assert (repo / "plan.md").read_text(encoding="utf-8").startswith("<!-- bytestack-sync plan -->")
    drift = [_bash(line, repo, env) for line in _gitlab_job_lines(pipeline, "drift")]
    assert [r.returncode for r in drift] == [0] * len(drift)
    with Client(server.url, CANARY_KEY) as client:
        job = next(j for j in client.jobs.list() if j.name == "Weekly digest")
        client.jobs.delete(job.id)
    *_, last = [_bash(line, repo, env) for line in _gitlab_job_lines(pipeline, "drift")]
    assert last.returncode == 2, last.stdout + last.stderr
