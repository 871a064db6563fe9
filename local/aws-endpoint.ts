import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { LocalHttpServer } from "./http-server.js";
import { LOCAL_ACCOUNT, LOCAL_REGION, text } from "./assembly.js";
import { AwsError } from "./aws-errors.js";
import { InvalidEventPatternError, matchesPattern } from "./event-pattern.js";
import type { LocalClock } from "./clock.js";
import type { DeadLetterStore } from "./dead-letters.js";
import type { EventBridgeLocal, PutEventsEntry } from "./eventbridge.js";
import { busArn, dynamoAccess, type IamLocal, type Session } from "./iam.js";
import type { SchedulerLocal } from "./scheduler.js";
import type { SecretsLocal } from "./secrets.js";
import { SqsLocal } from "./sqs.js";
import type { LocalExecution, StepFunctionsLocal } from "./stepfunctions.js";

/** Counters of the DynamoDB traffic that passed through, from each response's ConsumedCapacity. */
export interface DynamoStats {
  requests: number;
  readCapacityUnits: number;
  writeCapacityUnits: number;
}

type Body = Record<string, unknown>;
const WRITE_OPERATIONS = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems", "ExecuteTransaction"]);
const epoch = (iso: string | undefined) => (iso ? new Date(iso).getTime() / 1000 : undefined);

function page<T>(items: T[], max: unknown, token: unknown): { items: T[]; nextToken?: string } {
  const start = token ? Number(Buffer.from(text(token), "base64url").toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw new AwsError("InvalidToken", "Invalid Token");
  const size = Number(max) > 0 ? Number(max) : 100;
  const slice = items.slice(start, start + size);
  return start + size < items.length ? { items: slice, nextToken: Buffer.from(String(start + size)).toString("base64url") } : { items: slice };
}

const summary = (e: LocalExecution) => ({
  executionArn: e.executionArn,
  stateMachineArn: e.stateMachineArn,
  name: e.name,
  status: e.status,
  startDate: epoch(e.startDate),
  stopDate: epoch(e.stopDate),
});

/**
 * One AWS-compatible endpoint for the functions and the AWS CLI: it speaks the AWS JSON
 * protocols and dispatches on X-Amz-Target (Step Functions, EventBridge, Secrets Manager, SQS here;
 * DynamoDB passed through to DynamoDB Local).
 */
export class AwsEndpoint extends LocalHttpServer {
  readonly dynamoStats: DynamoStats = { requests: 0, readCapacityUnits: 0, writeCapacityUnits: 0 };
  private idleProbe?: { state: () => unknown; wait: () => Promise<void> };

  constructor(
    private readonly services: {
      sfn: StepFunctionsLocal;
      events: EventBridgeLocal;
      secrets: SecretsLocal;
      clock: LocalClock;
      deadLetters: DeadLetterStore;
      scheduler: SchedulerLocal;
      iam: IamLocal;
      sqs: SqsLocal;
      dynamoEndpoint: string;
    },
  ) {
    super();
  }

  /** How OmsLocal.GetIdleState and OmsLocal.WaitForIdle see the whole cloud (set once everything runs). */
  setIdleProbe(probe: { state: () => unknown; wait: () => Promise<void> }): void {
    this.idleProbe = probe;
  }

  /** Waits for the cloud to settle, up to `timeoutMs`; a timeout is an error that carries what was still in flight. */
  private async waitForIdle(b: Body): Promise<unknown> {
    const probe = this.idleProbe;
    if (!probe) throw new AwsError("ServiceUnavailable", "The local cloud is still starting", 503);
    const timeoutMs = b.timeoutMs === undefined ? 30_000 : Number(b.timeoutMs);
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new AwsError("ValidationException", "timeoutMs must be a positive number");
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      probe.wait().then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
    if (!settled) throw new AwsError("TimeoutException", `The local cloud was not idle after ${timeoutMs} ms: ${JSON.stringify(probe.state())}`, 408);
    return probe.state();
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const target = String(req.headers["x-amz-target"] ?? "");
    const [service = "", op = ""] = target.split(".");
    // Who signed the call: a function's role session (checked against its policies) or the operator.
    const session = this.services.iam.sessionOf(req.headers.authorization);
    if (service.startsWith("DynamoDB")) {
      try {
        if (session) for (const [action, resources] of dynamoAccess(op, JSON.parse(raw.toString("utf8") || "{}") as Body)) this.services.iam.authorize(session, action, resources);
      } catch (error) {
        const e = error instanceof AwsError ? error : new AwsError("SerializationException", (error as Error).message);
        res.writeHead(e.status, { "content-type": "application/x-amz-json-1.0", "x-amzn-errortype": e.code });
        res.end(JSON.stringify({ __type: `com.amazon.coral.service#${e.code}`, Message: e.message }));
        return;
      }
      return this.proxyDynamo(req, raw, res, op);
    }
    const json11 = service === "AWSEvents" || service === "secretsmanager";
    const contentType = json11 ? "application/x-amz-json-1.1" : "application/x-amz-json-1.0";
    try {
      const body = (raw.length ? JSON.parse(raw.toString("utf8")) : {}) as Body;
      if (session) this.authorize(session, service, op, body);
      let out: unknown;
      if (service === "AWSStepFunctions") out = this.stepFunctions(op, body);
      else if (service === "OmsLocal" && op === "WaitForIdle") out = await this.waitForIdle(body);
      else if (service === "OmsLocal" && op === "FireSchedule") out = await this.services.scheduler.fire(text(body.name)).then(() => ({ fired: text(body.name) }));
      else if (service === "AWSEvents") out = this.events(op, body);
      else if (service === "secretsmanager") out = this.secretsManager(op, body);
      else if (service === "AmazonSQS") out = this.queues(op, body);
      else if (service === "OmsLocal") out = this.admin(op, body);
      else throw new AwsError("UnknownOperationException", `The local cloud does not implement ${target || req.url}`);
      res.writeHead(200, { "content-type": contentType });
      res.end(JSON.stringify(out));
    } catch (error) {
      if (res.headersSent) {
        console.error(`[aws-endpoint] ${target}: failed after answering: ${(error as Error).stack ?? String(error)}`);
        res.destroy();
        return;
      }
      const e = error instanceof AwsError ? error : new AwsError("InternalFailure", (error as Error).message, 500);
      const sqs = service === "AmazonSQS";
      res.writeHead(e.status, { "content-type": contentType, "x-amzn-errortype": e.code, ...(sqs ? { "x-amzn-query-error": `AWS.SimpleQueueService.${e.code};Sender` } : {}) });
      res.end(JSON.stringify({ __type: sqs ? `com.amazonaws.sqs#${e.code}` : e.code, message: e.message }));
    }
  }

  /** SQS over the AWS JSON protocol (what SDK v3 and CLI v2 speak). */
  private queues(op: string, b: Body): unknown {
    const { sqs } = this.services;
    const url = text(b.QueueUrl);
    const entries = (b.Entries ?? []) as Body[];
    const batch = (each: (e: Body) => Body) => {
      const Successful: Body[] = [];
      const Failed: Body[] = [];
      for (const e of entries) {
        try {
          Successful.push({ Id: e.Id, ...each(e) });
        } catch (error) {
          const x = error instanceof AwsError ? error : new AwsError("InternalError", (error as Error).message);
          Failed.push({ Id: e.Id, Code: x.code, Message: x.message, SenderFault: true });
        }
      }
      return { Successful, Failed };
    };
    const send = (e: Body) => sqs.send(url, text(e.MessageBody), { delaySeconds: e.DelaySeconds === undefined ? undefined : Number(e.DelaySeconds), messageAttributes: e.MessageAttributes as never });
    switch (op) {
      case "GetQueueUrl":
        return { QueueUrl: sqs.queue(text(b.QueueName)).url };
      case "ListQueues":
        return { QueueUrls: [...sqs.queues.values()].filter((q) => !b.QueueNamePrefix || q.name.startsWith(text(b.QueueNamePrefix))).map((q) => q.url) };
      case "GetQueueAttributes":
        return { Attributes: sqs.attributes(url) };
      case "SendMessage":
        return send(b);
      case "SendMessageBatch":
        return batch(send);
      case "ReceiveMessage": {
        const max = Number(b.MaxNumberOfMessages ?? 1);
        if (!(max >= 1 && max <= 10)) throw new AwsError("InvalidParameterValue", "Value for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
        return { Messages: sqs.receive(url, max, b.VisibilityTimeout === undefined ? undefined : Number(b.VisibilityTimeout)).map((m) => SqsLocal.wire(m)) };
      }
      case "DeleteMessage":
        sqs.delete(url, text(b.ReceiptHandle));
        return {};
      case "DeleteMessageBatch":
        return batch((e) => (sqs.delete(url, text(e.ReceiptHandle)), {}));
      case "ChangeMessageVisibility":
        sqs.changeVisibility(url, text(b.ReceiptHandle), Number(b.VisibilityTimeout));
        return {};
      case "PurgeQueue":
        sqs.purge(url);
        return {};
      default:
        throw new AwsError("UnsupportedOperation", `SQS ${op} is not implemented by the local cloud`);
    }
  }

  /** The IAM action and resources of a Step Functions, EventBridge, Secrets Manager or local call, checked against the caller's role. */
  private authorize(session: Session, service: string, op: string, b: Body): void {
    const { iam, sfn, secrets } = this.services;
    if (service === "AWSStepFunctions") {
      // SendTask* is checked against the token's state machine, as AWS does.
      const resource = b.taskToken !== undefined ? sfn.machineOfToken(text(b.taskToken)) : text(b.stateMachineArn ?? b.executionArn, "*");
      iam.authorize(session, `states:${op}`, [resource]);
    } else if (service === "AWSEvents") {
      if (op === "PutEvents") iam.authorize(session, "events:PutEvents", [...new Set(((b.Entries ?? []) as { EventBusName?: string }[]).map((e) => busArn(e.EventBusName)))]);
      else iam.authorize(session, `events:${op}`, [b.Name || b.Rule ? `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${text(b.Name ?? b.Rule)}` : "*"]);
    } else if (service === "secretsmanager") {
      let arn = text(b.SecretId);
      try {
        arn = secrets.get(arn).arn;
      } catch {
        // An unknown secret: AWS checks the permission on the ARN asked for, then answers ResourceNotFound.
      }
      iam.authorize(session, `secretsmanager:${op}`, [arn]);
    } else if (service === "AmazonSQS") {
      const op1 = op.replace(/Batch$/, "");
      iam.authorize(session, `sqs:${op1}`, [op === "ListQueues" ? "*" : this.services.sqs.queue(text(b.QueueUrl ?? b.QueueName)).arn]);
    } else iam.authorize(session, `${service}:${op}`, ["*"]);
  }

  private proxyDynamo(req: IncomingMessage, raw: Buffer, res: ServerResponse, op: string): void {
    const url = new URL(this.services.dynamoEndpoint);
    const headers = { ...req.headers, host: url.host, "content-length": String(raw.length) };
    const upstream = httpRequest({ hostname: url.hostname, port: url.port, method: req.method, path: req.url, headers }, (up) => {
      const chunks: Buffer[] = [];
      up.on("data", (c: Buffer) => chunks.push(c));
      up.on("end", () => {
        const body = Buffer.concat(chunks);
        this.count(op, body);
        res.writeHead(up.statusCode ?? 500, up.headers);
        res.end(body);
      });
    });
    upstream.on("error", (e) => {
      res.writeHead(500, { "content-type": "application/x-amz-json-1.0" });
      res.end(JSON.stringify({ __type: "InternalServerError", message: `DynamoDB Local: ${e.message}` }));
    });
    upstream.end(raw);
  }

  /** Adds a response's ConsumedCapacity (TOTAL mode reports only CapacityUnits: the operation says read or write). */
  private count(op: string, body: Buffer): void {
    this.dynamoStats.requests++;
    const write = WRITE_OPERATIONS.has(op);
    try {
      const parsed = JSON.parse(body.toString("utf8")) as { ConsumedCapacity?: unknown };
      const cc = parsed.ConsumedCapacity;
      for (const c of (Array.isArray(cc) ? cc : cc ? [cc] : []) as { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number }[]) {
        this.dynamoStats.readCapacityUnits += c.ReadCapacityUnits ?? (write ? 0 : (c.CapacityUnits ?? 0));
        this.dynamoStats.writeCapacityUnits += c.WriteCapacityUnits ?? (write ? (c.CapacityUnits ?? 0) : 0);
      }
    } catch {
      // Not JSON (never expected from DynamoDB): nothing to count.
    }
  }

  private stepFunctions(op: string, b: Body): unknown {
    const { sfn } = this.services;
    switch (op) {
      case "ListStateMachines": {
        const all = [...sfn.machines.values()].map((m) => ({ stateMachineArn: m.arn, name: m.name, type: m.type, creationDate: epoch(m.creationDate) }));
        const p = page(all, b.maxResults, b.nextToken);
        return { stateMachines: p.items, nextToken: p.nextToken };
      }
      case "DescribeStateMachine": {
        const m = sfn.machine(text(b.stateMachineArn));
        return { stateMachineArn: m.arn, name: m.name, status: "ACTIVE", definition: m.definitionString, roleArn: m.roleArn, type: m.type, creationDate: epoch(m.creationDate) };
      }
      case "StartExecution": {
        const e = sfn.startExecution(text(b.stateMachineArn), b.name as string | undefined, b.input as string | undefined);
        return { executionArn: e.executionArn, startDate: epoch(e.startDate) };
      }
      case "DescribeExecution": {
        const e = sfn.execution(text(b.executionArn));
        return {
          ...summary(e),
          input: e.input,
          inputDetails: { included: true },
          ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
          ...(e.error !== undefined ? { error: e.error, cause: e.cause } : {}),
        };
      }
      case "ListExecutions": {
        sfn.machine(text(b.stateMachineArn));
        const all = [...sfn.executions.values()]
          .filter((e) => e.stateMachineArn === b.stateMachineArn && (!b.statusFilter || e.status === b.statusFilter))
          .sort((x, y) => y.startDate.localeCompare(x.startDate))
          .map(summary);
        const p = page(all, b.maxResults, b.nextToken);
        return { executions: p.items, nextToken: p.nextToken };
      }
      case "GetExecutionHistory": {
        const e = sfn.execution(text(b.executionArn));
        const events = e.history.map((h) => ({ ...h, timestamp: epoch(h.timestamp) }));
        const p = page(b.reverseOrder ? events.reverse() : events, b.maxResults, b.nextToken);
        return { events: p.items, nextToken: p.nextToken };
      }
      case "SendTaskSuccess":
        sfn.sendTask("success", text(b.taskToken), { output: text(b.output) });
        return {};
      case "SendTaskFailure":
        sfn.sendTask("failure", text(b.taskToken), { error: b.error as string | undefined, cause: b.cause as string | undefined });
        return {};
      case "SendTaskHeartbeat":
        sfn.sendTask("heartbeat", text(b.taskToken));
        return {};
      case "StopExecution": {
        const e = sfn.stopExecution(text(b.executionArn), b.error as string | undefined, b.cause as string | undefined);
        return { stopDate: epoch(e.stopDate ?? new Date().toISOString()) };
      }
      default:
        throw new AwsError("UnknownOperationException", `Step Functions ${op} is not implemented by the local cloud`);
    }
  }

  private events(op: string, b: Body): unknown {
    const { events } = this.services;
    const describe = (r: (typeof events.rules)[number]) => ({
      Name: r.name,
      Arn: r.arn,
      EventBusName: r.busName,
      State: r.state,
      ...(r.description ? { Description: r.description } : {}),
      ...(r.pattern ? { EventPattern: JSON.stringify(r.pattern) } : {}),
      ...(r.scheduleExpression ? { ScheduleExpression: r.scheduleExpression } : {}),
    });
    switch (op) {
      case "PutEvents":
        return events.putEvents(b.Entries as PutEventsEntry[]);
      case "ListRules": {
        const bus = text(b.EventBusName, "default");
        const all = events.rules.filter((r) => r.busName === bus && (!b.NamePrefix || r.name.startsWith(text(b.NamePrefix)))).map(describe);
        const p = page(all, b.Limit, b.NextToken);
        return { Rules: p.items, NextToken: p.nextToken };
      }
      case "DescribeRule": {
        const bus = text(b.EventBusName, "default");
        const r = events.rules.find((x) => x.name === b.Name && x.busName === bus);
        if (!r) throw new AwsError("ResourceNotFoundException", `Rule ${text(b.Name)} does not exist on EventBus ${bus}.`);
        return describe(r);
      }
      case "ListTargetsByRule": {
        const r = events.rules.find((x) => x.name === b.Rule && x.busName === text(b.EventBusName, "default"));
        if (!r) throw new AwsError("ResourceNotFoundException", `Rule ${text(b.Rule)} does not exist.`);
        return { Targets: r.targets.map((t) => ({ Id: t.id, Arn: t.arn })) };
      }
      case "TestEventPattern": {
        let pattern: unknown, event: unknown;
        try {
          pattern = JSON.parse(text(b.EventPattern));
          event = JSON.parse(text(b.Event));
        } catch {
          throw new AwsError("InvalidEventPatternException", "Event pattern or event is not valid JSON");
        }
        try {
          return { Result: matchesPattern(pattern, event) };
        } catch (e) {
          if (e instanceof InvalidEventPatternError) throw new AwsError("InvalidEventPatternException", e.message);
          throw e;
        }
      }
      default:
        throw new AwsError("UnknownOperationException", `EventBridge ${op} is not implemented by the local cloud`);
    }
  }

  /** The local cloud's own controls (X-Amz-Target "OmsLocal.<op>"): clock and dead letters. */
  private admin(op: string, b: Body): unknown {
    const { clock } = this.services;
    switch (op) {
      case "GetClock":
        return { now: clock.iso() };
      case "GetIdleState":
        if (!this.idleProbe) throw new AwsError("ServiceUnavailable", "The local cloud is still starting", 503);
        return this.idleProbe.state();
      case "AdvanceClock": {
        const ms = Number(b.milliseconds);
        if (!Number.isFinite(ms) || ms < 0) throw new AwsError("ValidationException", "milliseconds must be a non-negative number");
        clock.advance(ms);
        return { now: clock.iso() };
      }
      case "ListSchedules":
        return {
          schedules: this.services.scheduler.schedules.map((x) => ({
            name: x.name,
            kind: x.kind,
            expression: x.expression,
            timeZone: x.timeZone,
            enabled: x.enabled,
            nextFireAt: x.nextFireAt === undefined ? null : new Date(x.nextFireAt).toISOString(),
            lastFiredAt: x.lastFiredAt === undefined ? null : new Date(x.lastFiredAt).toISOString(),
          })),
        };
      case "ListArchivedEvents": {
        const name = text(b.archive) || this.services.events.archives[0]?.name;
        if (!name || !this.services.events.archives.some((a) => a.name === name)) throw new AwsError("ResourceNotFoundException", `Archive ${name ?? ""} does not exist`);
        const events = this.services.events.archived(name, { source: text(b.source) || undefined, detailType: text(b.detailType) || undefined });
        const limit = Number(b.limit ?? 100);
        return { archive: name, events: events.slice(-limit) };
      }
      case "ListDeadLetters":
        return { deadLetters: this.services.deadLetters.list(text(b.queue)) };
      default:
        throw new AwsError("UnknownOperationException", `OmsLocal.${op} does not exist`);
    }
  }

  private secretsManager(op: string, b: Body): unknown {
    if (op === "PutSecretValue") {
      if (typeof b.SecretString !== "string") throw new AwsError("InvalidParameterException", "PutSecretValue needs a SecretString (SecretBinary is not implemented by the local cloud)");
      const s = this.services.secrets.put(text(b.SecretId), b.SecretString);
      return { ARN: s.arn, Name: s.name, VersionId: "local", VersionStages: ["AWSCURRENT"] };
    }
    if (op === "CreateSecret") {
      if (typeof b.SecretString !== "string") throw new AwsError("InvalidParameterException", "CreateSecret needs a SecretString (SecretBinary is not implemented by the local cloud)");
      const s = this.services.secrets.create(text(b.Name), b.SecretString);
      return { ARN: s.arn, Name: s.name, VersionId: "local" };
    }
    if (op === "DescribeSecret") {
      const s = this.services.secrets.get(text(b.SecretId));
      return { ARN: s.arn, Name: s.name, CreatedDate: epoch(s.createdDate) };
    }
    if (op !== "GetSecretValue") throw new AwsError("UnknownOperationException", `Secrets Manager ${op} is not implemented by the local cloud`);
    const s = this.services.secrets.get(text(b.SecretId));
    return { ARN: s.arn, Name: s.name, SecretString: s.value, VersionId: "local", VersionStages: ["AWSCURRENT"], CreatedDate: epoch(s.createdDate) };
  }
}
