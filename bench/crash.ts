// Crash, then a burst: orders in flight when the whole local cloud is killed (kill -9 of its
// process group, DynamoDB Local included), the cloud started again on the same data, and every
// order redelivered at once, as a marketplace retries after a timeout. Measures what the channel
// sees (status codes, latency: Shopify gives up after 5 s) and checks each order exists once.
//   npm run bench:crash -- [--orders 60] [--no-synth] [--json]
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { signWebhook } from "../functions/adapters/channels/signature.js";
import { ensureJava } from "../local/java.js";
import { freePorts } from "../local/ports.js";
import { demoOrder } from "../local/seed.js";
import { ROOT, synth } from "../local/synth.js";
import { quantile } from "./run-pool.js";

const { values } = parseArgs({ options: { orders: { type: "string", default: "60" }, json: { type: "boolean", default: false }, "no-synth": { type: "boolean", default: false } } });
const N = Number(values.orders);
const say = (line: string) => (values.json ? process.stderr.write(line + "\n") : console.log(line));

ensureJava();
const work = mkdtempSync(path.join(tmpdir(), "oms-crash-"));
const assemblyDir = values["no-synth"] ? path.join(ROOT, "cdk.out") : (say("Synthesizing..."), synth(path.join(work, "cdk.out")));
const dataDir = path.join(work, "data");
const ports = (await freePorts(3)).map(String);

interface Ready {
  apiUrl: string;
  awsEndpoint: string;
  secret: string;
  startMs: number;
}
function start(): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bench", "crash-cloud.ts"), assemblyDir, dataDir, ...ports], { detached: true, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /READY (\{.*\})/.exec(out);
      if (m) resolve({ child, ready: JSON.parse(m[1]!) as Ready });
    });
    child.once("exit", (code, signal) => reject(new Error(`the local cloud exited (${code ?? signal}) before it was ready`)));
  });
}
const killGroup = (child: ChildProcess) => process.kill(-child.pid!, "SIGKILL");

const ids = Array.from({ length: N }, (_, i) => `crash-${Date.now().toString(36)}-${i}`);
// A redelivery is the same request again, byte for byte.
const bodies = new Map(ids.map((id) => [id, JSON.stringify(demoOrder(id))]));
async function post(ready: Ready, id: string): Promise<{ status: number; ms: number; orderId?: string }> {
  const body = bodies.get(id)!;
  const t0 = performance.now();
  try {
    const res = await fetch(`${ready.apiUrl}/webhooks/generic`, { method: "POST", headers: { "content-type": "application/json", "x-oms-signature": signWebhook(ready.secret, body) }, body, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    return { status: res.status, ms: performance.now() - t0, ...(res.status < 300 ? { orderId: (JSON.parse(text) as { orderId: string }).orderId } : {}) };
  } catch {
    return { status: 0, ms: performance.now() - t0 };
  }
}

let current: ChildProcess | undefined;
try {
  say(`Starting the local cloud (data in ${dataDir})...`);
  const first = await start();
  current = first.child;
  say(`Posting ${N} orders at once, killing the cloud (kill -9 of its process group) once half have been answered...`);
  let answered = 0;
  const inFlight = ids.map((id) => post(first.ready, id).then((r) => (answered++, r)));
  while (answered < N / 2) await new Promise((r) => setTimeout(r, 10));
  const exited = new Promise((r) => first.child.once("exit", r));
  killGroup(first.child);
  const beforeCrash = await Promise.all(inFlight);
  await exited;

  say("Starting it again on the same data...");
  const restartedAt = performance.now();
  const second = await start();
  current = second.child;
  say(`Redelivering all ${N} orders at once...`);
  const redelivered = await Promise.all(ids.map((id) => post(second.ready, id)));
  const burstMs = performance.now() - restartedAt - second.ready.startMs;
  // Let every workflow run to its wait on the locations, then look at what the orders are.
  await fetch(second.ready.awsEndpoint, { method: "POST", headers: { "x-amz-target": "OmsLocal.WaitForIdle", "content-type": "application/x-amz-json-1.0" }, body: JSON.stringify({ timeoutMs: 300_000 }) });
  const byId = new Map<string, Set<string>>();
  for (const [i, r] of [...beforeCrash, ...redelivered].entries()) if (r.orderId) byId.set(ids[i % N]!, (byId.get(ids[i % N]!) ?? new Set()).add(r.orderId));
  const statuses = (rs: { status: number }[]) => Object.entries(rs.reduce<Record<string, number>>((a, r) => ((a[r.status] = (a[r.status] ?? 0) + 1), a), {})).map(([k, v]) => `${k === "0" ? "no answer" : k} ×${v}`).join(", ");
  const latencies = redelivered.map((r) => r.ms);
  // The intake function's own time per call (its REPORT lines after the restart) against what the channel waited.
  const webhookLog = readdirSync(path.join(dataDir, "logs")).find((f) => f.includes("GenericWebhook"));
  const reports = webhookLog ? readFileSync(path.join(dataDir, "logs", webhookLog), "utf8").split("\n").filter((l) => l.startsWith("REPORT")).slice(-N) : [];
  const handlerMs = reports.map((l) => Number(/Duration: ([\d.]+) ms/.exec(l)?.[1] ?? 0));
  const initMs = reports.flatMap((l) => (/Init Duration: ([\d.]+) ms/.exec(l) ? [Number(/Init Duration: ([\d.]+) ms/.exec(l)![1])] : []));
  const timeoutLines = readdirSync(path.join(dataDir, "logs")).flatMap((f) => readFileSync(path.join(dataDir, "logs", f), "utf8").split("\n").filter((l) => l.includes("Task timed out after")));
  const result = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown" },
    orders: N,
    beforeCrash: statuses(beforeCrash),
    restartMs: second.ready.startMs,
    redelivery: { statuses: statuses(redelivered), p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), maxMs: Math.max(...latencies), over5s: latencies.filter((ms) => ms > 5000).length, burstMs },
    intakeHandler: { p50Ms: quantile(handlerMs, 0.5), maxMs: Math.max(0, ...handlerMs), coldStarts: initMs.length, initMsMax: Math.max(0, ...initMs) },
    ordersWithOneId: [...byId.values()].filter((s) => s.size === 1).length,
    ordersWithSeveralIds: [...byId.values()].filter((s) => s.size > 1).length,
    functionTimeouts: timeoutLines.length,
  };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    const rows: [string, string][] = [
      ["machine", `${result.machine.cpus} × ${result.machine.cpuModel}`],
      ["before the crash", result.beforeCrash],
      ["restart (to ready)", `${result.restartMs} ms`],
      ["redelivery of all at once", result.redelivery.statuses],
      ["redelivery latency p50/p99/max", `${result.redelivery.p50Ms.toFixed(0)} / ${result.redelivery.p99Ms.toFixed(0)} / ${result.redelivery.maxMs.toFixed(0)} ms; ${result.redelivery.over5s} over 5 s`],
      ["intake handler (its own time)", `p50 ${result.intakeHandler.p50Ms.toFixed(0)} ms, max ${result.intakeHandler.maxMs.toFixed(0)} ms; ${result.intakeHandler.coldStarts} cold starts (init up to ${result.intakeHandler.initMsMax.toFixed(0)} ms)`],
      ["orders", `${result.ordersWithOneId} with one order id, ${result.ordersWithSeveralIds} with several`],
      ["function timeouts", `${result.functionTimeouts}${timeoutLines[0] ? ` (first: ${timeoutLines[0]})` : ""}`],
    ];
    const w = Math.max(...rows.map(([k]) => k.length));
    console.log("\n" + rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n"));
  }
} finally {
  if (current && current.exitCode === null) killGroup(current);
  rmSync(work, { recursive: true, force: true });
}
