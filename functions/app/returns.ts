import { createHash } from "node:crypto";
import type { Location, Sku } from "../domain/catalog.js";
import { IdempotencyKeyReuseError, NotFoundError } from "../domain/errors.js";
import { AGAIN, withOptimisticRetry } from "../domain/optimistic.js";
import type { Address } from "../domain/order.js";
import { checkEligibility, takeUnits } from "../domain/return-eligibility.js";
import type { ReturnPolicy } from "../domain/return-policy.js";
import { ReturnNotAllowedError, returnIdFor, type Return, type ReturnRequest } from "../domain/return.js";
import { distanceKm } from "../domain/routing.js";
import { newExchange } from "../domain/exchange.js";
import type { FieldIssue } from "../domain/errors.js";
import type { CarrierPort, Clock, OrderRepository, PaymentProvider, RefundStore, ReturnPolicies, ReturnStock, ReturnStore, ShipmentStore, StoredReturn, TaskResponder, WorkflowStarter } from "./ports.js";
import type { ExchangeDeps } from "./exchanges.js";

/** What the return use cases share. */
export interface ReturnDeps {
  orders: OrderRepository;
  shipments: Pick<ShipmentStore, "ofOrder">;
  returns: ReturnStore;
  policies: Pick<ReturnPolicies, "current" | "get">;
  locations: { getLocation(id: string): Promise<Location | undefined>; listLocations(): Promise<Location[]>; unsellable?(skus: string[]): Promise<FieldIssue[]>; getSkus?(skus: string[]): Promise<Sku[]> };
  carrier: Pick<CarrierPort, "bookReturn">;
  tasks: TaskResponder;
  stock: ReturnStock;
  payments: RefundStore;
  provider: Pick<PaymentProvider, "refund" | "capture">;
  workflow: WorkflowStarter;
  clock: Clock;
  /** Exchanges: the replacement order, its workflow and its payment (absent: a function that never settles an exchange). */
  exchange?: ExchangeDeps;
}

export async function returnOf(returns: Pick<ReturnStore, "get">, returnId: string): Promise<StoredReturn> {
  const r = await returns.get(returnId);
  if (!r) throw new NotFoundError(`Return ${returnId} does not exist`);
  return r;
}

/** Changes and saves a return under its version, reading again if it changed meanwhile. */
export async function updateReturn(deps: Pick<ReturnDeps, "returns">, returnId: string, change: (r: StoredReturn) => Return): Promise<StoredReturn> {
  return withOptimisticRetry(`Return ${returnId}`, async () => {
    const current = await returnOf(deps.returns, returnId);
    const next = change(current);
    if (next === current) return current;
    return (await deps.returns.save(next, current.version)) ? { ...next, ...(current.tokens ? { tokens: current.tokens } : {}) } : AGAIN;
  });
}

/**
 * Where a ship-back return goes: the nearest active location that receives returns (among those
 * the policy names), by distance from the customer's address; without coordinates, one in the
 * customer's country first. Undefined when no location can receive it.
 */
export function receivingLocation(locations: Location[], policy: Pick<ReturnPolicy, "receivingLocations">, from: Address | undefined): Location | undefined {
  const able = locations.filter((l) => l.active && l.capabilities.includes("receive-returns") && (!policy.receivingLocations || policy.receivingLocations.includes(l.locationId)));
  const score = (l: Location) => (from?.lat !== undefined && from.lon !== undefined ? distanceKm({ lat: from.lat, lon: from.lon }, l) : l.country === from?.country ? 0 : 1);
  return able.sort((a, b) => score(a) - score(b) || a.locationId.localeCompare(b.locationId))[0];
}

/**
 * POST /orders/{orderId}/returns: checks the request against the order, its shipments, the units
 * other returns hold and the channel's return policy, then stores the return, the units it takes
 * and its Idempotency-Key in one transaction, and starts its workflow (named by the return id).
 * The same key and request answer the same return (three at once make one); the same key with
 * another request is refused; anything not allowed is a 409 naming the line, and writes nothing.
 */
export async function requestReturn(deps: ReturnDeps, orderId: string, request: ReturnRequest, meta: { actor: string; idempotencyKey: string }): Promise<{ created: boolean; return: StoredReturn }> {
  const requestHash = createHash("sha256").update(JSON.stringify(request)).digest("hex");
  const made = await withOptimisticRetry(`Returns of ${orderId}`, async () => {
    const prior = await deps.returns.byRequestKey(orderId, meta.idempotencyKey);
    if (prior) {
      if (prior.requestHash !== requestHash) throw new IdempotencyKeyReuseError("This Idempotency-Key was used with a different request");
      return { created: false, return: await returnOf(deps.returns, prior.returnId) };
    }
    const order = await deps.orders.get(orderId);
    if (!order) throw new NotFoundError(`Order ${orderId} does not exist`);
    const [shipments, { ledger, version }, policy] = await Promise.all([deps.shipments.ofOrder(orderId), deps.returns.ledger(orderId), deps.policies.current(order.channel)]);
    const now = deps.clock.now();
    const asked = [...new Set(request.lines.flatMap((r) => order.lines.filter((l) => l.lineId === r.lineId).map((l) => l.sku)))];
    const notReturnable = new Set(((await deps.locations.getSkus?.(asked)) ?? []).filter((p) => p.returnable === false).map((p) => p.sku));
    const eligibility = checkEligibility({ order, shipments, ledger, policy, request, now, notReturnable });
    let location: Location | undefined;
    if (request.method === "in-store") {
      location = request.locationId ? await deps.locations.getLocation(request.locationId) : undefined;
      const why = !request.locationId ? "is required for an in-store return" : !location ? "is not a known location" : !location.capabilities.includes("receive-returns") ? "cannot receive returns" : policy.receivingLocations && !policy.receivingLocations.includes(location.locationId) ? `is not among the ${order.channel} policy's receiving locations` : undefined;
      if (why) throw new ReturnNotAllowedError("The return is not allowed", { issues: [{ path: "locationId", message: `${request.locationId ?? "locationId"} ${why}` }] });
    } else if (request.method === "ship-back") {
      location = receivingLocation(await deps.locations.listLocations(), policy, order.shippingAddress);
      if (!location) throw new ReturnNotAllowedError("The return is not allowed", { issues: [{ path: "method", message: "no location can receive this return under the policy" }] });
    }
    const returnId = returnIdFor(orderId, ledger.count + 1);
    const exchange = newExchange(order, { returnId, lines: eligibility.lines, method: request.method, ...(location ? { locationId: location.locationId } : {}), createdAt: now }, request.exchange?.mode ?? "regular");
    if (exchange) await checkExchange(deps, order.payment.method, exchange, request);
    const r: Return = {
      returnId,
      orderId,
      channel: order.channel,
      externalOrderId: order.externalOrderId,
      customer: order.customer,
      currency: order.currency,
      method: request.method,
      ...(location ? { locationId: location.locationId } : {}),
      status: "REQUESTED",
      lines: eligibility.lines,
      ...(request.note ? { note: request.note } : {}),
      createdAt: now,
      updatedAt: now,
      history: [{ status: "REQUESTED", at: now }],
      facts: [{ type: "ReturnRequested", at: now, data: { estimate: eligibility.estimate } }],
      policy: { version: policy.version, restockingFeePercent: policy.restockingFeePercent, returnShippingFee: request.method === "ship-back" ? policy.returnShippingFee : 0, shipWithinDays: policy.shipWithinDays, receiveWithinDays: policy.receiveWithinDays, approvalTimeoutDays: policy.approvalTimeoutDays },
      needsApproval: eligibility.needsApproval,
      shippingRefund: eligibility.shippingRefund,
      effects: [],
      ...(exchange ? { exchange } : {}),
      idempotencyKey: meta.idempotencyKey,
      requestHash,
      actor: meta.actor,
      version: 1,
    };
    if (!(await deps.returns.create(r, takeUnits(ledger, returnId, r.lines, r.shippingRefund > 0), version))) return AGAIN;
    return { created: true, return: r };
  });
  // Started after the commit; a retry of the request starts it again with the identical input (a no-op).
  await deps.workflow.start(made.return.returnId, { returnId: made.return.returnId, orderId });
  return made;
}

/**
 * An exchange the OMS can carry out: its replacement SKUs sellable, and, when the channel
 * collected the payment (we cannot charge it), neither a price difference to collect nor an
 * advanced exchange (which may have to be charged). 409 naming the line or the field.
 */
async function checkExchange(deps: ReturnDeps, paidBy: string, exchange: NonNullable<Return["exchange"]>, request: ReturnRequest): Promise<void> {
  const issues: FieldIssue[] = [];
  const skus = request.lines.flatMap((l, i) => (l.replacement ? [{ sku: l.replacement.sku, path: `lines.${i}.replacement.sku` }] : []));
  const unsellable = (await deps.locations.unsellable?.([...new Set(skus.map((s) => s.sku))])) ?? [];
  for (const u of unsellable) for (const s of skus.filter((x) => x.sku === u.path)) issues.push({ path: s.path, message: `${s.sku} ${u.message}` });
  if (paidBy === "marketplace" && exchange.mode === "advanced") issues.push({ path: "exchange.mode", message: "the channel collected this order's payment: an advanced exchange cannot be charged if the goods never come; use regular" });
  if (paidBy === "marketplace" && exchange.value > exchange.expected) issues.push({ path: "lines", message: `the replacement costs ${exchange.value - exchange.expected} minor units more and the channel collected this order's payment: collect the difference on the channel` });
  if (issues.length) throw new ReturnNotAllowedError("The exchange is not allowed", { issues });
}
