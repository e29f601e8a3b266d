# Runs inside the sandbox as its first process. It is started ahead of time (warm pool), may
# warm the runtimes' caches, announces readiness on stderr, waits for exactly one job on stdin,
# lays the files out in /work, spawns the command (which owns stdout/stderr directly) and waits
# for it. When it has exited, every other process is killed and reaped, and a marker carrying
# the host's per-job nonce ends each stream; stderr's carries the exit status. The host answers
# on seeing both, without waiting for the sandbox's own teardown.
import base64, ctypes, json, os, sys

# Non-dumpable: the job runs as the same uid and must not read the nonce out of our memory.
# (A forged marker could only cut the job's own result short, but it should not be possible.)
PR_SET_DUMPABLE = 4
try:
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
except Exception:
    pass


def prewarm():
    # Pool sandboxes only: run each runtime once so the sentry has its files, dentries and pages
    # cached before the job comes (measured: python3 about a third faster). Trusted commands, run
    # before any job and gone before it starts; they write nothing.
    dirs = os.environ.get("PATH", "").split(":")
    null = os.open("/dev/null", os.O_RDWR)
    for name, args in (("python3", ["-c", "pass"]), ("node", ["-e", "0"])):
        exe = next((os.path.join(d, name) for d in dirs if d and os.access(os.path.join(d, name), os.X_OK)), None)
        if exe is None:
            continue
        try:
            pid = os.posix_spawn(exe, [exe] + args, {"PATH": os.environ.get("PATH", "")}, file_actions=[(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)])
            os.waitpid(pid, 0)
        except OSError:
            pass
    os.close(null)


if os.environ.get("PXSB_PREWARM") == "1":
    prewarm()

READY = b"\x00PXSB-READY\n"
os.write(2, READY)

buf = bytearray()
while not buf.endswith(b"\n"):
    chunk = os.read(0, 1 << 20)
    if not chunk:
        sys.exit(0)
    buf += chunk
job = json.loads(bytes(buf))
del buf

root = "/work"
for f in job["files"]:
    parts = f["path"].split("/")
    d = root
    for part in parts[:-1]:
        d = os.path.join(d, part)
        try:
            os.mkdir(d, 0o755)
        except FileExistsError:
            pass
    target = os.path.join(root, *parts)
    # O_NOFOLLOW|O_EXCL: a path the host let through still cannot land on a link.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o755 if f.get("executable") else 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(base64.b64decode(f["content"]))
nonce = job["nonce"].encode()
argv = job["argv"]
env = job["env"]
del job

os.chdir(root)
# posix_spawnp searches the PATH of our own environment, not the one it is given.
os.environ["PATH"] = env.get("PATH", os.environ.get("PATH", "/usr/bin:/bin"))
# posix_spawn, not fork: it clones without copying this address space, which under gVisor-ptrace
# costs about as much as a plain exec, while a fork costs a whole new address-space stub.
try:
    pid = os.posix_spawnp(argv[0], argv, env)
except OSError as e:
    os.write(2, ("sandbox: cannot execute %s: %s\n" % (argv[0], e.strerror)).encode())
    pid = None
    status = "exit 127"
if pid is not None:
    while True:
        try:
            _, st = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    status = "signal %d" % os.WTERMSIG(st) if os.WIFSIGNALED(st) else "exit %d" % os.WEXITSTATUS(st)

# Nothing may write after the markers: kill everything the job left (we are init, so orphans
# are ours to reap) until no child remains.
while True:
    try:
        os.kill(-1, 9)
    except OSError:
        pass
    try:
        os.waitpid(-1, 0)
    except ChildProcessError:
        break
    except InterruptedError:
        pass

os.write(1, b"\x00PXSB:" + nonce + b":end\n")
os.write(2, b"\x00PXSB:" + nonce + b":" + status.encode() + b"\n")
os._exit(0)
