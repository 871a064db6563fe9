import { ConflictError, NotFoundError } from "../domain/errors.js";
import { exchangeMoney, replacementFor } from "../domain/exchange.js";
import { AGAIN, withOptimisticRetry } from "../domain/optimistic.js";
import type { Order } from "../domain/order.js";
import { exchangeAccepted, type Return, type ReturnExchange, type ReturnFact } from "../domain/return.js";
import { DIFFERENCE_CAPTURE } from "./authorize-payment.js";
import { allocationOutput } from "./backorders.js";
import { cancelOrder, type CancelOrderDeps } from "./cancel-order.js";
import { placeOrder } from "./place-order.js";
import type { AllocationStore, BackorderStore, CaptureStore, Clock, IdGenerator, OrderRepository, PaymentProvider, RefundStore, ReturnStore, StoredReturn, TaskResponder, WorkflowStarter } from "./ports.js";

/**
 * What exchanges use beside the return: the replacement is placed as an order (its own workflow),
 * its waiting reservation answered, cancelled when the return ends without goods, and charged on
 * the original payment method when an advanced exchange's goods never come.
 */
export interface ExchangeDeps {
  orders: OrderRepository;
  /** Starts the order workflow of the replacement. */
  orderWorkflow: WorkflowStarter;
  ids: IdGenerator;
  allocations: Pick<AllocationStore, "get">;
  backorders: Pick<BackorderStore, "parkingOf" | "unpark">;
  cancel: CancelOrderDeps;
  payments: CaptureStore & RefundStore;
  provider: Pick<PaymentProvider, "authorize" | "capture" | "refund">;
  tasks: TaskResponder;
  clock: Clock;
}

type Deps = { returns: ReturnStore; exchange?: ExchangeDeps; clock: Clock };

/** The payment record's key for an advanced exchange's charge when its goods never come (or come short). */
export const exchangeChargeKey = (returnId: string): string => `exchange:${returnId}`;

function exchangeDeps(deps: Deps): ExchangeDeps {
  if (!deps.exchange) throw new Error("This function was built without exchange dependencies: it cannot place or settle a replacement order");
  return deps.exchange;
}

/** Saves a change to the return's exchange (and a fact), under the return's version. */
async function updateExchange(deps: Deps, returnId: string, change: (x: ReturnExchange, r: StoredReturn) => { exchange: ReturnExchange; fact?: ReturnFact } | undefined): Promise<StoredReturn> {
  return withOptimisticRetry(`Return ${returnId}`, async () => {
    const current = await deps.returns.get(returnId);
    if (!current) throw new NotFoundError(`Return ${returnId} does not exist`);
    const made = current.exchange && change(current.exchange, current);
    if (!made) return current;
    const next: Return = { ...current, exchange: made.exchange, facts: made.fact ? [...current.facts, made.fact] : current.facts, updatedAt: made.fact?.at ?? current.updatedAt, version: current.version + 1 };
    return (await deps.returns.save(next, current.version)) ? { ...next, ...(current.tokens ? { tokens: current.tokens } : {}) } : AGAIN;
  });
}

async function replacementOf(x: ExchangeDeps, r: Return): Promise<Order> {
  const order = r.exchange?.orderId ? await x.orders.get(r.exchange.orderId) : undefined;
  if (!order) throw new NotFoundError(`The replacement order of return ${r.returnId} does not exist`);
  return order;
}

/**
 * Places the replacement order of a return's exchange lines, once: its channel id derives from the
 * return, so a retry finds the same order (the input is built from the stored return, identical
 * every time). Its workflow reserves and routes it; an advanced exchange is released at once, a
 * regular one waits reserved for the goods. ExchangeCreated says what it costs and who pays what.
 */
export async function placeExchange(deps: Deps, r: StoredReturn): Promise<StoredReturn> {
  if (!r.exchange || r.exchange.orderId) return r;
  const x = exchangeDeps(deps);
  const original = await x.orders.get(r.orderId);
  if (!original) throw new NotFoundError(`Order ${r.orderId} does not exist`);
  const { input, value, expected } = replacementFor(original, r, r.exchange.mode);
  const placed = await placeOrder({ orders: x.orders, workflow: x.orderWorkflow, clock: x.clock, ids: x.ids }, input);
  const at = deps.clock.now();
  return updateExchange(deps, r.returnId, (ex) =>
    ex.orderId
      ? undefined
      : {
          exchange: { ...ex, orderId: placed.orderId, status: "PLACED" },
          fact: { type: "ExchangeCreated", at, data: { exchangeOrderId: placed.orderId, mode: ex.mode, currency: r.currency, value, expected, credit: ex.credit, difference: value - ex.credit, amount: { amount: value - ex.credit, currency: r.currency }, replacementLines: input.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })) } },
        },
  );
}

/**
 * The goods of a regular exchange are accepted: the replacement's credit becomes what the
 * accepted units pay of it (min(accepted, value)), and its reservation, waiting in "Reserve and
 * route", goes on (the difference is then authorized and captured before release). Nothing
 * accepted: the replacement is cancelled, its stock released. Returns the credit the replacement used.
 */
async function releaseExchange(deps: Deps, r: StoredReturn): Promise<number> {
  const x = exchangeDeps(deps);
  let order = await replacementOf(x, r);
  const accepted = exchangeAccepted(r);
  if (order.status === "CANCELLED") return 0;
  if (order.exchangeOf?.awaitingReturn) {
    if (accepted === 0) {
      await cancelOrder(x.cancel, order.orderId, `none of the goods of return ${r.returnId} was accepted`);
      await updateExchange(deps, r.returnId, (ex) => (ex.status === "CANCELLED" ? undefined : { exchange: { ...ex, status: "CANCELLED" }, fact: { type: "ExchangeCancelled", at: deps.clock.now(), data: { exchangeOrderId: order.orderId, reason: "none of the exchanged goods was accepted" } } }));
      return 0;
    }
    const waiting = order;
    order = (await withOptimisticRetry(`Order ${waiting.orderId}`, async (n) => {
      const current = n === 1 ? waiting : await x.orders.get(waiting.orderId);
      if (!current?.exchangeOf?.awaitingReturn) return current;
      const credit = { ...current.exchangeOf.credit, amount: Math.min(accepted, current.totals.grandTotal.amount) };
      const next = { ...current, exchangeOf: { ...current.exchangeOf, credit, awaitingReturn: false }, updatedAt: deps.clock.now(), version: current.version + 1 };
      return (await x.orders.saveHeader(next, current.version)) ? next : AGAIN;
    })) ?? order;
  }
  const parking = await x.backorders.parkingOf(order.orderId);
  const record = parking && !parking.shipmentId ? await x.allocations.get(order.orderId) : undefined;
  if (parking && record?.outcome === "ALLOCATED") {
    await x.tasks.succeed(parking.token, allocationOutput(record));
    await x.backorders.unpark(order.orderId);
  }
  const credit = order.exchangeOf?.credit.amount ?? 0;
  await updateExchange(deps, r.returnId, (ex) => (ex.status === "RELEASED" ? undefined : { exchange: { ...ex, credit, status: "RELEASED" }, fact: { type: "ExchangeReleased", at: deps.clock.now(), data: { exchangeOrderId: order.orderId, credit, difference: order.totals.grandTotal.amount - credit } } }));
  return credit;
}

/**
 * The exchange's money at settlement, once its goods are accepted: a regular exchange's
 * replacement is released first. Returns what the return refunds beyond its refund lines (the
 * accepted units' worth above the credit used) after charging what an advanced exchange's goods
 * fell short of its credit.
 */
export async function settleExchange(deps: Deps, r: StoredReturn): Promise<{ accepted: number; credit: number; refund: number; charge: number } | undefined> {
  if (!r.exchange) return undefined;
  let current = await placeExchange(deps, r);
  const x = exchangeDeps(deps);
  let credit: number;
  if (current.exchange!.mode === "regular") credit = await releaseExchange(deps, current);
  else {
    const order = await replacementOf(x, current);
    credit = order.status === "CANCELLED" ? 0 : (order.exchangeOf?.credit.amount ?? 0);
  }
  const money = exchangeMoney(exchangeAccepted(current), credit);
  if (money.charge > 0) current = await chargeExchange(deps, current, money.charge, "the exchanged goods came back short of the replacement's credit");
  return money;
}

/**
 * The return ended without goods (EXPIRED, CANCELLED, DECLINED). A replacement that has not left
 * is cancelled (its reservations released, a captured difference refunded); an advanced
 * replacement already on its way is charged the credit the goods would have paid.
 */
export async function endExchange(deps: Deps, r: StoredReturn, reason: string): Promise<StoredReturn> {
  if (!r.exchange || r.exchange.status === "CANCELLED" || r.exchange.charged) return r;
  if (!r.exchange.orderId) return updateExchange(deps, r.returnId, (ex) => ({ exchange: { ...ex, status: "CANCELLED" } }));
  const x = exchangeDeps(deps);
  const order = await replacementOf(x, r);
  try {
    await cancelOrder(x.cancel, order.orderId, reason);
  } catch (error) {
    if (!(error instanceof ConflictError) || r.exchange.mode !== "advanced") throw error;
    return chargeExchange(deps, r, order.exchangeOf?.credit.amount ?? r.exchange.credit, reason);
  }
  await refundDifference(x, order.orderId);
  return updateExchange(deps, r.returnId, (ex) => (ex.status === "CANCELLED" ? undefined : { exchange: { ...ex, status: "CANCELLED" }, fact: { type: "ExchangeCancelled", at: deps.clock.now(), data: { exchangeOrderId: order.orderId, reason } } }));
}

/** A cancelled replacement's captured difference goes back to the customer, once (key `<orderId>.difference.refund`). */
async function refundDifference(x: ExchangeDeps, orderId: string): Promise<void> {
  const key = "exchange-cancelled";
  await withOptimisticRetry(`Payment of ${orderId}`, async () => {
    const current = await x.payments.getVersioned(orderId);
    const capture = current?.record.captures?.[DIFFERENCE_CAPTURE];
    if (!current || !capture?.captureId || current.record.refunds?.[key]?.refundId) return undefined;
    const done = await x.provider.refund({ orderId, authorizationId: current.record.authorizationId ?? "", amount: capture.amount, idempotencyKey: `${orderId}.difference.refund` });
    const entry = { amount: capture.amount, against: { [DIFFERENCE_CAPTURE]: capture.amount.amount }, refundId: done.refundId, at: done.at };
    const refunded = { amount: (current.record.refunded?.amount ?? 0) + capture.amount.amount, currency: capture.amount.currency };
    return (await x.payments.writeRefunds(orderId, { refunds: { ...current.record.refunds, [key]: entry }, refunded }, current.version)) ? entry : AGAIN;
  });
}

/**
 * Charges the original payment method for an advanced exchange whose goods never came (or came
 * short): authorized and captured on the replacement's payment record under
 * `exchange:<returnId>`, with idempotency keys from the return, so it happens once. A decline is
 * kept on the return (ExchangeChargeFailed) for an operator: the goods are out.
 */
async function chargeExchange(deps: Deps, r: StoredReturn, amount: number, reason: string): Promise<StoredReturn> {
  if (r.exchange?.charged || amount <= 0) return r;
  const x = exchangeDeps(deps);
  const order = await replacementOf(x, r);
  const key = exchangeChargeKey(r.returnId);
  const money = { amount, currency: r.currency };
  const outcome = await withOptimisticRetry(`Payment of ${order.orderId}`, async () => {
    const current = await x.payments.getVersioned(order.orderId);
    if (!current) throw new ConflictError(`Replacement order ${order.orderId} has no payment record to charge against`);
    const done = current.record.captures?.[key];
    if (done?.captureId) return { captureId: done.captureId, at: done.at ?? deps.clock.now() };
    const auth = await x.provider.authorize({ orderId: order.orderId, amount: money, method: order.payment, idempotencyKey: `${r.returnId}.exchange-charge.authorize` });
    if (auth.status === "DECLINED") return { declined: auth.declineCode, at: auth.at };
    const cap = await x.provider.capture({ orderId: order.orderId, authorizationId: auth.authorizationId, amount: money, idempotencyKey: `${r.returnId}.exchange-charge.capture` });
    const captures = { ...current.record.captures, [key]: { amount: money, units: 0, captureId: cap.captureId, at: cap.at } };
    const captured = { amount: Object.values(captures).reduce((n, c) => n + (c.captureId ? c.amount.amount : 0), 0), currency: r.currency };
    return (await x.payments.writeCaptures(order.orderId, { captures, captured }, current.version)) ? { captureId: cap.captureId, at: cap.at } : AGAIN;
  });
  return updateExchange(deps, r.returnId, (ex) => {
    if (ex.charged && !ex.charged.declined) return undefined;
    const charged = { amount, at: outcome.at, reason, ...("captureId" in outcome ? { captureId: outcome.captureId } : { declined: outcome.declined }) };
    return { exchange: { ...ex, charged, status: "SETTLED" }, fact: { type: "captureId" in outcome ? "ExchangeCharged" : "ExchangeChargeFailed", at: outcome.at, data: { exchangeOrderId: order.orderId, amount: money, reason, ...("declined" in outcome ? { declineCode: outcome.declined } : {}) } } };
  });
}
