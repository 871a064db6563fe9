import { ConflictError } from "../domain/errors.js";
import { giveBackUnits } from "../domain/return-eligibility.js";
import { ENDED_WITHOUT_GOODS, acceptUnseen, applyReturnEvent, moveReturn, type Return, type ReturnEvent, type ReturnStatus } from "../domain/return.js";
import { AGAIN, withOptimisticRetry } from "../domain/optimistic.js";
import { RETURN_CANCELLED, RETURN_DECLINED } from "../domain/workflow-errors.js";
import type { TrackingStatus } from "../domain/carrier.js";
import type { StoredReturn } from "./ports.js";
import { returnOf, updateReturn, type ReturnDeps } from "./returns.js";
import { endExchange, placeExchange } from "./exchanges.js";

const DAY = 86_400;

/** What the return workflow's Choice reads: where to go next, and how long the next wait may last. */
export interface ReturnRoute {
  next: "approval" | "goods" | "settle" | "end";
  approvalSeconds: number;
  goodsSeconds: number;
  status: ReturnStatus;
  /** Overdue alerts so far: the overdue step counts one more only if it has not seen this many. */
  overdueAlerts: number;
}

export const routeOf = (r: Return): ReturnRoute => ({
  next: r.status === "PENDING_APPROVAL" ? "approval" : r.status === "AWAITING_GOODS" || r.status === "IN_TRANSIT" || r.status === "RECEIVED" ? "goods" : r.status === "ACCEPTED" || r.status === "MANUAL_REFUND_REQUIRED" ? "settle" : "end",
  approvalSeconds: r.policy.approvalTimeoutDays * DAY,
  goodsSeconds: (r.status === "IN_TRANSIT" || r.status === "RECEIVED" ? r.policy.receiveWithinDays : r.policy.shipWithinDays) * DAY,
  status: r.status,
  overdueAlerts: r.overdueAlerts ?? 0,
});

/** The status a return goes to once approved (or when it needs no approval). */
const afterApproval = (r: Return, at: string, reason?: string): Return => (r.method === "returnless" ? acceptUnseen(r, at, reason ?? "returnless refund") : moveReturn(r, "AWAITING_GOODS", at, reason));

/** Workflow step "Open return": into approval when the policy wants it, else on to the goods (or straight to the money for a returnless refund). */
export async function openReturn(deps: ReturnDeps, returnId: string): Promise<ReturnRoute> {
  const now = deps.clock.now();
  const r = await updateReturn(deps, returnId, (current) => {
    if (current.status !== "REQUESTED") return current;
    return current.needsApproval ? moveReturn(current, "PENDING_APPROVAL", now, "the return policy asks for approval") : afterApproval(current, now);
  });
  return routeOf(r);
}

/** Workflow step "Wait for approval" (waitForTaskToken): keeps the token, or answers at once if the decision came first. */
export async function parkApproval(deps: ReturnDeps, returnId: string, token: string): Promise<{ parked: true }> {
  await deps.returns.setToken(returnId, "approval", token);
  const r = await returnOf(deps.returns, returnId);
  if (r.status === "DECLINED") await deps.tasks.fail(token, RETURN_DECLINED, `Return ${returnId} was declined`);
  else if (r.status === "CANCELLED") await deps.tasks.fail(token, RETURN_CANCELLED, `Return ${returnId} was cancelled`);
  else if (r.status !== "PENDING_APPROVAL") await deps.tasks.succeed(token, routeOf(r));
  return { parked: true };
}

/** Gives a return's units back to the order (so a new return may take them) in the same write as the return's change. */
async function endWithoutGoods(deps: ReturnDeps, returnId: string, change: (r: StoredReturn) => Return): Promise<StoredReturn> {
  return withOptimisticRetry(`Return ${returnId}`, async () => {
    const current = await returnOf(deps.returns, returnId);
    const next = change(current);
    if (next === current) return current;
    const ledger = await deps.returns.ledger(current.orderId);
    const ok = await deps.returns.save(next, current.version, { ledger: giveBackUnits(ledger.ledger, returnId, current.lines), version: ledger.version });
    return ok ? { ...next, ...(current.tokens ? { tokens: current.tokens } : {}) } : AGAIN;
  });
}

/** POST /returns/{id}/approve or /decline (and the approval's timeout): the decision, then the waiting step answered. */
export async function decideReturn(deps: ReturnDeps, returnId: string, decision: "approve" | "decline", meta: { actor: string; reason: string }): Promise<StoredReturn> {
  const now = deps.clock.now();
  const fact = { type: decision === "approve" ? "ReturnApproved" : "ReturnDeclined", at: now, data: { actor: meta.actor, reason: meta.reason } };
  const decide = (current: StoredReturn): Return => {
    const done = decision === "approve" ? !["REQUESTED", "PENDING_APPROVAL", "DECLINED", "CANCELLED"].includes(current.status) : current.status === "DECLINED";
    if (done) return current;
    if (current.status !== "PENDING_APPROVAL") throw new ConflictError(`Return ${returnId} is ${current.status}: it ${current.status === "REQUESTED" ? "is not yet waiting for" : "no longer waits for"} a decision`, { status: current.status });
    return decision === "approve" ? afterApproval({ ...current, facts: [...current.facts, fact] }, now, meta.reason) : moveReturn(current, "DECLINED", now, meta.reason, fact);
  };
  const r = decision === "approve" ? await updateReturn(deps, returnId, decide) : await endWithoutGoods(deps, returnId, decide);
  if (r.status === "DECLINED") await endExchange(deps, r, meta.reason);
  if (r.tokens?.approval) {
    if (r.status === "DECLINED") await deps.tasks.fail(r.tokens.approval, RETURN_DECLINED, meta.reason);
    else await deps.tasks.succeed(r.tokens.approval, routeOf(r));
  }
  return r;
}

/**
 * Workflow step "Wait for the goods" (waitForTaskToken): books the return label for a ship-back
 * return (once: the carrier books a return id once, and its tracking number is indexed), keeps
 * the token, and answers at once if every unit was accounted for (or the return cancelled) first.
 */
export async function awaitGoods(deps: ReturnDeps, returnId: string, token: string): Promise<{ parked: true }> {
  let r = await returnOf(deps.returns, returnId);
  // The exchange's replacement order is placed now: an advanced one ships at once, a regular one waits reserved for the goods.
  if (r.exchange && !r.exchange.orderId && !ENDED_WITHOUT_GOODS.includes(r.status)) r = await placeExchange(deps, r);
  if (r.method === "ship-back" && !r.label && r.status === "AWAITING_GOODS" && r.locationId) {
    const [order, location] = await Promise.all([deps.orders.get(r.orderId), deps.locations.getLocation(r.locationId)]);
    if (order?.shippingAddress && location) {
      const label = await deps.carrier.bookReturn({ returnId, from: order.shippingAddress, to: location });
      await deps.returns.indexTracking(label.carrier, label.trackingNumber, returnId);
      r = await updateReturn(deps, returnId, (current) => (current.label ? current : { ...current, label, updatedAt: label.createdAt, facts: [...current.facts, { type: "ReturnLabelCreated", at: label.createdAt, data: { carrier: label.carrier, trackingNumber: label.trackingNumber, label: `/returns/${returnId}/label`, locationId: location.locationId } }], version: current.version + 1 }));
    }
  }
  await deps.returns.setToken(returnId, "goods", token);
  r = await returnOf(deps.returns, returnId);
  if (r.status === "CANCELLED") await deps.tasks.fail(token, RETURN_CANCELLED, `Return ${returnId} was cancelled`);
  else if (r.status === "ACCEPTED") await deps.tasks.succeed(token, routeOf(r));
  return { parked: true };
}

/**
 * The wait for the goods ran out. Nothing was handed over: the return EXPIRES (label voided, its
 * units free again). In transit or partly received: an overdue alert (counted once per wait:
 * `alertsBefore` is the count the workflow saw) and the wait begins again.
 */
export async function returnOverdue(deps: ReturnDeps, returnId: string, alertsBefore = 0): Promise<ReturnRoute> {
  const now = deps.clock.now();
  const current = await returnOf(deps.returns, returnId);
  const r =
    current.status === "AWAITING_GOODS"
      ? await endWithoutGoods(deps, returnId, (x) => (x.status !== "AWAITING_GOODS" ? x : moveReturn({ ...x, ...(x.label ? { label: { ...x.label, voidedAt: now } } : {}) }, "EXPIRED", now, `nothing handed over within ${x.policy.shipWithinDays} days`, { type: "ReturnExpired", at: now })))
      : await updateReturn(deps, returnId, (x) => ((x.status !== "IN_TRANSIT" && x.status !== "RECEIVED") || (x.overdueAlerts ?? 0) > alertsBefore ? x : { ...x, overdueAlerts: (x.overdueAlerts ?? 0) + 1, updatedAt: now, facts: [...x.facts, { type: "ReturnOverdue", at: now, data: { alert: (x.overdueAlerts ?? 0) + 1 } }], version: x.version + 1 }));
  // Expired: a regular exchange's reservations are released, an advanced exchange is charged.
  if (r.status === "EXPIRED") await endExchange(deps, r, `the goods of return ${returnId} were not handed over within ${r.policy.shipWithinDays} days`);
  return routeOf(r);
}

/** Applies the return's stock effects not yet applied (each exactly once), and marks them. */
export async function applyEffects(deps: ReturnDeps, r: StoredReturn, actor: string): Promise<StoredReturn> {
  const pending = r.effects.filter((e) => !e.applied);
  if (pending.length === 0) return r;
  for (const e of pending) await deps.stock.apply(e, actor, deps.clock.now());
  return updateReturn(deps, r.returnId, (current) => (current.effects.every((e) => e.applied || !pending.some((p) => p.id === e.id)) ? current : { ...current, effects: current.effects.map((e) => (pending.some((p) => p.id === e.id) ? { ...e, applied: true } : e)), version: current.version + 1 }));
}

/**
 * POST /returns/{id}/events: what the receiving location saw (received, inspected) or an
 * operator's "lost". Each report applies once (by its Idempotency-Key); restocked units go on
 * hand exactly once; when every unit is accounted for, the waiting workflow step is answered.
 */
export async function recordReturnEvent(deps: ReturnDeps, returnId: string, event: ReturnEvent, meta: { actor: string; idempotencyKey: string }): Promise<StoredReturn> {
  const now = deps.clock.now();
  const r = await updateReturn(deps, returnId, (current) => applyReturnEvent(current, event, now, meta.idempotencyKey).next);
  // The workflow goes on first: its settle step applies whatever stock effect is still pending, so a
  // stock record too contended to take the effect now (a retryable 409 for the caller) delays nothing.
  if (r.status === "ACCEPTED" && r.tokens?.goods) await deps.tasks.succeed(r.tokens.goods, routeOf(r));
  return applyEffects(deps, r, meta.actor);
}

/** A carrier's tracking update for a return label: in transit moves it; the rest is kept as facts. */
export async function recordReturnTracking(deps: ReturnDeps, returnId: string, status: TrackingStatus, at: string): Promise<{ returnId: string; orderId: string; status: string }> {
  const r = await updateReturn(deps, returnId, (current) => {
    const type = status === "delivered" ? "ReturnDeliveredToLocation" : status === "exception" ? "ReturnTrackingException" : "ReturnInTransit";
    if (current.facts.some((f) => f.type === type && f.at === at)) return current;
    if (current.status === "AWAITING_GOODS" && (status === "in_transit" || status === "out_for_delivery" || status === "delivered")) return moveReturn(current, "IN_TRANSIT", at, `carrier: ${status}`, { type: "ReturnInTransit", at });
    return { ...current, facts: [...current.facts, { type, at }], updatedAt: at, version: current.version + 1 };
  });
  return { returnId, orderId: r.orderId, status: r.status };
}

/** POST /returns/{id}/cancel: before anything was received, the return ends: label voided, units free again, waiting steps stopped. */
export async function cancelReturn(deps: ReturnDeps, returnId: string, meta: { actor: string; reason: string }): Promise<StoredReturn> {
  const now = deps.clock.now();
  const r = await endWithoutGoods(deps, returnId, (current) => {
    if (current.status === "CANCELLED") return current;
    if (!["REQUESTED", "PENDING_APPROVAL", "AWAITING_GOODS"].includes(current.status)) throw new ConflictError(`Return ${returnId} is ${current.status}: only a return nothing was received for can be cancelled`, { status: current.status });
    return moveReturn({ ...current, ...(current.label ? { label: { ...current.label, voidedAt: now } } : {}) }, "CANCELLED", now, meta.reason, { type: "ReturnCancelled", at: now, data: { actor: meta.actor, reason: meta.reason } });
  });
  for (const token of [r.tokens?.approval, r.tokens?.goods]) if (token) await deps.tasks.fail(token, RETURN_CANCELLED, meta.reason);
  return endExchange(deps, r, meta.reason);
}
