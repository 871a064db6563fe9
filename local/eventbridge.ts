import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { LOCAL_ACCOUNT, LOCAL_REGION, text, type CloudAssembly } from "./assembly.js";
import { queueNameOf, type DeadLetterStore } from "./dead-letters.js";
import { matchesPattern, validatePattern } from "./event-pattern.js";
import { InFlight } from "./in-flight.js";
import type { Resolver } from "./intrinsics.js";
import type { InvokeResult, LambdaRuntime } from "./lambda-runtime.js";
import type { SqsLocal } from "./sqs.js";
import { AwsError } from "./aws-errors.js";

export interface RuleTarget {
  id: string;
  arn: string;
  inputPath?: string;
  input?: string;
  inputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  maxAttempts: number;
  maxAgeSeconds: number;
  deadLetterQueue?: string;
}

export interface LocalRule {
  name: string;
  arn: string;
  busName: string;
  description?: string;
  pattern?: Record<string, unknown>;
  scheduleExpression?: string;
  state: string;
  targets: RuleTarget[];
}

/** An `AWS::Events::Archive`: the events of one bus that match its pattern, kept on disk. */
export interface LocalArchive {
  name: string;
  busName: string;
  pattern?: Record<string, unknown>;
}

export interface BusEvent {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string | Record<string, unknown>;
  EventBusName?: string;
  Resources?: string[];
  Time?: string | number;
}

/** Local retry delays are AWS's exponential backoff scaled down from seconds to milliseconds. */
const RETRY_BASE_MS = 100;
const RETRY_CAP_MS = 5000;

function dotted(obj: unknown, jsonPath: string): unknown {
  if (jsonPath === "$") return obj;
  return jsonPath
    .replace(/^\$\.?/, "")
    .split(".")
    .filter(Boolean)
    .reduce<unknown>((acc, k) => (acc && typeof acc === "object" ? (acc as Record<string, unknown>)[k] : undefined), obj);
}

/** The event buses and rules of the assembly: PutEvents, pattern matching, delivery with retries and a DLQ. */
export class EventBridgeLocal {
  readonly buses = new Set<string>(["default"]);
  readonly rules: LocalRule[] = [];
  readonly archives: LocalArchive[] = [];
  readonly stats = { entries: 0, deliveries: 0, failedDeliveries: 0 };
  private readonly inFlight = new InFlight();

  constructor(
    assembly: CloudAssembly,
    resolver: Resolver,
    private readonly lambda: LambdaRuntime,
    private readonly deadLetters: DeadLetterStore,
    private readonly archiveDir: string,
    private readonly sqs?: SqsLocal,
  ) {
    for (const { stack, logicalId } of assembly.ofType("AWS::Events::EventBus")) this.buses.add(resolver.physicalOf(stack, logicalId).ref);
    const queueName = queueNameOf(assembly, resolver);
    for (const { stack, logicalId, resource } of assembly.ofType("AWS::Events::Archive")) {
      const p = resolver.resolve(stack, resource.Properties ?? {}) as Record<string, unknown>;
      this.archives.push({ name: text(p.ArchiveName, `${stack}-${logicalId}`), busName: this.busName(text(p.SourceArn)), pattern: p.EventPattern as Record<string, unknown> | undefined });
    }
    for (const { stack, logicalId, resource } of assembly.ofType("AWS::Events::Rule")) {
      const p = resolver.resolve(stack, resource.Properties ?? {}) as Record<string, unknown>;
      const physical = resolver.physicalOf(stack, logicalId);
      // AWS refuses an invalid pattern at deploy (InvalidEventPatternException): so does the local cloud, at start.
      if (p.EventPattern !== undefined) {
        try {
          validatePattern(p.EventPattern);
        } catch (e) {
          throw new Error(`Rule ${stack}/${logicalId}: ${(e as Error).message}`);
        }
      }
      const targets = ((p.Targets as Record<string, unknown>[] | undefined) ?? []).map((t): RuleTarget => {
        const arn = String(t.Arn);
        const queue = arn.startsWith("arn:aws:sqs:");
        if (!queue && !lambda.find(arn)) throw new Error(`Rule ${logicalId}: target ${arn} is not a Lambda function or SQS queue of the assembly; the local cloud delivers only to those`);
        if (queue && queueName(arn) === arn) throw new Error(`Rule ${logicalId}: target ${arn} is not a queue of the assembly`);
        const retry = (t.RetryPolicy ?? {}) as { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
        const dlq = (t.DeadLetterConfig as { Arn?: string } | undefined)?.Arn;
        return {
          id: String(t.Id),
          arn,
          inputPath: t.InputPath as string | undefined,
          input: t.Input as string | undefined,
          inputTransformer: t.InputTransformer as RuleTarget["inputTransformer"],
          maxAttempts: 1 + (retry.MaximumRetryAttempts ?? 185),
          maxAgeSeconds: retry.MaximumEventAgeInSeconds ?? 86400,
          deadLetterQueue: dlq ? queueName(dlq) : undefined,
        };
      });
      this.rules.push({
        name: physical.ref,
        arn: physical.attributes.Arn ?? "",
        busName: text(p.EventBusName, "default"),
        description: p.Description as string | undefined,
        pattern: p.EventPattern as Record<string, unknown> | undefined,
        scheduleExpression: p.ScheduleExpression as string | undefined,
        state: text(p.State, "ENABLED"),
        targets,
      });
    }
  }

  /** PutEvents: per-entry results; matching rules' targets are invoked asynchronously. */
  putEvents(entries: PutEventsEntry[]): { FailedEntryCount: number; Entries: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[] } {
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10)
      throw new AwsError("ValidationException", "Entries must hold between 1 and 10 entries");
    let failed = 0;
    const results = entries.map((entry) => {
      const error = this.validate(entry);
      if (error) {
        failed++;
        return { ErrorCode: "InvalidArgument", ErrorMessage: error };
      }
      const event: BusEvent = {
        version: "0",
        id: randomUUID(),
        "detail-type": String(entry.DetailType),
        source: String(entry.Source),
        account: LOCAL_ACCOUNT,
        time: new Date(entry.Time ? (typeof entry.Time === "number" ? entry.Time * 1000 : entry.Time) : Date.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
        region: LOCAL_REGION,
        resources: entry.Resources ?? [],
        detail: typeof entry.Detail === "string" ? JSON.parse(entry.Detail) : entry.Detail,
      };
      this.stats.entries++;
      this.route(this.busName(entry.EventBusName), event);
      return { EventId: event.id };
    });
    return { FailedEntryCount: failed, Entries: results };
  }

  /** Target deliveries in flight (including their retries). */
  deliveriesInFlight(): number {
    return this.inFlight.size;
  }

  isIdle(): boolean {
    return this.inFlight.size === 0;
  }

  /** Resolves when no delivery is in flight (tests and the bench wait on this). */
  idle(): Promise<void> {
    return this.inFlight.idle();
  }

  private busName(nameOrArn: string | undefined): string {
    if (!nameOrArn) return "default";
    return nameOrArn.startsWith("arn:") ? (nameOrArn.split("/").pop() ?? nameOrArn) : nameOrArn;
  }

  private validate(entry: PutEventsEntry): string | undefined {
    if (!entry.Source) return "Parameter Source is not valid. Reason: Source is a required argument.";
    if (!entry.DetailType) return "Parameter DetailType is not valid. Reason: DetailType is a required argument.";
    if (entry.Detail === undefined) return "Parameter Detail is not valid. Reason: Detail is a required argument.";
    if (typeof entry.Detail === "string") {
      try {
        const d: unknown = JSON.parse(entry.Detail);
        if (typeof d !== "object" || d === null || Array.isArray(d)) return "Detail must be a JSON object.";
      } catch {
        return "Detail is malformed.";
      }
    }
    if (!this.buses.has(this.busName(entry.EventBusName))) return `Event bus ${entry.EventBusName} does not exist.`;
    return undefined;
  }

  /** Archived events, oldest first, optionally narrowed by source and detail type. */
  archived(name: string, filter: { source?: string; detailType?: string } = {}): BusEvent[] {
    const file = path.join(this.archiveDir, `${name}.jsonl`);
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as BusEvent)
      .filter((e) => (!filter.source || e.source === filter.source) && (!filter.detailType || e["detail-type"] === filter.detailType));
  }

  private route(bus: string, event: BusEvent): void {
    for (const archive of this.archives) {
      if (archive.busName !== bus || (archive.pattern && !matchesPattern(archive.pattern, event))) continue;
      mkdirSync(this.archiveDir, { recursive: true });
      appendFileSync(path.join(this.archiveDir, `${archive.name}.jsonl`), JSON.stringify(event) + "\n");
    }
    for (const rule of this.rules) {
      if (rule.busName !== bus || rule.state !== "ENABLED" || !rule.pattern) continue;
      if (!matchesPattern(rule.pattern, event)) continue;
      for (const target of rule.targets) this.deliver(rule, target, event);
    }
  }

  private targetInput(target: RuleTarget, event: BusEvent): unknown {
    if (target.input !== undefined) return JSON.parse(target.input) as unknown;
    if (target.inputPath) return dotted(event, target.inputPath);
    if (target.inputTransformer) {
      const values = Object.fromEntries(Object.entries(target.inputTransformer.InputPathsMap ?? {}).map(([k, p]) => [k, dotted(event, p)]));
      const template = target.inputTransformer.InputTemplate;
      // AWS inserts a value as JSON, except inside a quoted string, where the raw text goes in.
      const rendered = template.replace(/<([\w.-]+)>/g, (m, name: string, offset: number) => {
        if (!(name in values)) return m;
        const v = values[name];
        const insideQuotes = (template.slice(0, offset).match(/(?<!\\)"/g)?.length ?? 0) % 2 === 1;
        if (insideQuotes) return typeof v === "string" ? v : JSON.stringify(v);
        return v === undefined ? "null" : JSON.stringify(v);
      });
      try {
        return JSON.parse(rendered) as unknown;
      } catch {
        return rendered;
      }
    }
    return event;
  }

  /** An SQS target: the event (or its input) as the message body. The queue policy that lets EventBridge send is not checked locally. */
  private enqueue(target: RuleTarget, event: BusEvent): InvokeResult {
    if (!this.sqs) return { ok: false, errorType: "ResourceNotFoundException", errorMessage: `No queues run here for ${target.arn}` };
    try {
      const input = this.targetInput(target, event);
      this.sqs.send(target.arn, typeof input === "string" ? input : JSON.stringify(input));
      return { ok: true, result: null };
    } catch (error) {
      return { ok: false, errorType: (error as Error).name, errorMessage: (error as Error).message };
    }
  }

  private deliver(rule: LocalRule, target: RuleTarget, event: BusEvent): void {
    const started = Date.now();
    const attempt = async (n: number): Promise<void> => {
      // EventBridge invokes a function only where its resource policy (AWS::Lambda::Permission) lets
      // events.amazonaws.com do so from this rule; without one, the event is not retried: it goes
      // to the dead-letter queue with NO_PERMISSIONS, as AWS sends it.
      const invoked = target.arn.startsWith("arn:aws:sqs:") ? this.enqueue(target, event) : await this.lambda.invoke(target.arn, this.targetInput(target, event), { background: true, caller: { service: "events.amazonaws.com", sourceArn: rule.arn } });
      const permitted = invoked.ok || !invoked.denied;
      const result = permitted ? invoked : { ...invoked, errorType: "NO_PERMISSIONS" };
      if (!result.ok && !permitted) console.error(`[events] ${rule.name} → ${target.id}: ${result.errorMessage}`);
      this.stats.deliveries++;
      if (result.ok) return;
      this.stats.failedDeliveries++;
      const tooOld = (Date.now() - started) / 1000 >= target.maxAgeSeconds;
      if (n >= target.maxAttempts || tooOld || !permitted) {
        if (target.deadLetterQueue)
          this.deadLetters.add({
            queue: target.deadLetterQueue,
            at: new Date().toISOString(),
            rule: rule.name,
            target: target.id,
            attempts: n,
            errorType: result.errorType,
            errorMessage: result.errorMessage,
            event,
          });
        else console.error(`[events] ${rule.name} → ${target.id}: event ${event.id} dropped after ${n} attempts (no DLQ): ${result.errorMessage}`);
        return;
      }
      const delay = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (n - 1)) * (0.5 + Math.random() / 2);
      await new Promise((r) => setTimeout(r, delay));
      return attempt(n + 1);
    };
    void this.inFlight.track(() => attempt(1));
  }
}
