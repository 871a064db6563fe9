import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, type DescribeExecutionCommandOutput } from "@aws-sdk/client-sfn";
import { inject } from "vitest";
import { signWebhook } from "../../functions/adapters/channels/signature.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { DynamoNotificationOutbox, type OutboxEntry } from "../../functions/adapters/dynamodb/notification-outbox.js";

export const cloud = inject("cloud");
const aws = { endpoint: cloud.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
export const sfn = new SFNClient(aws);
export const dynamo = new DynamoDBClient(aws);
export const outbox = new DynamoNotificationOutbox(documentClient(dynamo), cloud.tableName);

/** POSTs a body to the generic webhook, signed with the channel secret unless told otherwise. */
export async function postOrder(
  body: unknown,
  opts: { secret?: string; t?: number; contentType?: string; signature?: string | null; raw?: string } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const raw = opts.raw ?? JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": opts.contentType ?? "application/json" };
  if (opts.signature !== null) headers["x-oms-signature"] = opts.signature ?? signWebhook(opts.secret ?? cloud.channelSecret, raw, opts.t);
  const res = await fetch(`${cloud.apiUrl}/webhooks/generic`, { method: "POST", headers, body: raw });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** GET with the operator token. */
export async function operatorGet(path: string, token: string | null = cloud.operatorToken): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${cloud.apiUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export const executionArn = (orderId: string) => `${cloud.stateMachineArn.replace(":stateMachine:", ":execution:")}:${orderId}`;

/** Polls until the order's execution is no longer RUNNING. */
export async function finishedExecution(orderId: string, timeoutMs = 30_000): Promise<DescribeExecutionCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(orderId) }));
    if (out.status !== "RUNNING") return out;
    if (Date.now() > deadline) throw new Error(`Execution ${orderId} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls until the order has at least `count` outbox entries. */
export async function notificationsOf(orderId: string, count: number, timeoutMs = 15_000): Promise<OutboxEntry[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entries = await outbox.forOrder(orderId);
    if (entries.length >= count || Date.now() > deadline) return entries;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every item in the table (small test tables only) and every execution: the "nothing was written" baseline. */
export async function snapshot(): Promise<{ items: number; executions: number }> {
  let items = 0;
  let start: Record<string, never> | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName: cloud.tableName, Select: "COUNT", ExclusiveStartKey: start }));
    items += page.Count ?? 0;
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  let executions = 0;
  let token: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: cloud.stateMachineArn, nextToken: token }));
    executions += page.executions?.length ?? 0;
    token = page.nextToken;
  } while (token);
  return { items, executions };
}

export interface ArchivedEvent {
  id: string;
  source: string;
  "detail-type": string;
  detail: { metadata: { eventId: string; correlationId: string }; data: Record<string, unknown> };
}

/** Events the local cloud archived from the OMS bus, narrowed by source, detail type and a predicate on the data. */
export async function archivedEvents(filter: { source?: string; detailType?: string; where?: (data: Record<string, unknown>) => boolean } = {}): Promise<ArchivedEvent[]> {
  const res = await fetch(cloud.awsEndpoint, {
    method: "POST",
    headers: { "x-amz-target": "OmsLocal.ListArchivedEvents", "content-type": "application/x-amz-json-1.0" },
    body: JSON.stringify({ source: filter.source, detailType: filter.detailType, limit: 100_000 }),
  });
  const { events } = (await res.json()) as { events: ArchivedEvent[] };
  return events.filter((e) => !filter.where || filter.where(e.detail.data));
}

/** Polls the archive until `predicate` holds for what it returns (or the time is up), then returns it. */
export async function eventually<T>(read: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (predicate(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}
