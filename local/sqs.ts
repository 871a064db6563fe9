import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LOCAL_ACCOUNT, LOCAL_REGION, text, type CloudAssembly } from "./assembly.js";
import { AwsError } from "./aws-errors.js";
import type { LocalClock } from "./clock.js";
import { matchesPattern, validatePattern } from "./event-pattern.js";
import type { IamLocal } from "./iam.js";
import { InFlight } from "./in-flight.js";
import type { Resolver } from "./intrinsics.js";
import type { LambdaRuntime } from "./lambda-runtime.js";

/** One queue of the assembly, as its template configures it. */
export interface LocalQueue {
  name: string;
  arn: string;
  url: string;
  visibilityTimeoutSeconds: number;
  retentionSeconds: number;
  delaySeconds: number;
  /** RedrivePolicy: after this many receives a message moves to the dead-letter queue. */
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
}

type Attribute = { DataType: string; StringValue?: string; BinaryValue?: string };

interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes?: Record<string, Attribute>;
  md5OfMessageAttributes?: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** The handle of the latest receive: only it may delete the message or change its visibility. */
  receiptHandle?: string;
}

/** One `AWS::Lambda::EventSourceMapping` on an SQS queue. */
interface QueueMapping {
  id: string;
  functionName: string;
  queue: string;
  batchSize: number;
  maxConcurrency: number;
  reportItemFailures: boolean;
  filters: unknown[];
  enabled: boolean;
  /** MaximumBatchingWindowInSeconds, in ms of the local clock: a batch waits this long for more messages unless it is full. */
  windowMs: number;
}

const md5 = (b: Buffer | string) => createHash("md5").update(b).digest("hex");

/** MD5OfMessageAttributes as SQS computes it (and the SDK verifies): names sorted, each field length-prefixed. */
export function md5OfAttributes(attrs: Record<string, Attribute>): string {
  const parts: Buffer[] = [];
  const field = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name] as Attribute;
    field(Buffer.from(name, "utf8"));
    field(Buffer.from(a.DataType, "utf8"));
    const binary = a.DataType.startsWith("Binary");
    parts.push(Buffer.from([binary ? 2 : 1]));
    field(binary ? Buffer.from(a.BinaryValue ?? "", "base64") : Buffer.from(a.StringValue ?? "", "utf8"));
  }
  return md5(Buffer.concat(parts));
}

const POLL_MS = 100;
const MAX_BODY_BYTES = 262_144;

/**
 * The assembly's SQS queues: SendMessage, ReceiveMessage, DeleteMessage, visibility timeouts,
 * receive counts and redrive to a dead-letter queue (RedrivePolicy), kept on disk so a restart
 * loses nothing; and SQS event source mappings, polled and delivered the way Lambda does: batches
 * of up to BatchSize, at most MaximumConcurrency batches at once, a batch deleted when the function
 * succeeds, only the reported items kept with ReportBatchItemFailures, everything kept (visible
 * again after the visibility timeout, on the local clock) when it fails; a batching window
 * (MaximumBatchingWindowInSeconds) holds a batch back, on the local clock, until it is full or the
 * window has passed. FIFO queues are refused.
 */
export class SqsLocal {
  readonly queues = new Map<string, LocalQueue>();
  readonly mappings: QueueMapping[] = [];
  readonly stats = { sent: 0, received: 0, deleted: 0, redriven: 0, batches: 0 };
  private readonly messages = new Map<string, StoredMessage[]>();
  private readonly dir: string;
  private readonly inFlight = new InFlight();
  private running = false;
  private loops: Promise<void>[] = [];
  private wake = new Set<() => void>();

  constructor(
    assembly: CloudAssembly,
    resolver: Resolver,
    private readonly lambda: LambdaRuntime,
    private readonly clock: LocalClock,
    dataDir: string,
    iam: IamLocal,
  ) {
    this.dir = path.join(dataDir, "sqs");
    for (const { stack, logicalId, resource } of assembly.ofType("AWS::SQS::Queue")) {
      const p = (resolver.resolve(stack, resource.Properties ?? {}) ?? {}) as Record<string, unknown>;
      const physical = resolver.physicalOf(stack, logicalId);
      const name = physical.attributes.QueueName ?? logicalId;
      if (p.FifoQueue === true || p.FifoQueue === "true") throw new Error(`Queue ${logicalId}: FIFO queues are not run by the local cloud`);
      const redrive = p.RedrivePolicy as { deadLetterTargetArn?: string; maxReceiveCount?: number | string } | undefined;
      this.queues.set(name, {
        name,
        arn: physical.attributes.Arn ?? "",
        url: `http://sqs.local/${LOCAL_ACCOUNT}/${name}`,
        visibilityTimeoutSeconds: Number(p.VisibilityTimeout ?? 30),
        retentionSeconds: Number(p.MessageRetentionPeriod ?? 345_600),
        delaySeconds: Number(p.DelaySeconds ?? 0),
        redrive: redrive?.deadLetterTargetArn ? { deadLetterTargetArn: redrive.deadLetterTargetArn, maxReceiveCount: Number(redrive.maxReceiveCount ?? 10) } : undefined,
      });
      const file = path.join(this.dir, `${name}.json`);
      this.messages.set(name, existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as StoredMessage[]) : []);
    }
    for (const q of this.queues.values()) if (q.redrive && !this.byArn(q.redrive.deadLetterTargetArn)) throw new Error(`Queue ${q.name}: its dead-letter queue ${q.redrive.deadLetterTargetArn} is not in the assembly`);
    for (const { stack, logicalId, resource } of assembly.ofType("AWS::Lambda::EventSourceMapping")) {
      const p = resolver.resolve(stack, resource.Properties ?? {}) as Record<string, unknown>;
      const source = text(p.EventSourceArn);
      if (!source.startsWith("arn:aws:sqs:")) continue;
      const queue = this.byArn(source);
      if (!queue) throw new Error(`EventSourceMapping ${logicalId}: queue ${source} is not in the assembly`);
      const fn = lambda.find(text(p.FunctionName));
      if (!fn) throw new Error(`EventSourceMapping ${logicalId}: function ${text(p.FunctionName)} is not in the assembly`);
      // Lambda polls as the function's role: CreateEventSourceMapping refuses a role that cannot, and so does the local cloud.
      const role = iam.session(fn.roleArn, fn.name);
      const cannot = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"].filter((a) => !iam.allows(role, a, queue.arn));
      if (cannot.length) throw new Error(`EventSourceMapping ${logicalId}: The function execution role does not have permissions to call ${cannot.join(", ")} on ${queue.arn}`);
      const batchSize = Number(p.BatchSize ?? 10);
      if (batchSize > 10 && !p.MaximumBatchingWindowInSeconds) throw new Error(`EventSourceMapping ${logicalId}: a BatchSize above 10 needs MaximumBatchingWindowInSeconds (as AWS requires)`);
      this.mappings.push({
        id: `${stack}-${logicalId}`,
        functionName: fn.name,
        queue: queue.name,
        batchSize,
        maxConcurrency: Number((p.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency ?? 5),
        reportItemFailures: ((p.FunctionResponseTypes as string[] | undefined) ?? []).includes("ReportBatchItemFailures"),
        filters: ((p.FilterCriteria as { Filters?: { Pattern: string }[] } | undefined)?.Filters ?? []).map((f) => {
          const pattern = JSON.parse(f.Pattern) as unknown;
          validatePattern(pattern);
          return pattern;
        }),
        enabled: p.Enabled !== false && p.Enabled !== "false",
        windowMs: Number(p.MaximumBatchingWindowInSeconds ?? 0) * 1000,
      });
    }
  }

  private byArn(arn: string): LocalQueue | undefined {
    return [...this.queues.values()].find((q) => q.arn === arn);
  }

  /** A queue by URL, ARN or name (QueueDoesNotExist otherwise, as SQS answers). */
  queue(ref: string): LocalQueue {
    const name = ref.startsWith("arn:") ? this.byArn(ref)?.name : ref.includes("/") ? ref.split("/").pop() : ref;
    const q = name ? this.queues.get(name) : undefined;
    if (!q) throw new AwsError("QueueDoesNotExist", "The specified queue does not exist.");
    return q;
  }

  private list(q: LocalQueue): StoredMessage[] {
    const now = this.clock.now();
    const all = (this.messages.get(q.name) ?? []).filter((m) => now - m.sentAt < q.retentionSeconds * 1000);
    this.messages.set(q.name, all);
    return all;
  }

  private save(q: LocalQueue): void {
    mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, `${q.name}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(this.messages.get(q.name) ?? []));
    renameSync(`${file}.tmp`, file);
  }

  /** SendMessage. */
  send(ref: string, body: string, options: { delaySeconds?: number; messageAttributes?: Record<string, Attribute> } = {}): { MessageId: string; MD5OfMessageBody: string; MD5OfMessageAttributes?: string } {
    const q = this.queue(ref);
    if (typeof body !== "string" || body.length === 0) throw new AwsError("MissingParameter", "The request must contain the parameter MessageBody.");
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new AwsError("InvalidParameterValue", `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_BODY_BYTES} bytes.`);
    const attrs = options.messageAttributes && Object.keys(options.messageAttributes).length ? options.messageAttributes : undefined;
    const m: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5(body),
      ...(attrs ? { messageAttributes: attrs, md5OfMessageAttributes: md5OfAttributes(attrs) } : {}),
      sentAt: this.clock.now(),
      visibleAt: this.clock.now() + (options.delaySeconds ?? q.delaySeconds) * 1000,
      receiveCount: 0,
    };
    this.list(q).push(m);
    this.save(q);
    this.stats.sent++;
    for (const w of this.wake) w();
    return { MessageId: m.messageId, MD5OfMessageBody: m.md5OfBody, ...(m.md5OfMessageAttributes ? { MD5OfMessageAttributes: m.md5OfMessageAttributes } : {}) };
  }

  /** ReceiveMessage: visible messages, hidden for the visibility timeout; past maxReceiveCount they move to the dead-letter queue instead. */
  receive(ref: string, max = 1, visibilityTimeoutSeconds?: number): StoredMessage[] {
    const q = this.queue(ref);
    const now = this.clock.now();
    const out: StoredMessage[] = [];
    const before = this.stats.redriven;
    for (const m of [...this.list(q)]) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      if (q.redrive && m.receiveCount >= q.redrive.maxReceiveCount) {
        this.redrive(q, m);
        continue;
      }
      m.receiveCount++;
      m.firstReceivedAt ??= now;
      m.receiptHandle = Buffer.from(`${m.messageId}:${randomUUID()}`).toString("base64url");
      m.visibleAt = now + (visibilityTimeoutSeconds ?? q.visibilityTimeoutSeconds) * 1000;
      out.push(m);
    }
    this.stats.received += out.length;
    // An empty receive changes nothing on disk.
    if (out.length || this.stats.redriven !== before) this.save(q);
    return out;
  }

  private redrive(q: LocalQueue, m: StoredMessage): void {
    const dlq = this.byArn(q.redrive?.deadLetterTargetArn ?? "") as LocalQueue;
    this.messages.set(q.name, this.list(q).filter((x) => x !== m));
    // The message keeps its id and its receive count; the dead-letter queue's retention counts from the original send.
    this.list(dlq).push({ ...m, visibleAt: this.clock.now(), receiptHandle: undefined });
    this.save(dlq);
    this.stats.redriven++;
    console.error(`[sqs] ${q.name}: message ${m.messageId} moved to ${dlq.name} after ${m.receiveCount} receives`);
  }

  private byHandle(q: LocalQueue, handle: string): StoredMessage {
    const m = this.list(q).find((x) => x.receiptHandle === handle);
    if (!m) throw new AwsError("ReceiptHandleIsInvalid", `The input receipt handle "${handle}" is not a valid receipt handle.`);
    return m;
  }

  /** DeleteMessage (by the latest receipt handle). */
  delete(ref: string, handle: string): void {
    const q = this.queue(ref);
    const m = this.byHandle(q, handle);
    this.messages.set(q.name, this.list(q).filter((x) => x !== m));
    this.stats.deleted++;
    this.save(q);
  }

  /** ChangeMessageVisibility. */
  changeVisibility(ref: string, handle: string, seconds: number): void {
    const q = this.queue(ref);
    if (!(seconds >= 0 && seconds <= 43_200)) throw new AwsError("InvalidParameterValue", "Value for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.");
    this.byHandle(q, handle).visibleAt = this.clock.now() + seconds * 1000;
    this.save(q);
    for (const w of this.wake) w();
  }

  purge(ref: string): void {
    const q = this.queue(ref);
    this.messages.set(q.name, []);
    this.save(q);
  }

  /** GetQueueAttributes: the counts SQS reports and the queue's configuration. */
  attributes(ref: string): Record<string, string> {
    const q = this.queue(ref);
    const now = this.clock.now();
    const all = this.list(q);
    return {
      QueueArn: q.arn,
      ApproximateNumberOfMessages: String(all.filter((m) => m.visibleAt <= now).length),
      ApproximateNumberOfMessagesNotVisible: String(all.filter((m) => m.visibleAt > now && m.receiveCount > 0).length),
      ApproximateNumberOfMessagesDelayed: String(all.filter((m) => m.visibleAt > now && m.receiveCount === 0).length),
      VisibilityTimeout: String(q.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(q.retentionSeconds),
      DelaySeconds: String(q.delaySeconds),
      ...(q.redrive ? { RedrivePolicy: JSON.stringify(q.redrive) } : {}),
    };
  }

  /** A message as ReceiveMessage returns it. */
  static wire(m: StoredMessage): Record<string, unknown> {
    return {
      MessageId: m.messageId,
      ReceiptHandle: m.receiptHandle,
      MD5OfBody: m.md5OfBody,
      Body: m.body,
      Attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAt), ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt), SenderId: LOCAL_ACCOUNT },
      ...(m.messageAttributes ? { MessageAttributes: m.messageAttributes, MD5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
    };
  }

  start(): void {
    this.running = true;
    this.loops = this.mappings.filter((m) => m.enabled).map((m) => this.poll(m));
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const w of this.wake) w();
    await Promise.allSettled(this.loops);
  }

  /** Batches being delivered now. */
  deliveriesInFlight(): number {
    return this.inFlight.size;
  }

  /** Messages a mapping would take now: visible, and its batch full or its batching window over (until then they wait, like timers). */
  private ready(m: QueueMapping): number {
    const now = this.clock.now();
    const visible = this.list(this.queue(m.queue)).filter((x) => x.visibleAt <= now);
    if (!visible.length || m.windowMs === 0 || visible.length >= m.batchSize) return visible.length;
    return Math.min(...visible.map((x) => x.visibleAt)) + m.windowMs <= now ? visible.length : 0;
  }

  /** Messages some mapping would take now: work the cloud still has to do. */
  private pending(): number {
    return this.mappings.filter((m) => m.enabled).reduce((n, m) => n + this.ready(m), 0);
  }

  /** True when no batch is in flight and no mapped queue has a visible message (hidden ones wait for their timeout, like timers). */
  isIdle(): boolean {
    return !this.running || (this.inFlight.size === 0 && this.pending() === 0);
  }

  /** Resolves once isIdle(). */
  async idle(): Promise<void> {
    while (!this.isIdle()) {
      await this.inFlight.idle();
      if (this.pending() > 0) await new Promise((r) => setTimeout(r, POLL_MS / 2));
    }
  }

  private async poll(m: QueueMapping): Promise<void> {
    let busy = 0;
    while (this.running) {
      if (busy < m.maxConcurrency && this.ready(m) > 0) {
        const batch = this.receive(m.queue, m.batchSize);
        if (batch.length) {
          busy++;
          void this.inFlight.track(() => this.deliver(m, batch)).finally(() => {
            busy--;
            for (const w of this.wake) w();
          });
          continue;
        }
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.wake.delete(done);
          resolve();
        };
        const t = setTimeout(done, POLL_MS);
        this.wake.add(done);
      });
    }
  }

  private async deliver(m: QueueMapping, batch: StoredMessage[]): Promise<void> {
    const q = this.queue(m.queue);
    const record = (x: StoredMessage) => ({
      messageId: x.messageId,
      receiptHandle: x.receiptHandle,
      body: x.body,
      attributes: SqsLocal.wire(x).Attributes,
      messageAttributes: Object.fromEntries(Object.entries(x.messageAttributes ?? {}).map(([k, v]) => [k, { dataType: v.DataType, stringValue: v.StringValue, binaryValue: v.BinaryValue, stringListValues: [], binaryListValues: [] }])),
      md5OfBody: x.md5OfBody,
      eventSource: "aws:sqs",
      eventSourceARN: q.arn,
      awsRegion: LOCAL_REGION,
    });
    // Filter criteria: a message that matches none is deleted without invoking, as Lambda does.
    const matches = (x: StoredMessage) => {
      if (!m.filters.length) return true;
      let body: unknown = x.body;
      try {
        body = JSON.parse(x.body);
      } catch {
        // A plain-text body is matched as a string.
      }
      return m.filters.some((f) => matchesPattern(f, { ...record(x), body }));
    };
    const deliverable = batch.filter(matches);
    for (const x of batch) if (!deliverable.includes(x)) this.tryDelete(q, x);
    if (!deliverable.length) return;
    this.stats.batches++;
    const result = await this.lambda.invoke(m.functionName, { Records: deliverable.map(record) }, { background: true });
    if (!result.ok) {
      console.error(`[sqs] ${m.id}: ${result.errorType}: ${result.errorMessage} (the batch is visible again after ${q.visibilityTimeoutSeconds} s)`);
      return;
    }
    let failed = new Set<string>();
    if (m.reportItemFailures) {
      const reported = (result.result as { batchItemFailures?: { itemIdentifier?: unknown }[] } | null | undefined)?.batchItemFailures ?? [];
      const ids = reported.map((f) => f.itemIdentifier);
      // An empty or unknown identifier fails the whole batch, as Lambda treats it.
      if (ids.some((id) => typeof id !== "string" || !deliverable.some((x) => x.messageId === id))) {
        console.error(`[sqs] ${m.id}: batchItemFailures names an unknown item: the whole batch is retried`);
        return;
      }
      failed = new Set(ids as string[]);
    }
    for (const x of deliverable) if (!failed.has(x.messageId)) this.tryDelete(q, x);
  }

  private tryDelete(q: LocalQueue, x: StoredMessage): void {
    try {
      if (x.receiptHandle) this.delete(q.name, x.receiptHandle);
    } catch {
      // Received again meanwhile (its visibility timed out): the newer receive owns it now, as in SQS.
    }
  }
}
