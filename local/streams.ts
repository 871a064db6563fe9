import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type Shard,
} from "@aws-sdk/client-dynamodb-streams";
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LOCAL_REGION, text, type CloudAssembly } from "./assembly.js";
import { queueNameOf, type DeadLetterStore } from "./dead-letters.js";
import { matchesPattern, validatePattern } from "./event-pattern.js";
import type { Resolver } from "./intrinsics.js";
import type { IamLocal } from "./iam.js";
import type { LambdaRuntime } from "./lambda-runtime.js";

/** One `AWS::Lambda::EventSourceMapping` on a DynamoDB stream, as configured in the template. */
export interface StreamMapping {
  id: string;
  functionName: string;
  tableName: string;
  batchSize: number;
  startingPosition: "TRIM_HORIZON" | "LATEST";
  filters: unknown[];
  /** -1: until the record expires, as in AWS. */
  maxRetries: number;
  maxRecordAgeSeconds: number;
  bisect: boolean;
  reportItemFailures: boolean;
  onFailureQueue?: string;
  enabled: boolean;
}

/** A stream record in the shape Lambda delivers it. */
interface LambdaStreamRecord {
  eventID: string;
  eventName: string;
  eventVersion: "1.1";
  eventSource: "aws:dynamodb";
  awsRegion: string;
  eventSourceARN: string;
  dynamodb: Record<string, unknown> & { SequenceNumber: string; ApproximateCreationDateTime: number };
}

interface Checkpoints {
  streamArn: string;
  /** Last sequence number handed to the function (or filtered out) per shard; "done" once a closed shard is drained. */
  shards: Record<string, { after?: string; done?: boolean }>;
}

/** Poll interval when a shard is caught up (AWS polls about four times a second). */
const POLL_MS = 100;
const RETRY_BASE_MS = 100;
const RETRY_CAP_MS = 5000;

/**
 * DynamoDB stream event sources: polls DynamoDB Local's streams and invokes the mapped function
 * the way Lambda does. Shards in order (parents before children), one batch at a time per shard,
 * filter criteria applied before invocation (filtered-out records are skipped, not retried),
 * ReportBatchItemFailures (resume at the first failed record), retries with backoff, bisection
 * on error, and an on-failure queue that receives the failed batch's stream position. The
 * position is checkpointed to disk after each batch, so a restart resumes where it stopped.
 */
export class DynamoStreamsLocal {
  readonly mappings: StreamMapping[] = [];
  readonly stats = { batches: 0, records: 0, filteredOut: 0, failedBatches: 0 };
  private readonly client: DynamoDBStreamsClient;
  private readonly dir: string;
  private running = false;
  private paused = false;
  private loops: Promise<void>[] = [];
  private busy = 0;
  /** Per mapping: its polling pass count, how to cut its sleep short, and who waits for an empty pass. */
  private readonly pollers = new Map<string, { cycle: number; wake?: () => void; waiters: { after: number; resolve: () => void }[] }>();

  constructor(
    assembly: CloudAssembly,
    resolver: Resolver,
    private readonly lambda: LambdaRuntime,
    private readonly dynamodb: DynamoDBClient,
    dynamodbEndpoint: string,
    private readonly deadLetters: DeadLetterStore,
    dataDir: string,
    iam: IamLocal,
  ) {
    this.dir = path.join(dataDir, "stream-checkpoints");
    this.client = new DynamoDBStreamsClient({ endpoint: dynamodbEndpoint, region: LOCAL_REGION, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    const queueName = queueNameOf(assembly, resolver);
    for (const { stack, logicalId, resource } of assembly.ofType("AWS::Lambda::EventSourceMapping")) {
      const p = resolver.resolve(stack, resource.Properties ?? {}) as Record<string, unknown>;
      const source = text(p.EventSourceArn);
      // Queues are polled by local/sqs.ts.
      if (source.startsWith("arn:aws:sqs:")) continue;
      const table = /^arn:aws:dynamodb:[^:]*:[^:]*:table\/([^/]+)\/stream\//.exec(source)?.[1];
      if (!table) throw new Error(`EventSourceMapping ${logicalId}: ${source} is not a DynamoDB stream; the local cloud runs only DynamoDB stream and SQS sources`);
      const fn = lambda.find(text(p.FunctionName));
      if (!fn) throw new Error(`EventSourceMapping ${logicalId}: function ${text(p.FunctionName)} is not in the assembly`);
      const onFailure = ((p.DestinationConfig as { OnFailure?: { Destination?: string } } | undefined)?.OnFailure?.Destination) ?? undefined;
      // Lambda reads the stream, and sends failures on, as the function's role: CreateEventSourceMapping
      // refuses a role that cannot, and so does the local cloud, at start.
      const role = iam.session(fn.roleArn, fn.name);
      const cannot = ["dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"].filter((a) => !iam.allows(role, a, source));
      if (cannot.length) throw new Error(`EventSourceMapping ${logicalId}: Cannot access stream ${source}. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM (missing: ${cannot.join(", ")})`);
      if (onFailure && !iam.allows(role, "sqs:SendMessage", onFailure)) throw new Error(`EventSourceMapping ${logicalId}: the function's role may not sqs:SendMessage to its on-failure destination ${onFailure}`);
      this.mappings.push({
        id: `${stack}-${logicalId}`,
        functionName: fn.name,
        tableName: table,
        batchSize: Number(p.BatchSize ?? 100),
        startingPosition: text(p.StartingPosition, "TRIM_HORIZON") === "LATEST" ? "LATEST" : "TRIM_HORIZON",
        filters: ((p.FilterCriteria as { Filters?: { Pattern: string }[] } | undefined)?.Filters ?? []).map((f) => {
          const pattern = JSON.parse(f.Pattern) as unknown;
          // Lambda refuses an invalid filter when the mapping is created: so does the local cloud, at start.
          try {
            validatePattern(pattern);
          } catch (e) {
            throw new Error(`EventSourceMapping ${logicalId}: ${(e as Error).message}`);
          }
          return pattern;
        }),
        maxRetries: Number(p.MaximumRetryAttempts ?? -1),
        maxRecordAgeSeconds: Number(p.MaximumRecordAgeInSeconds ?? -1),
        bisect: p.BisectBatchOnFunctionError === true || p.BisectBatchOnFunctionError === "true",
        reportItemFailures: ((p.FunctionResponseTypes as string[] | undefined) ?? []).includes("ReportBatchItemFailures"),
        onFailureQueue: onFailure ? queueName(onFailure) : undefined,
        enabled: p.Enabled !== false && p.Enabled !== "false",
      });
    }
  }

  /** Finds each mapped table's stream (a table without one is a loud error), then starts polling. */
  async start(): Promise<void> {
    const enabled = this.mappings.filter((m) => m.enabled);
    const arns = await Promise.all(
      enabled.map(async (m) => {
        const arn = (await this.dynamodb.send(new DescribeTableCommand({ TableName: m.tableName }))).Table?.LatestStreamArn;
        if (!arn) throw new Error(`EventSourceMapping ${m.id}: table ${m.tableName} has no stream`);
        return arn;
      }),
    );
    this.running = true;
    // Registered now, so idle() waits for every poller even before its first pass.
    for (const m of enabled) this.pollers.set(m.id, { cycle: 0, waiters: [] });
    this.loops = enabled.map((m, i) => this.run(m, arns[i] ?? ""));
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const p of this.pollers.values()) p.wake?.();
    await Promise.allSettled(this.loops);
    for (const p of this.pollers.values()) for (const w of p.waiters.splice(0)) w.resolve();
    this.client.destroy();
  }

  /** Stops polling (records wait in the stream) until resume(); the bench uses it to measure the write path alone. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const p of this.pollers.values()) p.wake?.();
  }

  /** Batches being delivered now. */
  inFlight(): number {
    return this.busy;
  }

  /** True when no batch is being delivered. */
  isIdle(): boolean {
    return this.busy === 0;
  }

  /** Resolves once a whole polling pass that began after this call found nothing new on any shard. */
  idle(): Promise<void> {
    if (!this.running || this.paused) return Promise.resolve();
    return Promise.all(
      [...this.pollers.values()].map(
        (p) =>
          new Promise<void>((resolve) => {
            p.waiters.push({ after: p.cycle, resolve });
            p.wake?.();
          }),
      ),
    ).then(() => undefined);
  }

  private async run(m: StreamMapping, streamArn: string): Promise<void> {
    const poller = this.pollers.get(m.id) ?? { cycle: 0, waiters: [] };
    const file = path.join(this.dir, `${m.id}.json`);
    let cp: Checkpoints = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Checkpoints) : { streamArn, shards: {} };
    // A recreated table has a new stream: old positions mean nothing there.
    if (cp.streamArn !== streamArn) cp = { streamArn, shards: {} };
    const fresh = Object.keys(cp.shards).length === 0;
    const save = () => {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify(cp));
      renameSync(`${file}.tmp`, file);
    };
    const iterators = new Map<string, string>();
    while (this.running) {
      if (this.paused) {
        await new Promise<void>((r) => ((poller.wake = r), setTimeout(r, POLL_MS)));
        continue;
      }
      const cycle = ++poller.cycle;
      let found = 0;
      try {
        const shards = await this.shards(streamArn);
        const known = new Set(shards.map((s) => s.ShardId));
        for (const shard of shards) {
          const id = shard.ShardId ?? "";
          const state = (cp.shards[id] ??= {});
          if (state.done) continue;
          const parent = shard.ParentShardId;
          if (parent && known.has(parent) && !cp.shards[parent]?.done) continue;
          let iterator = iterators.get(id);
          if (!iterator) {
            const type = state.after ? "AFTER_SEQUENCE_NUMBER" : fresh && m.startingPosition === "LATEST" ? "LATEST" : "TRIM_HORIZON";
            try {
              iterator = (await this.client.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: id, ShardIteratorType: type, SequenceNumber: state.after }))).ShardIterator;
            } catch (error) {
              if ((error as Error).name !== "TrimmedDataAccessException") throw error;
              // The checkpoint is older than the stream keeps (24 h): those records are gone, as in
              // AWS; go on from the oldest one left. Without a checkpoint the shard is just empty.
              if (state.after) console.error(`[streams] ${m.id}: records after ${state.after} on ${id} expired; resuming at the oldest record kept`);
              delete state.after;
              continue;
            }
          }
          const out = await this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
          const records = out.Records ?? [];
          found += records.length;
          for (let i = 0; i < records.length && this.running; i += m.batchSize) {
            await this.deliver(m, streamArn, id, records.slice(i, i + m.batchSize));
            state.after = records[Math.min(i + m.batchSize, records.length) - 1]?.dynamodb?.SequenceNumber;
            save();
          }
          if (out.NextShardIterator) iterators.set(id, out.NextShardIterator);
          else {
            iterators.delete(id);
            state.done = true;
            save();
          }
        }
      } catch (error) {
        // An expired or trimmed iterator: start the shard again from its checkpoint. This cycle
        // read nothing for sure, so nobody waiting for the stream to drain is told it has.
        iterators.clear();
        found = -1;
        if (this.running) console.error(`[streams] ${m.id}: ${(error as Error).message}`);
      }
      if (found < 0 && this.running) await new Promise((r) => setTimeout(r, POLL_MS));
      if (found === 0) {
        const done = poller.waiters.filter((w) => w.after < cycle);
        poller.waiters = poller.waiters.filter((w) => w.after >= cycle);
        for (const w of done) w.resolve();
        if (this.running) await new Promise<void>((r) => ((poller.wake = r), setTimeout(r, POLL_MS)));
      }
    }
  }

  private async shards(streamArn: string): Promise<Shard[]> {
    const all: Shard[] = [];
    let start: string | undefined;
    do {
      const d = await this.client.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      all.push(...(d.StreamDescription?.Shards ?? []));
      start = d.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return all;
  }

  /** Hands one batch (already read, in order) to the function until it succeeds or is given up. */
  private async deliver(m: StreamMapping, streamArn: string, shardId: string, raw: StreamRecord[]): Promise<void> {
    const records = raw.map((r) => toLambdaRecord(r, streamArn));
    const batch = m.filters.length ? records.filter((r) => m.filters.some((f) => matchesPattern(f, r))) : records;
    this.stats.filteredOut += records.length - batch.length;
    if (batch.length === 0) return;
    this.busy++;
    try {
      await this.attempt(m, streamArn, shardId, batch, 0);
    } finally {
      this.busy--;
    }
  }

  private async attempt(m: StreamMapping, streamArn: string, shardId: string, batch: LambdaStreamRecord[], retries: number): Promise<void> {
    this.stats.batches++;
    this.stats.records += batch.length;
    const result = await this.lambda.invoke(m.functionName, { Records: batch }, { background: true });
    let failedFrom = -1;
    let error = "";
    if (!result.ok) {
      failedFrom = 0;
      error = `${result.errorType}: ${result.errorMessage}`;
    } else if (m.reportItemFailures) {
      const failures = (result.result as { batchItemFailures?: { itemIdentifier?: string }[] } | null)?.batchItemFailures ?? [];
      if (failures.length) {
        // The lowest reported sequence number wins; an identifier not in the batch fails the whole batch.
        const indexes = failures.map((f) => batch.findIndex((r) => r.dynamodb.SequenceNumber === f.itemIdentifier));
        failedFrom = indexes.includes(-1) ? 0 : Math.min(...indexes);
        error = "ReportBatchItemFailures";
      }
    }
    if (failedFrom < 0) return;
    this.stats.failedBatches++;
    const rest = batch.slice(failedFrom);
    if (m.bisect && failedFrom === 0 && rest.length > 1) {
      // Bisection: each half is tried on its own (a split is not a retry), so a poisoned record
      // ends up alone and only it can exhaust its retries; the records beside it get through.
      const half = Math.ceil(rest.length / 2);
      await this.attempt(m, streamArn, shardId, rest.slice(0, half), retries);
      await this.attempt(m, streamArn, shardId, rest.slice(half), retries);
      return;
    }
    const oldest = rest[0]?.dynamodb.ApproximateCreationDateTime ?? 0;
    const tooOld = m.maxRecordAgeSeconds >= 0 && Date.now() / 1000 - oldest > m.maxRecordAgeSeconds;
    if (tooOld || (m.maxRetries >= 0 && retries >= m.maxRetries)) {
      this.giveUp(m, streamArn, shardId, rest, retries + 1, error);
      return;
    }
    await new Promise((r) => setTimeout(r, Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** retries)));
    await this.attempt(m, streamArn, shardId, rest, retries + 1);
  }

  /** Like Lambda, the on-failure destination gets where the batch sits in the stream, not the records. */
  private giveUp(m: StreamMapping, streamArn: string, shardId: string, batch: LambdaStreamRecord[], attempts: number, error: string): void {
    const info = {
      requestContext: { condition: "RetryAttemptsExhausted", functionArn: this.lambda.find(m.functionName)?.arn, approximateInvokeCount: attempts },
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: batch[0]?.dynamodb.SequenceNumber,
        endSequenceNumber: batch.at(-1)?.dynamodb.SequenceNumber,
        approximateArrivalOfFirstRecord: new Date((batch[0]?.dynamodb.ApproximateCreationDateTime ?? 0) * 1000).toISOString(),
        approximateArrivalOfLastRecord: new Date((batch.at(-1)?.dynamodb.ApproximateCreationDateTime ?? 0) * 1000).toISOString(),
        batchSize: batch.length,
        streamArn,
      },
    };
    if (!m.onFailureQueue) return console.error(`[streams] ${m.id}: batch of ${batch.length} dropped after ${attempts} attempts (no on-failure destination): ${error}`);
    const [errorType, ...message] = error.split(": ");
    this.deadLetters.add({ queue: m.onFailureQueue, at: new Date().toISOString(), rule: m.id, target: m.functionName, attempts, errorType: errorType ?? "", errorMessage: message.join(": "), event: info });
  }
}

type Image = Record<string, unknown>;

/**
 * An image with every empty map given back its type. DynamoDB Local's stream, as the SDK reads
 * it, hands an empty map (`{ M: {} }` in AWS's records) on as a value-less attribute `{}`, which
 * no consumer can unmarshall ("No value defined"); empty lists and everything else come through.
 */
export function withEmptyMaps(image: Image): Image {
  const fix = (v: unknown): unknown => {
    if (!v || typeof v !== "object") return v;
    const av = v as { M?: Image; L?: unknown[] };
    if (Object.keys(av).length === 0) return { M: {} };
    if (av.M) return { ...av, M: withEmptyMaps(av.M) };
    if (av.L) return { ...av, L: av.L.map(fix) };
    return av;
  };
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, fix(v)]));
}

function toLambdaRecord(r: StreamRecord, streamArn: string): LambdaStreamRecord {
  const raw = r.dynamodb ?? {};
  const d = { ...raw, ...(raw.NewImage ? { NewImage: withEmptyMaps(raw.NewImage) } : {}), ...(raw.OldImage ? { OldImage: withEmptyMaps(raw.OldImage) } : {}) } as typeof raw;
  return {
    eventID: r.eventID ?? "",
    eventName: r.eventName ?? "",
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: LOCAL_REGION,
    eventSourceARN: streamArn,
    dynamodb: {
      ...d,
      SequenceNumber: d.SequenceNumber ?? "0",
      ApproximateCreationDateTime: Math.floor((d.ApproximateCreationDateTime ?? new Date()).getTime() / 1000),
    },
  };
}
