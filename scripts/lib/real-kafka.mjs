// A real Kafka for the tests: Apache Kafka (single KRaft node, jars from Maven Central) and
// Aiven's Karapace REST proxy (the Confluent REST Proxy v2 API, installed into a Python venv),
// both cached under ~/.cache/proximus (PROXIMUS_CACHE_DIR) and started on loopback random ports.
// `node scripts/lib/real-kafka.mjs install|start` for use by hand; tests use installRealKafka/startRealKafka.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync, openSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const KAFKA_VERSION = "4.1.0";
export const KARAPACE_VERSION = "6.2.0";
const LOG4J_VERSION = "2.24.3";
const AVRO_VERSION = "1.12.0";

export const CACHE = process.env.PROXIMUS_CACHE_DIR || path.join(os.homedir(), ".cache", "proximus");
const KAFKA_DIR = path.join(CACHE, `kafka-${KAFKA_VERSION}`);
const KARAPACE_DIR = path.join(CACHE, "karapace");
const KARAPACE_SRC = path.join(KARAPACE_DIR, `src-${KARAPACE_VERSION}`);
const VENV = path.join(KARAPACE_DIR, `venv-${KARAPACE_VERSION}`);
const VENV_PY = path.join(VENV, "bin", "python");

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", ...opts });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-15).join("\n");
    throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status ?? r.signal}):\n${out || r.error?.message || ""}`);
  }
  return r.stdout;
}

/** Kafka's jars and their runtime dependencies, resolved by Maven into the cache (`mvn dependency:copy-dependencies`). */
function installKafka(log) {
  const libs = path.join(KAFKA_DIR, "libs");
  if (existsSync(path.join(KAFKA_DIR, ".complete"))) return libs;
  log(`installing Apache Kafka ${KAFKA_VERSION} from Maven Central into ${KAFKA_DIR}`);
  mkdirSync(KAFKA_DIR, { recursive: true });
  rmSync(libs, { recursive: true, force: true });
  const dep = (g, a, v) => `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  writeFileSync(
    path.join(KAFKA_DIR, "pom.xml"),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>proximus.test</groupId><artifactId>real-kafka</artifactId><version>1</version><dependencies>
${dep("org.apache.kafka", "kafka_2.13", KAFKA_VERSION)}
${dep("org.apache.logging.log4j", "log4j-slf4j-impl", LOG4J_VERSION)}
${dep("org.apache.logging.log4j", "log4j-core", LOG4J_VERSION)}
</dependencies></project>\n`,
  );
  const repo = `-Dmaven.repo.local=${path.join(CACHE, "m2")}`;
  sh("mvn", ["-q", "-B", repo, "dependency:copy-dependencies", "-DoutputDirectory=libs", "-DincludeScope=runtime"], { cwd: KAFKA_DIR });
  const log4j = [
    "rootLogger.level = WARN",
    "rootLogger.appenderRef.out.ref = OUT",
    "appender.out.type = Console",
    "appender.out.name = OUT",
    "appender.out.layout.type = PatternLayout",
    "appender.out.layout.pattern = [kafka] %p %c{1}: %m%n",
  ];
  writeFileSync(path.join(KAFKA_DIR, "log4j2.properties"), `${log4j.join("\n")}\n`);
  writeFileSync(path.join(KAFKA_DIR, ".complete"), `${new Date().toISOString()}\n`);
  return libs;
}

/** The first Python ≥ 3.12 found (Karapace 6 needs it): KARAPACE_PYTHON, python3.13/3.12 on PATH, or a pyenv version. */
function findPython() {
  const candidates = [process.env.KARAPACE_PYTHON, "python3.13", "python3.12", "python3"];
  const pyenv = path.join(os.homedir(), ".pyenv", "versions");
  if (existsSync(pyenv)) for (const v of readdirSync(pyenv).sort().reverse()) candidates.push(path.join(pyenv, v, "bin", "python3"));
  for (const c of candidates.filter(Boolean)) {
    const r = spawnSync(c, ["-c", "import sys; print(sys.version_info >= (3, 12) and sys.version_info < (3, 15))"], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim() === "True") return c;
  }
  throw new Error("Karapace needs Python 3.12–3.14; set KARAPACE_PYTHON");
}

/**
 * Karapace's source: not on PyPI, so a release tarball from GitHub (or KARAPACE_SOURCE, a directory or
 * .tar.gz of the ${KARAPACE_VERSION} tag) unpacked into the cache.
 */
async function karapaceSource(log) {
  if (existsSync(path.join(KARAPACE_SRC, "pyproject.toml"))) return;
  mkdirSync(KARAPACE_DIR, { recursive: true });
  const given = process.env.KARAPACE_SOURCE;
  if (given && !given.endsWith(".tar.gz")) {
    cpSync(given, KARAPACE_SRC, { recursive: true });
    return;
  }
  let tarball = given;
  if (!tarball) {
    const url = `https://github.com/Aiven-Open/karapace/archive/refs/tags/${KARAPACE_VERSION}.tar.gz`;
    log(`downloading ${url}`);
    const res = await fetch(url).catch((e) => {
      const why = e instanceof Error ? (e.cause?.message ?? e.message) : String(e);
      throw new Error(`Karapace is not on PyPI and ${url} is unreachable (${why}); set KARAPACE_SOURCE to its source tree or tarball`);
    });
    if (!res.ok)
      throw new Error(`${url}: HTTP ${res.status}; set KARAPACE_SOURCE to Karapace ${KARAPACE_VERSION}'s source tree or tarball`);
    tarball = path.join(KARAPACE_DIR, `karapace-${KARAPACE_VERSION}.tar.gz`);
    writeFileSync(tarball, Buffer.from(await res.arrayBuffer()));
  }
  mkdirSync(KARAPACE_SRC, { recursive: true });
  sh("tar", ["-xzf", tarball, "-C", KARAPACE_SRC, "--strip-components=1"]);
}

/**
 * Karapace ${KARAPACE_VERSION} into a venv. Its dependencies come from PyPI as pinned in its
 * requirements.txt, except Aiven's avro fork (a GitHub archive; PyPI's avro serves the json format
 * alike). Its Go extension `protopacelib` (protobuf schema formatting, unused by the json format) is
 * built with `go build -buildmode=c-shared` against upstream buf: upstream refuses importers outside
 * github.com/bufbuild, which is all Aiven's buf fork changes, so the module is built under such a path.
 */
async function installKarapace(log) {
  if (existsSync(path.join(VENV, ".complete"))) return VENV_PY;
  await karapaceSource(log);
  log(`installing Karapace ${KARAPACE_VERSION} into ${VENV}`);
  rmSync(VENV, { recursive: true, force: true });
  sh(findPython(), ["-m", "venv", VENV]);
  const reqs = readFileSync(path.join(KARAPACE_SRC, "requirements", "requirements.txt"), "utf8")
    .split("\n")
    .filter((l) => !/^\s*avro\s*@/.test(l))
    .join("\n");
  const reqFile = path.join(KARAPACE_DIR, `requirements-${KARAPACE_VERSION}.txt`);
  writeFileSync(reqFile, reqs);
  sh(VENV_PY, ["-m", "pip", "install", "-q", "-r", reqFile, `avro==${AVRO_VERSION}`, "setuptools", "setuptools-scm"]);

  const build = mkdtempSync(path.join(os.tmpdir(), "karapace-build-"));
  try {
    cpSync(KARAPACE_SRC, build, { recursive: true });
    writeFileSync(path.join(build, "setup.py"), "from setuptools import setup\n\nsetup()\n");
    sh(VENV_PY, ["-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", build], {
      env: { ...process.env, SETUPTOOLS_SCM_PRETEND_VERSION: KARAPACE_VERSION },
    });
    const go = path.join(build, "go", "protopace");
    const from = "github.com/Aiven-Open/karapace/go/protopace";
    const to = "github.com/bufbuild/karapace-protopace";
    for (const f of readdirSync(go, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".go") || f === "go.mod")) {
      const file = path.join(go, f);
      let text = readFileSync(file, "utf8").replaceAll(from, to);
      if (f === "go.mod") text = text.replace(/^replace github\.com\/bufbuild\/buf .*$/m, "");
      writeFileSync(file, text);
    }
    const where = "import sysconfig; print(sysconfig.get_paths()['platlib'] + '/protopacelib' + sysconfig.get_config_var('EXT_SUFFIX'))";
    const ext = sh(VENV_PY, ["-c", where]).trim();
    sh("go", ["build", "-buildmode=c-shared", "-o", ext, "."], {
      cwd: go,
      env: { ...process.env, GOFLAGS: "-mod=mod", GOPATH: path.join(CACHE, "go"), GOTOOLCHAIN: "local" },
    });
    rmSync(ext.replace(/\.so$/, ".h"), { force: true });
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
  sh(VENV_PY, ["-c", "import karapace.kafka_rest_apis"]);
  writeFileSync(path.join(VENV, ".complete"), `${new Date().toISOString()}\n`);
  return VENV_PY;
}

/**
 * Why the real-Kafka suites cannot run on this machine, or null when they can: Karapace's source
 * must be cached, given (KARAPACE_SOURCE), or downloadable; nothing else here can be missing for
 * long (Kafka comes from Maven Central, Karapace's dependencies from PyPI).
 */
export async function realKafkaUnavailable() {
  if (existsSync(path.join(KARAPACE_SRC, "pyproject.toml")) || process.env.KARAPACE_SOURCE) return null;
  const url = `https://github.com/Aiven-Open/karapace/archive/refs/tags/${KARAPACE_VERSION}.tar.gz`;
  try {
    const res = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(10_000) });
    return res.ok || res.status === 302 ? null : `${url} answered HTTP ${res.status}`;
  } catch (e) {
    return `Karapace is not on PyPI and its source (${url}) is unreachable from this machine (${e instanceof Error ? (e.cause?.message ?? e.message) : String(e)}); set KARAPACE_SOURCE to a ${KARAPACE_VERSION} source tree or tarball`;
  }
}

export async function installRealKafka({ log = (m) => console.log(`[real-kafka] ${m}`) } = {}) {
  const libs = installKafka(log);
  const python = await installKarapace(log);
  return { libs, python };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(what, probe, timeoutMs, exited) {
  const end = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < end) {
    const gone = exited();
    if (gone) throw new Error(`${what} exited during start-up (${gone})`);
    try {
      if (await probe()) return;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} not up after ${timeoutMs} ms ${last}`);
}

function killGroup(child, signal) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** KAFKA_HEAP_OPTS, as Kafka's own scripts read it. */
const HEAP = process.env.KAFKA_HEAP_OPTS || "-Xmx512m -Xms256m";

/** Topics created before the REST proxy starts (Kafka consumers do not auto-create what they subscribe to). */
export const DEFAULT_TOPICS = { "ai-org-tasks": 8, "ai-org-results": 4, "ai-org-events": 4, "ai-org-dlq": 1 };

/**
 * Starts one KRaft node (broker + controller) and Karapace's REST proxy on loopback random ports,
 * creates `topics` ({name: partitions}), and returns their URLs and stop().
 */
export async function startRealKafka({ topics = DEFAULT_TOPICS, log = (m) => console.log(`[real-kafka] ${m}`), heap = HEAP } = {}) {
  const { libs, python } = await installRealKafka({ log });
  const started = Date.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), "proximus-kafka-"));
  const [kafkaPort, controllerPort, restPort] = [await freePort(), await freePort(), await freePort()];
  const props = path.join(dir, "server.properties");
  writeFileSync(
    props,
    [
      "process.roles=broker,controller",
      "node.id=1",
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${kafkaPort},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${kafkaPort}`,
      "controller.listener.names=CONTROLLER",
      "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
      `log.dirs=${path.join(dir, "data")}`,
      "num.partitions=4",
      "auto.create.topics.enable=true",
      "offsets.topic.replication.factor=1",
      "offsets.topic.num.partitions=4",
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      "share.coordinator.state.topic.replication.factor=1",
      "group.initial.rebalance.delay.ms=0",
      "",
    ].join("\n"),
  );
  const java = ["-cp", `${libs}/*`, `-Dlog4j2.configurationFile=${path.join(KAFKA_DIR, "log4j2.properties")}`];
  const clusterId = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");
  sh("java", [...java, "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", props]);
  const kafkaLog = openSync(path.join(dir, "kafka.log"), "a");
  const kafka = spawn("java", [...heap.split(/\s+/), ...java, "kafka.Kafka", props], {
    detached: true,
    stdio: ["ignore", kafkaLog, kafkaLog],
  });
  const exitedAs = (c) => () => (c.exitCode !== null ? `exit ${c.exitCode}` : c.signalCode);
  let rest;
  const stop = async () => {
    for (const [child, name] of [
      [rest, "karapace"],
      [kafka, "kafka"],
    ]) {
      if (!child || child.exitCode !== null || child.signalCode !== null) continue;
      const gone = new Promise((r) => child.once("exit", r));
      killGroup(child, "SIGTERM");
      await Promise.race([gone, new Promise((r) => setTimeout(r, 8_000))]);
      if (child.exitCode === null && child.signalCode === null) {
        log(`${name} did not stop on SIGTERM; killing`);
        killGroup(child, "SIGKILL");
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const bootstrap = `127.0.0.1:${kafkaPort}`;
    await waitFor("kafka", () => tcpOpen(kafkaPort), 60_000, exitedAs(kafka));
    createTopics(python, bootstrap, topics);
    const restLog = openSync(path.join(dir, "karapace.log"), "a");
    rest = spawn(python, ["-m", "karapace.kafka_rest_apis"], {
      detached: true,
      stdio: ["ignore", restLog, restLog],
      env: {
        ...process.env,
        KARAPACE_KARAPACE_REST: "true",
        KARAPACE_KARAPACE_REGISTRY: "false",
        KARAPACE_HOST: "127.0.0.1",
        KARAPACE_PORT: String(restPort),
        KARAPACE_ADVERTISED_HOSTNAME: "127.0.0.1",
        KARAPACE_BOOTSTRAP_URI: bootstrap,
        KARAPACE_LOG_LEVEL: "WARNING",
        KARAPACE_REGISTRY_HOST: "127.0.0.1",
        KARAPACE_REGISTRY_PORT: String(restPort),
      },
    });
    const restUrl = `http://127.0.0.1:${restPort}`;
    await waitFor("karapace", async () => (await fetch(`${restUrl}/topics`)).ok, 60_000, exitedAs(rest));
    log(`Kafka ${KAFKA_VERSION} at ${bootstrap}, Karapace ${KARAPACE_VERSION} at ${restUrl} (${Date.now() - started} ms)`);
    return { restUrl, bootstrap, dir, stop };
  } catch (e) {
    const tail = (f) => (existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f), "utf8").split("\n").slice(-20).join("\n") : "");
    const detail = `${tail("kafka.log")}\n${tail("karapace.log")}`.trim();
    await stop();
    throw new Error(`${e instanceof Error ? e.message : String(e)}${detail ? `\n${detail}` : ""}`);
  }
}

function tcpOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Creates topics with confluent-kafka's AdminClient from Karapace's venv (one short process, no JVM start). */
export function createTopics(python, bootstrap, topics) {
  const entries = Object.entries(topics);
  if (entries.length === 0) return;
  const script = `
import json, sys
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka import KafkaException
admin = AdminClient({"bootstrap.servers": sys.argv[1]})
wanted = json.loads(sys.argv[2])
futures = admin.create_topics([NewTopic(t, num_partitions=n, replication_factor=1) for t, n in wanted.items()], operation_timeout=30)
for topic, f in futures.items():
    try:
        f.result(60)
    except KafkaException as e:
        if "TOPIC_ALREADY_EXISTS" not in str(e):
            raise
`;
  sh(python, ["-c", script, bootstrap, JSON.stringify(Object.fromEntries(entries))]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const cmd = process.argv[2] ?? "start";
  if (cmd === "install") await installRealKafka();
  else if (cmd === "start") {
    const k = await startRealKafka();
    console.log(`KAFKA_REST_URL=${k.restUrl} KAFKA_REST_FLAVOR=karapace (bootstrap ${k.bootstrap}); Ctrl-C stops`);
    const bye = () => void k.stop().then(() => process.exit(0));
    process.on("SIGINT", bye);
    process.on("SIGTERM", bye);
    await new Promise(() => {});
  } else {
    console.error("usage: node scripts/lib/real-kafka.mjs install|start");
    process.exit(2);
  }
}
