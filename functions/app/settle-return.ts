import { ConflictError } from "../domain/errors.js";
import { AGAIN, withOptimisticRetry } from "../domain/optimistic.js";
import type { RefundEntry } from "../domain/payment.js";
import { planRefund } from "../domain/refund.js";
import { moveReturn, settlementOf, type ReturnFact } from "../domain/return.js";
import type { StoredReturn } from "./ports.js";
import { applyEffects, routeOf, type ReturnRoute } from "./return-steps.js";
import { settleExchange } from "./exchanges.js";
import { returnOf, updateReturn, type ReturnDeps } from "./returns.js";

/** The payment record's key for a return's refund: one refund per return, so a retry finds it. */
export const refundKeyOf = (returnId: string): string => `return:${returnId}`;

/**
 * The refund of a return, within the ledger: planned first on the payment record (amount and the
 * captures it goes against, the returned units' shipments first; one conditional write under the
 * record's version, so two refunds at once cannot both take the same capture), then asked of the
 * provider with the same key, then recorded as done. A marketplace order's refund is recorded as
 * owed by the channel, which executes it. A provider failure propagates (the workflow retries,
 * then waits for an operator).
 */
async function refundOnce(deps: ReturnDeps, r: StoredReturn, amount: number): Promise<RefundEntry | undefined> {
  const key = refundKeyOf(r.returnId);
  return withOptimisticRetry(`Payment of ${r.orderId}`, async () => {
    const current = await deps.payments.getVersioned(r.orderId);
    if (!current) throw new ConflictError(`Order ${r.orderId} has no payment to refund`);
    const { record, version } = current;
    const planned = record.refunds?.[key];
    if (planned && (planned.refundId || planned.manual || (planned.owedByChannel && planned.at))) return planned;
    const refunded = (n: number) => ({ amount: (record.refunded?.amount ?? 0) + n, currency: record.amount.currency });
    if (!planned) {
      const plan = planRefund(record, amount, [...new Set(r.lines.flatMap((l) => l.shipmentIds))]);
      if (plan.amount === 0) return undefined;
      const entry: RefundEntry = { amount: { amount: plan.amount, currency: record.amount.currency }, against: plan.against, ...(record.method === "marketplace" ? { owedByChannel: true } : {}) };
      await deps.payments.writeRefunds(r.orderId, { refunds: { ...record.refunds, [key]: entry } }, version);
      return AGAIN;
    }
    const at = deps.clock.now();
    if (planned.owedByChannel) {
      const entry = { ...planned, at };
      return (await deps.payments.writeRefunds(r.orderId, { refunds: { ...record.refunds, [key]: entry }, refunded: refunded(planned.amount.amount) }, version)) ? entry : AGAIN;
    }
    const done = await deps.provider.refund({ orderId: r.orderId, authorizationId: record.authorizationId ?? "", amount: planned.amount, idempotencyKey: key });
    const entry = { ...planned, refundId: done.refundId, at: done.at };
    return (await deps.payments.writeRefunds(r.orderId, { refunds: { ...record.refunds, [key]: entry }, refunded: refunded(planned.amount.amount) }, version)) ? entry : AGAIN;
  });
}

/**
 * Workflow step "Settle return": stock effects still pending are applied (a crash between a
 * report and its stock is made good here), then the refund and the store credit are issued from
 * the units' stored amounts, and the return is CLOSED with what was paid and why.
 */
export async function settleReturn(deps: ReturnDeps, returnId: string): Promise<ReturnRoute> {
  let r = await returnOf(deps.returns, returnId);
  if (r.status === "CLOSED") return routeOf(r);
  if (r.status !== "ACCEPTED" && r.status !== "MANUAL_REFUND_REQUIRED") throw new ConflictError(`Return ${returnId} is ${r.status}: nothing to settle yet`, { status: r.status });
  r = await applyEffects(deps, r, "return-workflow");
  const { refund, credit } = settlementOf(r);
  // An exchange: the replacement goes on (regular), what the goods fell short of is charged (advanced), what they are worth beyond the replacement is refunded.
  const exchange = await settleExchange(deps, r);
  const total = refund.total + (exchange?.refund ?? 0);
  const entry = total > 0 ? await refundOnce(deps, r, total) : undefined;
  const now = deps.clock.now();
  if (credit.total > 0) await deps.returns.issueStoreCredit(r.customer.email, returnId, { amount: credit.total, currency: r.currency }, now);
  const closed = await updateReturn(deps, returnId, (current) => {
    if (current.status === "CLOSED") return current;
    const facts: ReturnFact[] = [];
    if (entry) facts.push({ type: "RefundIssued", at: entry.at ?? now, data: { amount: entry.amount, breakdown: refund, ...(exchange ? { exchange } : {}), against: entry.against ?? {}, ...(entry.refundId ? { refundId: entry.refundId } : {}), executedBy: entry.owedByChannel ? "channel" : entry.manual ? "operator" : "provider", ...(entry.manual ? { reference: entry.manual.reference } : {}) } });
    if (credit.total > 0) facts.push({ type: "StoreCreditIssued", at: now, data: { amount: { amount: credit.total, currency: r.currency }, breakdown: credit } });
    const status = !entry ? "REFUNDED" : entry.owedByChannel ? "OWED_BY_CHANNEL" : entry.manual ? "MANUAL" : "REFUNDED";
    const settled = { ...current, settlement: { breakdown: refund, key: refundKeyOf(returnId), status, ...(entry?.refundId ? { refundId: entry.refundId } : {}), ...(entry && entry.amount.amount < total ? { cappedAt: entry.amount.amount } : {}), ...(credit.total > 0 ? { storeCredit: credit.total } : {}), ...(exchange ? { exchange } : {}) } as const, facts: [...current.facts, ...facts] };
    return moveReturn(settled, "CLOSED", now, undefined, { type: "ReturnClosed", at: now });
  });
  return routeOf(closed);
}

/** The refund kept failing (workflow step "Wait for a manual refund", waitForTaskToken): MANUAL_REFUND_REQUIRED, the token kept for the operator. */
export async function awaitManualRefund(deps: ReturnDeps, returnId: string, token: string, error: { Error?: string; Cause?: string } = {}): Promise<{ parked: true }> {
  const now = deps.clock.now();
  await updateReturn(deps, returnId, (current) => {
    if (current.status === "MANUAL_REFUND_REQUIRED" || current.status === "CLOSED") return current;
    const failed = { ...current, settlement: { breakdown: settlementOf(current).refund, key: refundKeyOf(returnId), status: "FAILED" as const, failures: (current.settlement?.failures ?? 0) + 1, lastError: `${error.Error ?? "Error"}: ${(error.Cause ?? "").slice(0, 300)}` } };
    return moveReturn(failed, "MANUAL_REFUND_REQUIRED", now, "the payment provider kept failing the refund", { type: "RefundFailed", at: now, data: { error: error.Error ?? "Error" } });
  });
  await deps.returns.setToken(returnId, "manual", token);
  const r = await returnOf(deps.returns, returnId);
  if (r.status === "CLOSED") await deps.tasks.succeed(token, routeOf(r));
  return { parked: true };
}

/**
 * POST /returns/{id}/refund/retry: the operator asks the provider again (same key: it refunds
 * once), or records a refund made outside it (`manual`: a bank transfer, say, with its reference),
 * which the ledger counts like any other. The waiting workflow step then settles again.
 */
export async function retryRefund(deps: ReturnDeps, returnId: string, meta: { actor: string; manual?: { reference: string } }): Promise<StoredReturn> {
  const r = await returnOf(deps.returns, returnId);
  if (r.status !== "MANUAL_REFUND_REQUIRED") throw new ConflictError(`Return ${returnId} is ${r.status}: no refund waits for an operator`, { status: r.status });
  if (meta.manual) {
    const key = refundKeyOf(returnId);
    const { reference } = meta.manual;
    await withOptimisticRetry(`Payment of ${r.orderId}`, async () => {
      const current = await deps.payments.getVersioned(r.orderId);
      const planned = current?.record.refunds?.[key];
      if (!current || !planned) throw new ConflictError(`Return ${returnId} has no planned refund to record`);
      if (planned.refundId || planned.manual) return planned;
      const entry: RefundEntry = { ...planned, manual: { by: meta.actor, reference }, at: deps.clock.now() };
      const refunded = { amount: (current.record.refunded?.amount ?? 0) + planned.amount.amount, currency: planned.amount.currency };
      return (await deps.payments.writeRefunds(r.orderId, { refunds: { ...current.record.refunds, [key]: entry }, refunded }, current.version)) ? entry : AGAIN;
    });
  }
  if (r.tokens?.manual) await deps.tasks.succeed(r.tokens.manual, routeOf(r));
  return r;
}
