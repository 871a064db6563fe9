import { DynamoDBClient, ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { createHash } from "node:crypto";
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, type DescribeExecutionCommandOutput } from "@aws-sdk/client-sfn";
import { expect, inject } from "vitest";
import { signWebhook } from "../../functions/adapters/channels/signature.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { DynamoNotificationOutbox, type OutboxEntry } from "../../functions/adapters/dynamodb/notification-outbox.js";
import { waitFor } from "../support/wait.js";

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

/** Adds a channel's webhook secret to the channel secrets, as an operator does with `aws secretsmanager put-secret-value`. */
export async function putChannelSecret(channelId: string, secret: string): Promise<void> {
  const sm = new SecretsManagerClient(aws);
  const current = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: cloud.channelSecretsId }))).SecretString ?? "{}") as Record<string, string>;
  await sm.send(new PutSecretValueCommand({ SecretId: cloud.channelSecretsId, SecretString: JSON.stringify({ ...current, [channelId]: secret }) }));
}

/** GET with the operator token. */
export async function operatorGet(path: string, token: string | null = cloud.operatorToken): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${cloud.apiUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export const executionArn = (orderId: string) => `${cloud.stateMachineArn.replace(":stateMachine:", ":execution:")}:${orderId}`;

/** Waits until the order's execution is no longer RUNNING. */
export const finishedExecution = (orderId: string, timeoutMs = 30_000): Promise<DescribeExecutionCommandOutput> =>
  waitFor(`execution ${orderId} to finish`, () => sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(orderId) })), (out) => out.status !== "RUNNING", { timeoutMs });

/** Waits until the order has at least `count` outbox entries, and returns them. */
export const notificationsOf = (orderId: string, count: number, timeoutMs = 15_000): Promise<OutboxEntry[]> =>
  waitFor(`${count} notification(s) of order ${orderId}`, () => outbox.forOrder(orderId), (entries) => entries.length >= count, { timeoutMs });

/** Calls one of the local cloud's own admin actions (X-Amz-Target `OmsLocal.<op>`); a non-2xx answer throws with its body. */
export async function admin(op: string, body: unknown = {}): Promise<Record<string, unknown>> {
  const res = await fetch(cloud.awsEndpoint, { method: "POST", headers: { "x-amz-target": `OmsLocal.${op}`, "content-type": "application/x-amz-json-1.0" }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`OmsLocal.${op} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/**
 * Waits until the local cloud says it is idle: no execution stepping (parked on a callback or a
 * timer is idle), no Lambda invocation, stream batch or bus delivery in flight, and a stream pass
 * that began afterwards found nothing new. So the notifications and other event-driven writes a
 * test set off have landed before the next "nothing was written" snapshot.
 */
export const quiesce = (timeoutMs = 20_000) => admin("WaitForIdle", { timeoutMs });

/** What a snapshot holds: every item's content digest by key, and every execution's status by name. */
export interface Snapshot {
  items: number;
  executions: number;
  /** `PK|SK` → sha256 of the item's canonical JSON: a changed attribute changes its digest. */
  records: Record<string, string>;
  /** Execution name → status. */
  executionStatus: Record<string, string>;
}

/** Canonical JSON (keys sorted at every level), so equal items digest equally whatever their attribute order. */
const canonical = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(canonical).join(",")}]` : v && typeof v === "object" ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}` : JSON.stringify(v);

/** Reads the table's items and the executions into a Snapshot, without waiting. */
export async function readSnapshot(): Promise<Snapshot> {
  const records: Record<string, string> = {};
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName: cloud.tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    for (const item of page.Items ?? []) records[`${item.PK?.S ?? ""}|${item.SK?.S ?? ""}`] = createHash("sha256").update(canonical(item)).digest("hex").slice(0, 16);
    start = page.LastEvaluatedKey;
  } while (start);
  const executionStatus: Record<string, string> = {};
  let token: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: cloud.stateMachineArn, nextToken: token }));
    for (const e of page.executions ?? []) executionStatus[e.name ?? ""] = e.status ?? "";
    token = page.nextToken;
  } while (token);
  return { items: Object.keys(records).length, executions: Object.keys(executionStatus).length, records, executionStatus };
}

/**
 * The "nothing was written" baseline (small test tables only): once the cloud is idle, every
 * item's content and every execution's status. Compared with toEqual, a silent overwrite of one
 * attribute shows as the one record whose digest changed.
 */
export async function snapshot(): Promise<Snapshot> {
  await quiesce();
  return readSnapshot();
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

/** Polls `read` until `predicate` holds for its value, and returns it; throws with the last value when the time is up. */
export const eventually = <T>(read: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs = 15_000): Promise<T> => waitFor("a condition", read, predicate, { timeoutMs });

/** Any method with a JSON body, as an operator (or with another token, or none). */
export async function operatorCall(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, token: string | null = cloud.operatorToken) {
  const res = await fetch(`${cloud.apiUrl}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** POST with the operator token and a JSON body. */
export async function operatorPost(path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${cloud.apiUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${cloud.operatorToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** A location's callback on a fulfillment request. */
export const fulfillmentEvent = (shipmentId: string, event: Record<string, unknown>) => operatorPost(`/fulfillments/${shipmentId}/events`, event);

/** A carrier's signed tracking update. */
export async function trackingUpdate(carrier: string, body: Record<string, unknown>, secret = cloud.carrierSecret): Promise<{ status: number; json: Record<string, unknown> }> {
  const raw = JSON.stringify(body);
  const res = await fetch(`${cloud.apiUrl}/carriers/${carrier}/tracking`, { method: "POST", headers: { "content-type": "application/json", "x-oms-signature": signWebhook(secret, raw) }, body: raw });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export interface ShipmentView {
  shipmentId: string;
  locationId: string;
  status: string;
  round: number;
  lines: { lineId: string; sku: string; quantity: number }[];
  carrierShipment?: { carrier: string; trackingNumber: string; promisedBy: string };
  capture?: { amount: { amount: number } };
  lateAlerts?: number;
}

/** Polls GET /orders/{id} until `predicate` holds on the view; throws with the last view when the time is up. */
export async function orderWhen(orderId: string, predicate: (view: Record<string, unknown> & { status: string; shipments: ShipmentView[] }) => boolean, timeoutMs = 20_000) {
  const out = await waitFor(`order ${orderId} to reach the expected state`, () => operatorGet(`/orders/${orderId}`), (o) => o.status === 200 && predicate(o.json as never), { timeoutMs });
  return out.json as Record<string, unknown> & { status: string; shipments: ShipmentView[]; payment?: Record<string, unknown> };
}

/** The order's shipments once it has `count` of them in the given status. */
export async function shipmentsIn(orderId: string, status: string, count = 1): Promise<ShipmentView[]> {
  const view = await orderWhen(orderId, (o) => o.shipments.filter((s) => s.status === status).length >= count);
  return view.shipments.filter((s) => s.status === status);
}

/** Drives one released shipment through its location's callbacks to the handover, then waits until it is SHIPPED. */
export async function shipIt(orderId: string, shipmentId: string, carrier = "oms-post"): Promise<ShipmentView> {
  for (const type of ["accepted", "picked", "packed"]) expect((await fulfillmentEvent(shipmentId, { type })).status).toBe(200);
  expect((await fulfillmentEvent(shipmentId, { type: "shipped", carrier, weightGrams: 1200 })).status).toBe(200);
  const view = await orderWhen(orderId, (o) => o.shipments.some((s) => s.shipmentId === shipmentId && s.status === "SHIPPED"));
  return view.shipments.find((s) => s.shipmentId === shipmentId)!;
}

/** The carrier's delivery scan for a shipped shipment. */
export async function deliver(shipment: ShipmentView): Promise<void> {
  const cs = shipment.carrierShipment!;
  expect((await trackingUpdate(cs.carrier, { trackingNumber: cs.trackingNumber, status: "delivered" })).status).toBe(200);
}

/** Waits until the order's workflow has released it to its locations; it then waits on their callbacks. */
export const releasedToLocations = (orderId: string, timeoutMs = 30_000) => orderWhen(orderId, (o) => o.shipments.length > 0 && o.shipments.every((s) => s.status === "RELEASED"), timeoutMs);
