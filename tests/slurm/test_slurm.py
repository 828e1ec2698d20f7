"""A sharded run on a real Slurm cluster of one node (CTest label `slurm`, capped at 4 minutes).

There is no systemd (CI containers, this machine), so the test starts the cluster itself, as
root, in a temporary folder, and stops it at the end: a fresh MUNGE key and munged on a socket of
its own, a minimal slurm.conf (NodeName = `hostname -s`, the node's CPUs and memory as
`slurmd -C` reports them, free ports, no accounting, no cgroups), slurmctld and slurmd in the
foreground. Then the documented recipe, examples/shards/slurm.sh, submits
`sbatch --array=0-(N-1)` of `xalign stages --shard $SLURM_ARRAY_TASK_ID/N --json` and a merge job
with `--dependency=afterok:ARRAY`; the merged JSON, text and exit code must be the one run's. A
shard that fails cancels the merge job and the recipe exits 2.

Skipped (exit 77, a CTest skip) with a message when Slurm and MUNGE are not installed at all, or
when not run as root; it fails, with the daemons' logs, when they are installed but do not work
(a partial installation, a daemon that does not start, a node that never becomes idle, a job that
does not run). scripts/setup-deps.sh installs slurm-wlm and munge, so `make test` as root on a
fresh Debian 12 runs it."""
import json
import os
import shutil
import socket
import subprocess
import sys
import time

import xa_dataset
from xa_testlib import SOURCE_DIR, XALIGN, Checker, run

SKIP = 77
PROGRAMS = ["munged", "munge", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scancel"]
found = {p: shutil.which(p) or next((d + "/" + p for d in ("/usr/sbin", "/sbin") if os.access(d + "/" + p, os.X_OK)), None)
         for p in PROGRAMS}
if not any(found.values()):
    print("SKIP: Slurm and MUNGE are not installed (Debian slurm-wlm and munge; scripts/setup-deps.sh installs them "
          "as root)")
    sys.exit(SKIP)
if os.geteuid() != 0:
    print("SKIP: starting slurmd and munged for a one-node cluster needs root")
    sys.exit(SKIP)
missing = [p for p, path in found.items() if not path]
if missing:
    print(f"FAIL: Slurm/MUNGE installed only in part, missing {missing} (install slurm-wlm and munge)")
    sys.exit(1)

ck = Checker("slurm")
D = ck.dir
os.chmod(D, 0o755)  # munged wants every directory above its socket searchable by all
HOST = socket.gethostname().split(".")[0]  # hostname -s
daemons = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(name, *args):
    log = open(os.path.join(D, f"{name}.out"), "w")
    p = subprocess.Popen([found[name], *args], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    daemons.append((name, p))
    return p


def logs():
    for name in ("munged", "slurmctld", "slurmd"):
        path = os.path.join(D, f"{name}.out")
        if os.path.exists(path):
            print(f"---- {name} (last lines)\n" + "".join(open(path).readlines()[-25:]))


def stop():
    for name, p in reversed(daemons):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    daemons.clear()


def fail(msg):
    print(f"FAIL: {msg}")
    logs()
    stop()
    sys.exit(1)


def wait_for(what, cond, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return
        dead = [n for n, p in daemons if p.poll() is not None]
        if dead:
            fail(f"{', '.join(dead)} exited while waiting for {what}")
        time.sleep(0.5)
    fail(f"no {what} after {seconds} s")


try:
    # ---- MUNGE: a key of our own, munged on our own socket
    key, sock = os.path.join(D, "munge.key"), os.path.join(D, "munge.sock")
    with open(key, "wb") as f:
        f.write(os.urandom(1024))
    os.chmod(key, 0o400)
    start("munged", "--foreground", f"--key-file={key}", f"--socket={sock}", f"--pid-file={D}/munged.pid",
          f"--log-file={D}/munged.log", f"--seed-file={D}/munged.seed")
    wait_for("MUNGE socket", lambda: os.path.exists(sock), 30)
    r = subprocess.run(f"{found['munge']} -S {sock} -n", shell=True, capture_output=True)
    if r.returncode or not r.stdout:
        fail(f"munge cannot encode a credential: {r.stderr!r}")

    # ---- Slurm: slurm.conf, slurmctld, slurmd
    node = subprocess.run([found["slurmd"], "-C"], capture_output=True, text=True).stdout.splitlines()
    if not node or not node[0].startswith(f"NodeName={HOST} "):
        fail(f"slurmd -C: {node}")
    for d in ("state", "spool"):
        os.makedirs(os.path.join(D, d))
    conf = os.path.join(D, "slurm.conf")
    with open(conf, "w") as f:
        f.write(f"""ClusterName=xalign-test
SlurmctldHost={HOST}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={sock}
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
StateSaveLocation={D}/state
SlurmdSpoolDir={D}/spool
SlurmctldPidFile={D}/slurmctld.pid
SlurmdPidFile={D}/slurmd.pid
SlurmctldLogFile={D}/slurmctld.log
SlurmdLogFile={D}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MinJobAge=300
{node[0]} NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=xalign Nodes={HOST} Default=YES MaxTime=INFINITE State=UP
""")
    os.environ["SLURM_CONF"] = conf  # the clients (sbatch, squeue) and the jobs read it
    start("slurmctld", "-D", "-c", "-f", conf)
    start("slurmd", "-D", "-f", conf)

    def idle():
        r = subprocess.run([found["sinfo"], "-h", "-N", "-o", "%t"], capture_output=True, text=True)
        return r.returncode == 0 and r.stdout.strip() == "idle"
    wait_for(f"idle node {HOST} in sinfo", idle, 90)

    # ---- the recipe: a job array of shards and a dependent merge job
    root = os.path.join(D, "ds")
    ref, port, names, bad = xa_dataset.make(root, 6)
    rc1, one_json, _ = run("stages", ref, port, "--json", "--no-diagnose")
    rct, one_text, _ = run("stages", ref, port, "--no-diagnose")
    script = os.path.join(SOURCE_DIR, "examples", "shards", "slurm.sh")
    env = dict(os.environ, XALIGN=XALIGN, XALIGN_WAIT="1")
    out_dir = os.path.join(D, "out")
    try:
        p = subprocess.run(["sh", script, ref, port, "3", out_dir, "--no-diagnose"], capture_output=True, text=True,
                           env=env, cwd=D, timeout=150)
    except subprocess.TimeoutExpired:
        subprocess.run([found["squeue"]])
        subprocess.run([found["scancel"], "--user=root"])
        fail("the job array and the merge job did not finish in 150 s")
    merge_id, _, text = p.stdout.partition("\n")
    merged = open(os.path.join(out_dir, "dataset.json")).read() if os.path.exists(os.path.join(out_dir, "dataset.json")) else ""
    ck.check(merge_id.isdigit() and p.returncode == rc1 == 1, f"slurm.sh: rc {p.returncode} (one run {rc1}), stdout "
             f"{p.stdout[:200]!r}, stderr {p.stderr[-500:]!r}")
    ck.check(merged == one_json, f"the merged JSON is the one run's: {merged[:200]!r}")
    ck.check(one_text in text, f"merge.log holds the one run's text:\n{text}")
    parts = sorted(f for f in os.listdir(out_dir) if f.startswith("part-"))
    ck.check(parts == ["part-0.json", "part-1.json", "part-2.json"] and
             all(json.load(open(os.path.join(out_dir, f)))["run"]["shard"] == {"k": k, "n": 3} for k, f in enumerate(parts)),
             f"one part per array task: {parts}")
    # a shard that fails: the merge job is cancelled, the recipe exits 2
    bad_dir = os.path.join(D, "out-bad")
    p = subprocess.run(["sh", script, ref, port, "2", bad_dir, "--bogus"], capture_output=True, text=True, env=env,
                       cwd=D, timeout=150)
    ck.check(p.returncode == 2 and "ended without a merge: a shard failed" in p.stderr and
             not os.path.exists(os.path.join(bad_dir, "dataset.json")) and
             "unknown option '--bogus'" in open(os.path.join(bad_dir, "shard-0.log")).read(),
             f"a failing shard: rc {p.returncode}, {p.stderr!r}")
    wait_for("an empty queue", lambda: not subprocess.run([found["squeue"], "-h"], capture_output=True, text=True).stdout, 60)
    if ck.failed:
        logs()
finally:
    stop()
ck.done()
