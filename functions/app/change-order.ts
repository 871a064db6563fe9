import { createHash } from "node:crypto";
import { branchesOf, reservationLineId } from "../domain/allocation.js";
import { ConflictError, IdempotencyKeyReuseError, NotFoundError, ValidationError } from "../domain/errors.js";
import { AGAIN, withOptimisticRetry } from "../domain/optimistic.js";
import type { Money } from "../domain/money.js";
import { cancelLines, editOrder, revisionOf, type CancelLinesRequest, type EditRequest, type OrderChange, type PreparedChange } from "../domain/order-change.js";
import type { Order } from "../domain/order.js";
import type { PaymentRecord } from "../domain/payment.js";
import { LEFT_LOCATION, openUnits } from "../domain/shipment.js";
import { tryAgain, type AllocateDeps } from "./backorders.js";
import { cancelOrder, type CancelOrderDeps } from "./cancel-order.js";
import { followOrderShipments } from "./shipments.js";
import { SHIPMENT_CANCELLED } from "../domain/workflow-errors.js";
import type { AllocationStore, CaptureStore, Catalog, Clock, InventoryReservations, OrderRepository, PaymentProvider, ShipmentStore } from "./ports.js";

export interface ChangeOrderDeps {
  orders: OrderRepository & { commitChange(prepared: PreparedChange, expectedVersion: number, allocation: { round: number; planId?: string }): Promise<boolean> };
  shipments: ShipmentStore;
  allocations: Pick<AllocationStore, "get">;
  inventory: Pick<InventoryReservations, "resize">;
  payments: CaptureStore & { update(orderId: string, patch: Partial<Omit<PaymentRecord, "orderId">>, expectedVersion: number): Promise<boolean> };
  provider: PaymentProvider;
  catalog: Pick<Catalog, "unsellable">;
  clock: Clock;
  /** To plan a parked backorder again with its new lines or address. */
  allocate: AllocateDeps;
  /** A cancellation of every unit left is the whole order's cancellation. */
  cancel: CancelOrderDeps;
  /** Plans an awaiting rest again (its lines were cut): functions/app/awaiting-stock.ts. */
  restock?: (orderId: string, shipmentId: string, token: string) => Promise<unknown>;
}

export type ChangeRequest = ({ kind: "cancel-lines" } & CancelLinesRequest) | ({ kind: "close-short" } & CancelLinesRequest) | ({ kind: "edit" } & EditRequest);

export interface ChangeResult {
  orderId: string;
  status: Order["status"];
  revision: number;
  change?: Omit<OrderChange, "idempotencyKey" | "requestHash">;
  totals: Order["totals"];
  payment: string;
}

/** The order is between planning and release: its shipments exist a moment later. */
const BUSY_RETRY_SECONDS = 2;

/**
 * Cancels lines of an order, or edits it before release, as one versioned change: the header,
 * the changed lines and the shipments it cuts are committed in one transaction (under the
 * versions read, and only if no new allocation plan was recorded meanwhile), then its effects
 * follow, each idempotent: reservations shrink to what the shipments still carry, a shipment cut
 * to nothing ends its branch of the workflow, the order's status follows its shipments, the
 * authorization is lowered to the new total (or, when nothing is left to ship, the difference is
 * captured or refunded and the rest released), and (from the OrderChanged event, which makes sure
 * of all of this even if the call died after its commit) a parked backorder is planned again. The
 * caller's Idempotency-Key is kept on the change: a retry (after a timeout, a crash) finds the
 * change, finishes its effects and answers the same; the key with another request is a 422.
 */
export async function changeOrder(deps: ChangeOrderDeps, orderId: string, request: ChangeRequest, meta: { actor: string; reason: string; idempotencyKey: string; ifRevision?: number }): Promise<ChangeResult> {
  const requestHash = createHash("sha256").update(JSON.stringify(request)).digest("hex");
  return withOptimisticRetry(`Order ${orderId}`, async (): Promise<ChangeResult | typeof AGAIN> => {
    const order = await deps.orders.get(orderId);
    if (!order) throw new NotFoundError(`Order ${orderId} does not exist`);
    const known = order.changes?.find((c) => c.idempotencyKey === meta.idempotencyKey);
    if (known) {
      if (known.requestHash !== requestHash) throw new IdempotencyKeyReuseError("This Idempotency-Key was used with a different request");
      return finish(deps, order, known);
    }
    if (meta.ifRevision !== undefined && meta.ifRevision !== revisionOf(order)) throw new ConflictError(`Order ${orderId} is at revision ${revisionOf(order)}, not ${meta.ifRevision}`, { revision: revisionOf(order) });
    if (!["RECEIVED", "ON_HOLD", "CONFIRMED", "BACKORDERED", "ALLOCATED", "PARTIALLY_SHIPPED", "READY_FOR_PICKUP"].includes(order.status))
      throw new ConflictError(`Order ${orderId} is ${order.status}; it can no longer be changed${order.status === "SHIPPED" || order.status === "DELIVERED" ? ", start a return instead" : ""}`, { status: order.status, ...(order.status === "SHIPPED" || order.status === "DELIVERED" ? { returns: `/orders/${orderId}/returns` } : {}) });
    const [shipments, latest] = await Promise.all([deps.shipments.ofOrder(orderId), deps.allocations.get(orderId)]);
    const at = deps.clock.now();
    const changeMeta = { at, actor: meta.actor, reason: meta.reason, idempotencyKey: meta.idempotencyKey };
    let prepared: PreparedChange;
    if (request.kind === "close-short") {
      prepared = cancelLines(order, shipments, request, changeMeta, "close-short");
      const units = Object.fromEntries(prepared.change.lines.map((l) => [l.lineId, l.from - l.to]));
      prepared = { ...prepared, order: { ...prepared.order, closedShort: { units, reason: meta.reason, at } } };
    } else if (request.kind === "cancel-lines") {
      // A plan being released right now: its shipments appear in a moment; cutting them before that would race the release.
      const unreleased = latest?.outcome === "ALLOCATED" && branchesOf(latest).some((p) => !shipments.some((s) => s.shipmentId === p.shipmentId));
      if (unreleased) throw new ConflictError(`Order ${orderId} is being released to its locations; try again in ${BUSY_RETRY_SECONDS} seconds`, { retryable: true, retryAfterSeconds: BUSY_RETRY_SECONDS });
      prepared = cancelLines(order, shipments, request, changeMeta);
      // Nothing would be left and nothing left a location: that is the whole order's cancellation.
      if (openUnits(prepared.order) === 0 && !shipments.some((s) => s.handover || LEFT_LOCATION.includes(s.status))) {
        const done = await cancelOrder(deps.cancel, orderId, meta.reason);
        return { orderId, status: done.status, revision: revisionOf(order), totals: order.totals, payment: done.payment };
      }
    } else {
      await assertSellable(deps, request);
      prepared = editOrder(order, shipments, request, changeMeta);
    }
    const change: OrderChange = { ...prepared.change, requestHash };
    const withHash: PreparedChange = { ...prepared, change, order: { ...prepared.order, changes: [...(order.changes ?? []), change] } };
    if (await deps.orders.commitChange(withHash, order.version, { round: latest?.round ?? 0, ...(latest ? { planId: latest.planId } : {}) })) return finish(deps, withHash.order, change);
    return AGAIN;
  });
}

async function assertSellable(deps: Pick<ChangeOrderDeps, "catalog">, request: EditRequest): Promise<void> {
  const added = request.addLines ?? [];
  if (added.length === 0) return;
  const problems = await deps.catalog.unsellable([...new Set(added.map((l) => l.sku))]);
  if (problems.length) throw new ValidationError("Invalid order change", problems.flatMap((p) => added.flatMap((l, i) => (l.sku === p.path ? [{ path: `addLines.${i}.sku`, message: `${l.sku} ${p.message}` }] : []))));
}

/**
 * Carries out a committed change's effects (the target of the OrderChanged rule): the HTTP call
 * does them at once, and the event makes sure they are done even if that call died after the
 * commit. Both may run: every effect is idempotent.
 */
export async function applyChange(deps: ChangeOrderDeps, orderId: string, revision: number): Promise<ChangeResult | undefined> {
  const order = await deps.orders.get(orderId);
  const change = order?.changes?.find((c) => c.revision === revision);
  return order && change ? finish(deps, order, change, true) : undefined;
}

/** The change's effects, each idempotent, then the answer; `replan`: plan a parked backorder again (the event's run). */
async function finish(deps: ChangeOrderDeps, committed: Order, change: OrderChange, replan = false): Promise<ChangeResult> {
  const shipments = await deps.shipments.ofOrder(committed.orderId);
  for (const cut of change.shipments) {
    const s = shipments.find((x) => x.shipmentId === cut.shipmentId);
    if (!s) continue;
    // The reservations shrink to what the shipment still carries (nothing, when it was cancelled).
    for (const l of cut.removed) {
      const left = s.status === "CANCELLED" ? 0 : (s.lines.find((x) => x.lineId === l.lineId)?.quantity ?? 0);
      await deps.inventory.resize(committed.orderId, { lineId: reservationLineId(l.lineId, cut.round), sku: l.sku, locationId: cut.locationId }, left);
    }
    if (s.status === "CANCELLED" && s.tokens?.release) await deps.allocate.tasks.fail(s.tokens.release, SHIPMENT_CANCELLED, `Every line of shipment ${s.shipmentId} was cancelled`);
  }
  // A rest waiting for stock whose every line was cancelled: its wait ends too.
  const parking = await deps.allocate.backorders.parkingOf(committed.orderId);
  const cutWait = parking?.shipmentId && change.shipments.some((c) => c.shipmentId === parking.shipmentId && shipments.find((s) => s.shipmentId === c.shipmentId)?.status === "CANCELLED");
  if (parking && cutWait) {
    await deps.allocate.tasks.fail(parking.token, SHIPMENT_CANCELLED, `Every line of shipment ${parking.shipmentId} was cancelled`);
    await deps.allocate.backorders.unpark(committed.orderId);
  }
  const order = await followOrderShipments(deps, committed.orderId, "the rest of the order was cancelled");
  const payment = change.kind !== "edit" ? await settlePayment(deps, order, change.revision) : ((await deps.payments.getVersioned(order.orderId))?.record.status ?? "NONE");
  // A parked backorder is planned again with what the order now asks for (it may fit now). Only
  // one of the two runs does this (the event's), so two plans of the same order do not race.
  const parked = replan && !cutWait ? parking : undefined;
  if (parked?.shipmentId) await deps.restock?.(order.orderId, parked.shipmentId, parked.token);
  else if (parked && (await tryAgain(deps.allocate, order.orderId, parked.token, {})).outcome === "BACKORDERED")
    await deps.allocate.backorders.park(order.orderId, [...new Set(order.lines.filter((l) => l.quantity > 0).map((l) => l.sku))], parked.token, deps.clock.now());
  const { idempotencyKey: _k, requestHash: _h, ...visible } = change;
  const latest = (await deps.orders.get(order.orderId)) ?? order;
  return { orderId: order.orderId, status: latest.status, revision: change.revision, change: visible, totals: latest.totals, payment };
}

const money = (amount: number, currency: string): Money => ({ amount, currency });

/**
 * Money follows the order's new total. While units are still to be captured (at shipment), the
 * authorization is lowered to the new total, so the customer's card holds no more than they will
 * pay and the last capture takes the exact rest. When every unit left is already captured, the
 * difference is settled at once: captured (the part of shipping and tax the shipped lines carry)
 * or refunded, and the authorization's rest released. Keys carry the order revision, so a retry
 * reduces, captures or refunds once.
 */
async function settlePayment(deps: ChangeOrderDeps, order: Order, revision: number): Promise<string> {
  const ref = `r${revision}`;
  return withOptimisticRetry(`Payment of ${order.orderId}`, async () => {
    const current = await deps.payments.getVersioned(order.orderId);
    if (!current?.record.authorizationId || !["AUTHORIZED", "PARTIALLY_CAPTURED"].includes(current.record.status)) return current?.record.status ?? "NONE";
    const { record, version } = current;
    const authorizationId = record.authorizationId!;
    const currency = record.amount.currency;
    const target = order.totals.grandTotal.amount;
    const decided = Object.values(record.captures ?? {});
    const captured = decided.reduce((n, c) => n + c.amount.amount, 0);
    const floor = Math.max(target, captured);
    if (record.amount.amount > floor) {
      const reduced = await deps.provider.reduceAuthorization({ orderId: order.orderId, authorizationId, amount: money(floor, currency), idempotencyKey: `${order.orderId}.${ref}.reduce` });
      const reductions = [...(record.reductions ?? []), { revision, from: record.amount, to: reduced.amount, at: reduced.at }];
      // Lowered (or lost to another writer): either way, read again and settle the rest.
      await deps.payments.update(order.orderId, { amount: reduced.amount, reductions }, version);
      return AGAIN;
    }
    // Units not captured yet are captured as they ship (captures come only with a shipment that left): nothing to settle now.
    if (decided.reduce((n, c) => n + c.units, 0) < openUnits(order)) return record.status;
    const diff = target - captured;
    if (diff > 0) {
      const key = `${order.orderId}.${ref}`;
      const done = await deps.provider.capture({ orderId: order.orderId, authorizationId, amount: money(diff, currency), idempotencyKey: `${key}.capture` });
      const captures = { ...(record.captures ?? {}), [key]: { amount: done.amount, units: 0, captureId: done.captureId, at: done.at } };
      if (await deps.payments.update(order.orderId, { captures, captured: money(captured + diff, currency), status: "CAPTURED" }, version)) return "CAPTURED";
    } else {
      let refunds = record.refunds ?? {};
      let refunded = record.refunded?.amount ?? 0;
      if (diff < 0 && !refunds[ref]?.refundId) {
        const done = await deps.provider.refund({ orderId: order.orderId, authorizationId, amount: money(-diff, currency), idempotencyKey: `${order.orderId}.${ref}.refund` });
        refunds = { ...refunds, [ref]: { amount: done.amount, refundId: done.refundId, at: done.at } };
        refunded += done.amount.amount;
      }
      if (await deps.payments.update(order.orderId, { status: "CAPTURED", ...(diff < 0 ? { refunds, refunded: money(refunded, currency) } : {}) }, version)) return "CAPTURED";
    }
    return AGAIN;
  });
}
