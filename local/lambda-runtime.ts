import { randomUUID } from "node:crypto";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { LOCAL_REGION, text, type CloudAssembly } from "./assembly.js";
import { InFlight } from "./in-flight.js";
import type { IamLocal, IssuedCredentials, Session } from "./iam.js";
import type { Resolver } from "./intrinsics.js";

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), "lambda-worker.mjs");

/** What a function returns, or the error it threw, in Lambda's shape. */
export type InvokeResult =
  | { ok: true; result: unknown }
  /** `denied`: the caller may not invoke the function (it did not run). */
  | { ok: false; errorType: string; errorMessage: string; trace?: string[]; denied?: true };

/** Who invokes, as Lambda checks it: a service under the function's Lambda permissions, or a role session under its policies. */
export type Caller = { service: string; sourceArn: string } | { session: Session };

export interface FunctionConfig {
  logicalId: string;
  stack: string;
  name: string;
  arn: string;
  codeDir: string;
  handler: string;
  timeoutSeconds: number;
  memorySize: number;
  reservedConcurrency?: number;
  environment: Record<string, string>;
  logGroupName: string;
  /** The execution role, whose credentials the function's instances get. */
  roleArn: string;
}

interface Instance {
  worker: Worker;
  busy: boolean;
  pending?: { id: string; resolve: (r: InvokeResult & Timing) => void; timer: NodeJS.Timeout };
}

/** What the worker reports with each answer: the handler's own time, and the init time on a cold start. */
interface Timing {
  durationMs?: number;
  initMs?: number;
}

/** Counters the bench reads. */
export interface LambdaStats {
  invocations: Record<string, number>;
  coldStarts: Record<string, number>;
  /** Summed wall-clock duration of invocations as callers saw them, queueing for an instance included, per function (ms). */
  durationMs: Record<string, number>;
  /** Summed time in the handler itself, per function (ms): what Lambda bills as Duration. */
  handlerMs: Record<string, number>;
  /** Init durations of the cold starts, per function (ms): loading the bundle in a new instance. */
  initMs: Record<string, number[]>;
  injectedFaults: Record<string, number>;
}

/** One OMS_LOCAL_FAULTS entry: which function, how often it fails, how long each call stalls first. */
export interface Fault {
  target: string;
  /** Probability of failing before the function runs (nothing done). */
  error: number;
  /** Probability of failing after the function ran (its work done, its answer lost), like a timeout or a crash on the way out. */
  crash: number;
  delayMs: number;
}

/** A counting semaphore: at most `size` runs at once, the rest in arrival order. */
class Slots {
  private used = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly size: number) {}
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.used >= this.size) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.used++;
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.used--;
    }
  }
}

/** Writes to a function's log unless the runtime has stopped (a worker's last output may come after). */
const append = (log: WriteStream, text: string | Buffer) => void (log.writableEnded || log.destroyed ? undefined : log.write(text));

const credentialsEnv = (c: IssuedCredentials) => ({ AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey, AWS_SESSION_TOKEN: c.sessionToken });

/** Parses `OMS_LOCAL_FAULTS="<logical id prefix or function name>:error=0.1,crash=0.1,delay=2000;<other>:error=1"`. */
export function parseFaults(spec: string | undefined): Fault[] {
  if (!spec?.trim()) return [];
  return spec.split(";").filter(Boolean).map((entry) => {
    const [target, settings = ""] = entry.split(":", 2) as [string, string?];
    const fault: Fault = { target: target.trim(), error: 0, crash: 0, delayMs: 0 };
    for (const kv of settings.split(",").filter(Boolean)) {
      const [k, v] = kv.split("=") as [string, string?];
      const n = Number(v);
      if (k === "error" && n >= 0 && n <= 1) fault.error = n;
      else if (k === "crash" && n >= 0 && n <= 1) fault.crash = n;
      else if (k === "delay" && n >= 0) fault.delayMs = n;
      else throw new Error(`OMS_LOCAL_FAULTS: cannot read "${kv}" in "${entry}" (use error=<0..1>, crash=<0..1>, delay=<ms>)`);
    }
    if (!fault.target) throw new Error(`OMS_LOCAL_FAULTS: "${entry}" names no function`);
    return fault;
  });
}

/**
 * Runs bundled Lambda code from the assembly. Each function gets a pool of worker threads
 * (one in-flight invocation each, its own environment and module scope, a cold start per new
 * worker), bounded by reserved concurrency or the local instance cap; timeouts kill the instance
 * as Lambda does.
 */
export class LambdaRuntime {
  readonly functions = new Map<string, FunctionConfig>();
  private readonly pools = new Map<string, Instance[]>();
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly logs = new Map<string, WriteStream>();
  readonly stats: LambdaStats = { invocations: {}, coldStarts: {}, durationMs: {}, handlerMs: {}, initMs: {}, injectedFaults: {} };
  private faults: Fault[];
  /** Invocations accepted and not yet answered (queued for an instance or running). */
  private readonly active = new InFlight();
  private readonly background: Slots;

  constructor(
    assembly: CloudAssembly,
    resolver: Resolver,
    private readonly options: { awsEndpoint: string; logDir: string; maxInstances: number; echoLogs: boolean; faults?: string; iam: IamLocal; backgroundSlots?: number },
  ) {
    this.faults = parseFaults(options.faults ?? process.env.OMS_LOCAL_FAULTS);
    this.background = new Slots(options.backgroundSlots ?? Number(process.env.OMS_LOCAL_BACKGROUND_SLOTS ?? Math.max(2, availableParallelism())));
    for (const { stack, logicalId, resource } of assembly.ofType("AWS::Lambda::Function")) {
      const p = resource.Properties ?? {};
      const code = p.Code as { S3Key?: unknown; ZipFile?: unknown };
      if (code.S3Key === undefined) throw new Error(`Function ${logicalId}: only asset code (S3Key) runs locally`);
      const physical = resolver.physicalOf(stack, logicalId);
      const env = (resolver.resolve(stack, (p.Environment as { Variables?: unknown } | undefined)?.Variables ?? {}) ?? {}) as Record<string, unknown>;
      const logGroup = (p.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup;
      const config: FunctionConfig = {
        logicalId,
        stack,
        name: physical.ref,
        arn: physical.attributes.Arn ?? "",
        codeDir: assembly.assetPath(resolver.str(stack, code.S3Key)),
        handler: text(p.Handler, "index.handler"),
        timeoutSeconds: Number(p.Timeout ?? 3),
        memorySize: Number(p.MemorySize ?? 128),
        reservedConcurrency: p.ReservedConcurrentExecutions === undefined ? undefined : Number(p.ReservedConcurrentExecutions),
        environment: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])),
        logGroupName: logGroup ? resolver.str(stack, logGroup) : `/aws/lambda/${physical.ref}`,
        roleArn: resolver.str(stack, p.Role),
      };
      this.functions.set(config.name, config);
    }
  }

  /** Replaces the injected faults (same syntax as OMS_LOCAL_FAULTS); none when `spec` is empty. */
  setFaults(spec: string | undefined): void {
    this.faults = parseFaults(spec);
  }

  /** A function by name, ARN (with or without a qualifier) or logical id. */
  find(nameOrArn: string): FunctionConfig | undefined {
    const name = nameOrArn.startsWith("arn:") ? (nameOrArn.split(":")[6] ?? "") : nameOrArn;
    return this.functions.get(name) ?? [...this.functions.values()].find((f) => f.logicalId === nameOrArn);
  }

  /**
   * Invokes a function and returns its result or error (never throws for function errors).
   * `background` invocations (workflow steps, event targets, stream batches, schedules: nobody
   * waits on a connection for them) share a bounded number of slots, so on a machine of a few
   * cores a burst of them cannot starve the calls a client is waiting on (the HTTP API). AWS runs
   * both at once on separate capacity; here they share the cores, and the waiting client goes first.
   * With a `caller`, the call is refused (`denied`, AccessDeniedException) unless IAM lets it invoke.
   */
  async invoke(nameOrArn: string, event: unknown, options: { background?: boolean; caller?: Caller } = {}): Promise<InvokeResult> {
    const fn = this.find(nameOrArn);
    if (!fn) return { ok: false, errorType: "ResourceNotFoundException", errorMessage: `Function not found: ${nameOrArn}` };
    const denied = options.caller && this.denial(options.caller, fn);
    if (denied) return { ok: false, errorType: "AccessDeniedException", errorMessage: denied, denied: true };
    this.stats.invocations[fn.name] = (this.stats.invocations[fn.name] ?? 0) + 1;
    return this.active.track(() => (options.background ? this.background.run(() => this.run(fn, event)) : this.run(fn, event)));
  }

  private denial(caller: Caller, fn: FunctionConfig): string | undefined {
    const { iam } = this.options;
    if ("session" in caller) return iam.denial(caller.session, "lambda:InvokeFunction", [fn.arn]);
    return iam.functionAllows(fn.arn, caller.service, caller.sourceArn) ? undefined : `No resource-based policy (AWS::Lambda::Permission) lets ${caller.service} invoke ${fn.arn} from ${caller.sourceArn}`;
  }

  /** Invocations in flight (queued or running). */
  inFlight(): number {
    return this.active.size;
  }

  /** Resolves when no invocation is in flight. */
  idle(): Promise<void> {
    return this.active.idle();
  }

  private async run(fn: FunctionConfig, event: unknown): Promise<InvokeResult> {
    const fault = this.faults.find((f) => fn.name === f.target || fn.logicalId === f.target || fn.logicalId.startsWith(f.target));
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.error && Math.random() < fault.error) {
      this.stats.injectedFaults[fn.name] = (this.stats.injectedFaults[fn.name] ?? 0) + 1;
      return { ok: false, errorType: "Local.InjectedFault", errorMessage: `Fault injected by OMS_LOCAL_FAULTS into ${fn.name}` };
    }
    const instance = await this.acquire(fn);
    const id = randomUUID();
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    const started = performance.now();
    const log = this.logFor(fn.name);
    append(log, `START RequestId: ${id} Version: $LATEST\n`);
    try {
      const { durationMs, initMs, ...result } = await new Promise<InvokeResult & Timing>((resolve) => {
        const timer = setTimeout(() => {
          // Like Lambda: the instance that timed out is discarded; the next invocation starts cold.
          this.discard(fn, instance);
          const line = `${new Date().toISOString()} ${id} Task timed out after ${((performance.now() - started) / 1000).toFixed(2)} seconds`;
          append(log, `${line}\n`);
          // The local cloud's console says so too: nothing else would tell why the caller got a 5xx.
          process.stderr.write(`[lambda ${fn.logicalId}] ${line}\n`);
          resolve({ ok: false, errorType: "Sandbox.Timedout", errorMessage: `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`, durationMs: fn.timeoutSeconds * 1000 });
        }, fn.timeoutSeconds * 1000);
        instance.pending = { id, resolve, timer };
        instance.worker.postMessage({ id, event, requestId: id, deadline });
      });
      const handlerMs = durationMs ?? 0;
      this.stats.handlerMs[fn.name] = (this.stats.handlerMs[fn.name] ?? 0) + handlerMs;
      if (initMs !== undefined) (this.stats.initMs[fn.name] ??= []).push(initMs);
      append(log, `END RequestId: ${id}\nREPORT RequestId: ${id}\tDuration: ${handlerMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(handlerMs)} ms\tMemory Size: ${fn.memorySize} MB${initMs === undefined ? "" : `\tInit Duration: ${initMs.toFixed(2)} ms`}\n`);
      if (result.ok && fault?.crash && Math.random() < fault.crash) {
        this.stats.injectedFaults[fn.name] = (this.stats.injectedFaults[fn.name] ?? 0) + 1;
        return { ok: false, errorType: "Local.InjectedCrash", errorMessage: `Crash injected by OMS_LOCAL_FAULTS into ${fn.name} after it ran` };
      }
      return result;
    } finally {
      this.stats.durationMs[fn.name] = (this.stats.durationMs[fn.name] ?? 0) + (performance.now() - started);
      this.release(fn, instance);
    }
  }

  private async acquire(fn: FunctionConfig): Promise<Instance> {
    const pool = this.pools.get(fn.name) ?? [];
    this.pools.set(fn.name, pool);
    const limit = Math.max(1, Math.min(fn.reservedConcurrency ?? Infinity, this.options.maxInstances));
    for (;;) {
      const idle = pool.find((i) => !i.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (pool.length < limit) {
        const instance = this.spawn(fn, pool.length);
        instance.busy = true;
        pool.push(instance);
        return instance;
      }
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(fn.name) ?? [];
        queue.push(resolve);
        this.waiting.set(fn.name, queue);
      });
    }
  }

  private release(fn: FunctionConfig, instance: Instance): void {
    instance.busy = false;
    instance.pending = undefined;
    this.waiting.get(fn.name)?.shift()?.();
  }

  private discard(fn: FunctionConfig, instance: Instance): void {
    const pool = this.pools.get(fn.name) ?? [];
    pool.splice(pool.indexOf(instance), 1);
    void instance.worker.terminate();
  }

  private spawn(fn: FunctionConfig, index: number): Instance {
    this.stats.coldStarts[fn.name] = (this.stats.coldStarts[fn.name] ?? 0) + 1;
    const worker = new Worker(WORKER, {
      workerData: { ...fn, functionName: fn.name, functionArn: fn.arn, instance: `${fn.name}/${index}` },
      env: {
        ...fn.environment,
        PATH: process.env.PATH ?? "",
        TZ: "UTC",
        AWS_REGION: LOCAL_REGION,
        AWS_DEFAULT_REGION: LOCAL_REGION,
        // Like Lambda: the execution role's own session credentials, so every call is checked against its policies.
        ...credentialsEnv(this.options.iam.credentialsFor(fn.roleArn, fn.name)),
        AWS_ENDPOINT_URL: this.options.awsEndpoint,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
        AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroupName,
        AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
        LAMBDA_TASK_ROOT: fn.codeDir,
        _HANDLER: fn.handler,
        // Lambda runs nodejs22.x; the local shim may run an older Node, which this SDK warning is about.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      },
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: fn.memorySize },
    });
    const log = this.logFor(fn.name);
    const echo = this.options.echoLogs;
    worker.stdout.on("data", (d: Buffer) => {
      append(log, d);
      if (echo) process.stdout.write(d);
    });
    worker.stderr.on("data", (d: Buffer) => {
      append(log, d);
      if (echo) process.stderr.write(d);
    });
    const instance: Instance = { worker, busy: false };
    worker.on("message", (m: { id: string } & InvokeResult & Timing) => {
      if (instance.pending?.id !== m.id) return;
      clearTimeout(instance.pending.timer);
      const { id: _id, ...result } = m;
      instance.pending.resolve(result);
    });
    const crash = (error: Error) => {
      if (instance.pending) {
        clearTimeout(instance.pending.timer);
        instance.pending.resolve({ ok: false, errorType: "Runtime.ExitError", errorMessage: error.message });
      }
      const pool = this.pools.get(fn.name) ?? [];
      if (pool.includes(instance)) pool.splice(pool.indexOf(instance), 1);
    };
    worker.on("error", crash);
    worker.on("exit", (code) => crash(new Error(`Runtime exited with code ${code}`)));
    worker.unref();
    return instance;
  }

  private logFor(name: string): WriteStream {
    let s = this.logs.get(name);
    if (!s) {
      mkdirSync(this.options.logDir, { recursive: true });
      s = createWriteStream(path.join(this.options.logDir, `${name}.log`), { flags: "a" });
      this.logs.set(name, s);
    }
    return s;
  }

  async stop(): Promise<void> {
    const all = [...this.pools.values()].flat();
    this.pools.clear();
    await Promise.all(all.map((i) => i.worker.terminate()));
    await Promise.all([...this.logs.values()].map((s) => new Promise((r) => s.end(r))));
  }
}
