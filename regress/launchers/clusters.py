"""Cluster settings (regress/clusters.yaml, or --cluster-config FILE) and the checks made before any build:
a bad file, an unknown cluster or key, no submit command on PATH, no such partition / queue, an unreachable
scheduler: each is one ClusterError line naming the fix (`regress run` exits 2)."""
from __future__ import annotations

import re
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from regress.launchers import ClusterError

REPO = Path(__file__).resolve().parents[2]
DEFAULT_FILE = REPO / "regress" / "clusters.yaml"
BATCH = {"slurm": "sbatch", "lsf": "bsub", "pbs": "qsub", "sge": "qsub", "htcondor": "condor_submit"}
KEYS = {"queue", "account", "walltime", "cores", "memory", "max_jobs", "job_extra_directives", "job_script_prologue",
        "interface", "python", "lifetime_margin", "start_timeout", "infra_retries", "log_directory"}
INSTALL = {"slurm": "slurm-client", "lsf": "the LSF client", "pbs": "the PBS/Torque client",
           "sge": "the SGE client", "htcondor": "htcondor"}


@dataclass
class ClusterSpec:
    name: str                       # local, dask-local, slurm, ..., or the tcp:// address
    kind: str                       # local | dask-local | batch | tcp | fake
    source: str                     # the file it came from (for messages)
    settings: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        v = self.settings.get(key)
        return default if v is None else v

    @property
    def retries(self) -> int:
        return int(self.get("infra_retries", 1))

    @property
    def start_timeout(self) -> float:
        return float(self.get("start_timeout", 300))


def walltime_s(text: str) -> int:
    """HH:MM:SS, HH:MM (LSF) or a number of minutes, in seconds."""
    parts = [int(p) for p in str(text).split(":")]
    if len(parts) == 3:
        return parts[0] * 3600 + parts[1] * 60 + parts[2]
    if len(parts) == 2:
        return parts[0] * 3600 + parts[1] * 60
    return parts[0] * 60


def load(name: str, path: Path | None = None) -> ClusterSpec:
    """The settings of cluster `name` from `path` (default regress/clusters.yaml); raises ClusterError."""
    if name == "local":
        return ClusterSpec("local", "local", "")
    if name == "fake":
        return ClusterSpec("fake", "fake", "")
    file = path or DEFAULT_FILE
    where = _rel(file)
    try:
        doc = yaml.safe_load(file.read_text())
    except OSError as exc:
        raise ClusterError(f"--cluster-config {file}: cannot read it ({exc.strerror}): give an existing file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ClusterError(f"{where}:{line} not valid YAML ({getattr(exc, 'problem', None) or exc}): fix the "
                           f"file") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("clusters", {}), dict):
        raise ClusterError(f"{where}: expected a mapping with `clusters:` (and optional `defaults:`)")
    defaults = _settings(doc.get("defaults") or {}, f"{where}: defaults")
    clusters = doc.get("clusters") or {}
    if name.startswith("tcp://"):
        if not re.fullmatch(r"tcp://[^:/]+:\d+", name):
            raise ClusterError(f"--cluster {name}: expected tcp://HOST:PORT (the address of a running Dask scheduler)")
        return ClusterSpec(name, "tcp", where, defaults)
    if name not in clusters:
        raise ClusterError(f"--cluster {name}: no such cluster in {where} (it has: "
                           f"{', '.join(['local', *clusters]) or 'none'}; or tcp://HOST:PORT): add it there or "
                           f"pick one of those")
    own = _settings(clusters[name] or {}, f"{where}: clusters.{name}")
    if name != "dask-local" and name not in BATCH:
        raise ClusterError(f"{where}: clusters.{name}: unknown kind of cluster (dask-local, "
                           f"{', '.join(BATCH)})")
    spec = ClusterSpec(name, "dask-local" if name == "dask-local" else "batch", where, {**defaults, **own})
    if spec.kind == "batch":
        margin = int(spec.get("lifetime_margin", 600))
        wall = spec.get("walltime", "01:00:00")
        try:
            seconds = walltime_s(wall)
        except ValueError:
            raise ClusterError(f"{where}: clusters.{name}: walltime {wall!r}: expected HH:MM:SS") from None
        if seconds <= margin:
            raise ClusterError(f"{where}: clusters.{name}: walltime {wall} is not above lifetime_margin "
                               f"{margin} s: raise the walltime or lower the margin")
    return spec


def _settings(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ClusterError(f"{where}: expected a mapping of settings")
    bad = sorted(set(raw) - KEYS)
    if bad:
        raise ClusterError(f"{where}: unknown key {bad[0]!r} (keys: {', '.join(sorted(KEYS))})")
    for k in ("cores", "max_jobs", "infra_retries", "start_timeout", "lifetime_margin"):
        v = raw.get(k)
        if v is not None and (not isinstance(v, int | float) or isinstance(v, bool) or v < 0):
            raise ClusterError(f"{where}: {k}: expected a number >= 0, got {v!r}")
    return dict(raw)


def _rel(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(REPO))
    except ValueError:
        return str(p)


def preflight(spec: ClusterSpec) -> None:
    """Check what can be checked before the builds: the Python packages, the submit command, the partition /
    queue, the scheduler's address. Raises ClusterError (one line naming the fix)."""
    if spec.kind in ("local", "fake"):
        return
    import importlib.util
    for mod in ("distributed", *(["dask_jobqueue"] if spec.kind == "batch" else [])):
        if importlib.util.find_spec(mod) is None:
            raise ClusterError(f"--cluster {spec.name}: Python package {mod!r} missing: pip install -e .[dev] "
                               f"(distributed and dask-jobqueue are pinned in pyproject.toml)")
    if spec.kind == "tcp":
        host, port = spec.name[len("tcp://"):].rsplit(":", 1)
        try:
            socket.create_connection((host, int(port)), timeout=5).close()
        except OSError as exc:
            raise ClusterError(f"--cluster {spec.name}: no Dask scheduler answers there ({exc.strerror or exc}): "
                               f"start one (dask scheduler --port {port}) or fix the address") from None
        return
    if spec.kind != "batch":
        return
    submit = BATCH[spec.name]
    if shutil.which(submit) is None:
        raise ClusterError(f"--cluster {spec.name}: {submit} not found on PATH: run regress on a {spec.name} submit "
                           f"host (install {INSTALL[spec.name]}) or use --cluster local")
    queue = spec.get("queue")
    if spec.name == "slurm":
        _slurm_partition(queue, spec.source)
    elif spec.name == "lsf" and queue:
        r = subprocess.run(["bqueues", str(queue)], capture_output=True, text=True, check=False)
        if r.returncode != 0:
            raise ClusterError(f"--cluster lsf: no such queue {queue!r} (bqueues: {' '.join(r.stderr.split())[:120]}):"
                               f" fix clusters.lsf.queue in {spec.source}")


def _slurm_partition(queue: Any, source: str) -> None:
    try:
        r = subprocess.run(["sinfo", "-h", "-o", "%P %a"], capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ClusterError(f"--cluster slurm: sinfo failed ({exc}): is slurmctld up? (ci/slurm_up.sh starts a "
                           f"one-node Slurm here)") from None
    if r.returncode != 0:
        raise ClusterError(f"--cluster slurm: sinfo failed ({' '.join(r.stderr.split())[:160]}): is slurmctld up? "
                           f"(ci/slurm_up.sh starts a one-node Slurm here)")
    parts = {line.split()[0].rstrip("*"): line.split()[1] for line in r.stdout.splitlines() if line.split()}
    if queue and str(queue) not in parts:
        raise ClusterError(f"--cluster slurm: no such partition {queue!r} (sinfo lists: "
                           f"{', '.join(parts) or 'none'}): fix clusters.slurm.queue in {source}")
    if queue and parts[str(queue)] != "up":
        raise ClusterError(f"--cluster slurm: partition {queue!r} is {parts[str(queue)]}: scontrol update "
                           f"partitionname={queue} state=up, or pick another in {source}")


__all__ = ["BATCH", "DEFAULT_FILE", "ClusterSpec", "load", "preflight", "walltime_s"]
