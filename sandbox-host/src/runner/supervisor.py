# Runs inside the sandbox as its first process. It is started ahead of time (warm pool), may
# warm the runtimes' caches, announces readiness on stderr, waits for exactly one job on stdin,
# lays the files out in /work, spawns the command (which owns stdout/stderr directly) and waits
# for it. When it has exited, every other process is killed and reaped, and a marker carrying
# the host's per-job nonce ends each stream; stderr's carries the exit status. The host answers
# on seeing both, without waiting for the sandbox's own teardown.
import base64, ctypes, json, os, platform, struct, sys

libc = ctypes.CDLL(None, use_errno=True)
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]

# Non-dumpable: the job runs as the same uid and must not read the nonce out of our memory, nor
# ptrace us. (A forged marker could only cut the job's own result short, but it should not be possible.)
PR_SET_DUMPABLE = 4
try:
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
except Exception:
    pass


def forbid_signals_to(pid, pgid):
    # A seccomp filter (inherited by the job and everything it starts) that refuses every way of
    # signalling us: the job runs as our uid, and gVisor does not shield a namespace's init from
    # SIGSTOP, so `kill -STOP 1` would freeze us and turn the job's result into a timeout.
    # kill(-1) stays allowed: it never reaches init. We ourselves never signal our own pid.
    arch, nrs = {
        "x86_64": (0xC000003E, {"kill": 62, "tkill": 200, "tgkill": 234, "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297, "pidfd_open": 434, "ptrace": 101}),
        "aarch64": (0xC00000B7, {"kill": 129, "tkill": 130, "tgkill": 131, "rt_sigqueueinfo": 138, "rt_tgsigqueueinfo": 240, "pidfd_open": 434, "ptrace": 117}),
    }[platform.machine()]
    pidfd_send_signal = 424
    ALLOW, EPERM, ENOSYS = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    LD, JEQ, JGE, RET = 0x20, 0x15, 0x35, 0x06
    targets = [pid & 0xFFFFFFFF] + ([(-pgid) & 0xFFFFFFFF] if pgid not in (pid, 1) else [])
    prog = []  # (code, jt, jf, k); jumps are relative to the next instruction
    prog.append((LD, 0, 0, 4))                      # arch
    prog.append((JEQ, 1, 0, arch))
    prog.append((RET, 0, 0, ENOSYS))                # other ABIs (ia32, ...): nothing of ours runs there
    prog.append((LD, 0, 0, 0))                      # nr
    if arch == 0xC000003E:
        prog.append((JGE, 0, 1, 0x40000000))        # x32 numbers
        prog.append((RET, 0, 0, ENOSYS))
    prog.append((JEQ, 0, 1, pidfd_send_signal))     # a pidfd may come from /proc/<pid>: refuse them all
    prog.append((RET, 0, 0, ENOSYS))
    def check(arg):
        # Compare the low 32 bits of args[arg] (pid_t) with each target.
        body = [(LD, 0, 0, 16 + 8 * arg)]
        for i, t in enumerate(targets):
            body.append((JEQ, len(targets) - i, 0, t))
        body.append((RET, 0, 0, ALLOW))
        body.append((RET, 0, 0, EPERM))
        return body
    first_arg = [nrs[n] for n in ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_open")]
    block0, block1 = check(0), check(1)
    # nr tests: each jumps to block0 (first_arg) or block1 (ptrace's pid is args[1]).
    tests = [(nr, 0) for nr in first_arg] + [(nrs["ptrace"], 1)]
    n = len(tests)
    for i, (nr, which) in enumerate(tests):
        skip_to_block = (n - 1 - i) + 1 + (0 if which == 0 else len(block0))
        prog.append((JEQ, skip_to_block, 0, nr))
    prog.append((RET, 0, 0, ALLOW))
    prog.extend(block0)
    prog.extend(block1)
    raw = b"".join(struct.pack("HBBI", c, jt, jf, k) for c, jt, jf, k in prog)
    buf = ctypes.create_string_buffer(raw, len(raw))
    fprog = struct.pack("HxxxxxxQ", len(prog), ctypes.addressof(buf))
    fbuf = ctypes.create_string_buffer(fprog, len(fprog))
    PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fbuf), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_SECCOMP")


# Before anything else runs here; failing to protect ourselves is fatal (the sandbox fails to start, loudly).
forbid_signals_to(os.getpid(), os.getpgrp())


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
nonce = job["nonce"].encode()
layout_error = None
for f in job["files"]:
    try:
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
    except OSError as e:
        # One clear line, never a traceback of ours in the job's stderr.
        layout_error = "sandbox: cannot write file %r: %s\n" % (f["path"], e.strerror)
        break
argv = job["argv"]
env = job["env"]
del job

os.chdir(root)
# posix_spawnp searches the PATH of our own environment, not the one it is given.
os.environ["PATH"] = env.get("PATH", os.environ.get("PATH", "/usr/bin:/bin"))
# posix_spawn, not fork: it clones without copying this address space, which under gVisor-ptrace
# costs about as much as a plain exec, while a fork costs a whole new address-space stub.
# setsid: the job cannot join our process group (and so reach us with kill(0) or killpg).
pid = None
if layout_error is not None:
    os.write(2, layout_error.encode())
    status = "exit 126"
else:
    try:
        pid = os.posix_spawnp(argv[0], argv, env, setsid=True)
    except OSError as e:
        os.write(2, ("sandbox: cannot execute %s: %s\n" % (argv[0], e.strerror)).encode())
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
