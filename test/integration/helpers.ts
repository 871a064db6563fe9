import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, type DescribeExecutionCommandOutput } from "@aws-sdk/client-sfn";
import { expect, inject } from "vitest";
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

/**
 * Waits until nothing more is being written (the table's item count holds for a second), so the
 * customer notifications and other event-driven writes a file set off do not land in the next
 * file's "nothing was written" snapshots. Bounded: gives up after `timeoutMs`.
 */
export async function quiesce(timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = (await snapshot()).items;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = (await snapshot()).items;
    if (now === last) return;
    last = now;
  }
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

/** POST with the operator token and a JSON body. */
export async function operatorPost(path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${cloud.apiUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${cloud.operatorToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** A location's callback on a fulfilment request. */
export const fulfilmentEvent = (shipmentId: string, event: Record<string, unknown>) => operatorPost(`/fulfillments/${shipmentId}/events`, event);

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

/** Polls GET /orders/{id} until `predicate` holds on the view (or the time is up). */
export async function orderWhen(orderId: string, predicate: (view: Record<string, unknown> & { status: string; shipments: ShipmentView[] }) => boolean, timeoutMs = 20_000) {
  const out = await eventually(() => operatorGet(`/orders/${orderId}`), (o) => o.status === 200 && predicate(o.json as never), timeoutMs);
  return out.json as Record<string, unknown> & { status: string; shipments: ShipmentView[]; payment?: Record<string, unknown> };
}

/** The order's shipments once it has `count` of them in the given status. */
export async function shipmentsIn(orderId: string, status: string, count = 1): Promise<ShipmentView[]> {
  const view = await orderWhen(orderId, (o) => o.shipments.filter((s) => s.status === status).length >= count);
  return view.shipments.filter((s) => s.status === status);
}

/** Drives one released shipment through its location's callbacks to the handover, then waits until it is SHIPPED. */
export async function shipIt(orderId: string, shipmentId: string, carrier = "oms-post"): Promise<ShipmentView> {
  for (const type of ["accepted", "picked", "packed"]) expect((await fulfilmentEvent(shipmentId, { type })).status).toBe(200);
  expect((await fulfilmentEvent(shipmentId, { type: "shipped", carrier, weightGrams: 1200 })).status).toBe(200);
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
