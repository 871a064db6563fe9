// Purchase order actions: approve (the lines become incoming stock), send, acknowledge, cancel,
// close, change a draft, and receive (on hand up through the receipt adjustment, exactly once).
import { NotFoundError } from "../domain/errors.js";
import { INCOMING_STATUSES, moveTo, patchPurchaseOrder, receive, stillExpected, type PoStatus, type PurchaseOrder, type ReceiptInput } from "../domain/purchasing.js";
import type { Adjustment } from "../domain/inventory.js";
import type { Clock, IncomingTarget, PurchasingStore } from "./ports.js";

export interface PurchasingDeps {
  purchasing: PurchasingStore;
  stock: { adjust(batch: Adjustment[], actor: string, idempotencyKey?: string): Promise<{ journalId: string }[]> };
  clock: Clock;
}

/** Each line's incoming stock as the order now stands (0 once it no longer brings stock). */
const incomingOf = (po: PurchaseOrder, tolerance: number, only?: string[]): IncomingTarget =>
  new Map(po.lines.filter((l) => !only || only.includes(l.sku)).map((l) => [l.sku, { quantity: stillExpected(po, l, tolerance), expectedAt: po.expectedAt }]));

async function toleranceOf(deps: PurchasingDeps, supplierId: string): Promise<number> {
  return (await deps.purchasing.getSupplier(supplierId))?.receiptTolerance ?? 0;
}

/** A status change; lines come and go from incoming stock as the order starts or stops bringing it. */
export async function transition(deps: PurchasingDeps, poId: string, to: PoStatus, actor: string, reason?: string): Promise<PurchaseOrder> {
  const current = await deps.purchasing.get(poId);
  if (!current) throw new NotFoundError(`Purchase order ${poId} does not exist`);
  const tolerance = await toleranceOf(deps, current.supplierId);
  return deps.purchasing.update(poId, (po) => {
    if (po.status === to) return Promise.resolve(undefined); // done already (a retry)
    const next = moveTo(po, to, deps.clock.now(), actor, reason);
    const incomingChanges = INCOMING_STATUSES.includes(po.status) !== INCOMING_STATUSES.includes(to);
    return Promise.resolve({ po: next, ...(incomingChanges ? { incoming: incomingOf(next, tolerance) } : {}), dropDraftPointer: po.status === "DRAFT" });
  });
}

/** PATCH: a draft's lines and expected date. */
export async function changeDraft(deps: PurchasingDeps, poId: string, patch: Parameters<typeof patchPurchaseOrder>[1]): Promise<PurchaseOrder> {
  return deps.purchasing.update(poId, (po) => Promise.resolve({ po: patchPurchaseOrder(po, patch, deps.clock.now()) }));
}

/**
 * A receipt at the order's location, applied once per receipt id: good units go on hand through
 * the journaled receipt adjustment (which settles incoming and resumes backorders), damaged units
 * are recorded on the line, and what is still expected stays incoming.
 */
export async function receiveGoods(deps: PurchasingDeps, poId: string, receiptId: string, input: ReceiptInput, actor: string): Promise<{ purchaseOrder: PurchaseOrder; receipt: Record<string, unknown>; replayed: boolean }> {
  const prior = await deps.purchasing.receipt(poId, receiptId);
  const po = await deps.purchasing.get(poId);
  if (!po) throw new NotFoundError(`Purchase order ${poId} does not exist`);
  if (prior) return { purchaseOrder: po, receipt: prior, replayed: true };
  const tolerance = await toleranceOf(deps, po.supplierId);
  // Refused before anything moves: another location, unknown SKUs, over the tolerance.
  receive(po, input, tolerance, deps.clock.now(), actor);
  const good = input.lines.filter((l) => l.quantity > 0);
  const adjustments = good.length ? await deps.stock.adjust(good.map((l) => ({ sku: l.sku, locationId: po.locationId, delta: l.quantity, reason: "receipt", reference: poId })), actor, `po-receipt.${poId}.${receiptId}`) : [];
  const at = deps.clock.now();
  const receipt = { locationId: input.locationId, lines: input.lines, ...(input.note ? { note: input.note } : {}), at, actor, journal: adjustments.map((a) => a.journalId) };
  const saved = await deps.purchasing.update(poId, async (current) => {
    if (await deps.purchasing.receipt(poId, receiptId)) return undefined;
    const next = receive(current, input, tolerance, at, actor);
    return { po: next, incoming: incomingOf(next, tolerance), receipt: { receiptId, body: receipt } };
  });
  return { purchaseOrder: saved, receipt: { poId, receiptId, ...receipt }, replayed: false };
}
