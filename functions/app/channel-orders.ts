import { ConflictError, InvalidTransitionError, ValidationError } from "../domain/errors.js";
import { EDITABLE_STATUSES } from "../domain/order-change.js";
import { AGAIN, withOptimisticRetry } from "../domain/optimistic.js";
import type { Money } from "../domain/money.js";
import type { Address, ChannelOrder, ChannelTask, Order, OrderStatus } from "../domain/order.js";
import type { RefundEntry } from "../domain/payment.js";
import { NO_SHIPPING_ADDRESS, type Channel } from "../domain/channel.js";
import type { ChannelDeliveryMethods, RefundStore } from "./ports.js";
import { changeOrder, type ChangeOrderDeps, type ChangeRequest } from "./change-order.js";
import { cancelOrder, type CancelOrderDeps } from "./cancel-order.js";
import { placeOrder, type PlaceOrderDeps } from "./place-order.js";

/** What a marketplace's order message did to our order. */
export interface ChannelOrderResult {
  orderId: string;
  status: OrderStatus | "UNCHANGED";
  /** created: a new order; existing: it was captured before; cancelled; changed: a channel's edit applied as an order change; unchanged: nothing we keep differs; refused: the channel asked for what can no longer be done (with why; an edit becomes an operator task on the order). */
  outcome: "created" | "existing" | "cancelled" | "changed" | "unchanged" | "refused";
  reason?: string;
}

export interface ChannelOrderDeps {
  place: PlaceOrderDeps;
  cancel: CancelOrderDeps;
  /** Order changes, for the channel's edits. */
  change: ChangeOrderDeps;
  /** The catalog's listings (channel id → SKU) and what it sells, to map a channel's lines to our SKUs. */
  catalog: { skuForListing(channelId: string, listingKey: string): Promise<string | undefined>; unsellable(skus: string[]): Promise<{ path: string; message: string }[]> };
}

const unknownSkuHold = (line: number) => `unknown-sku: line ${line} `;

/**
 * A channel's lines as our SKUs: a listing of the channel's id for the product wins (the channel's
 * SKU text may be missing or stale); a line whose SKU the catalog does not have, and that no
 * listing maps, holds the order (`unknown-sku`) instead of having it rejected.
 */
export async function mapListings(catalog: ChannelOrderDeps["catalog"], input: ChannelOrder): Promise<ChannelOrder> {
  let holds = [...(input.intakeHolds ?? [])];
  const lines = await Promise.all(
    input.lines.map(async (line, i) => {
      const mapped = line.listingKey ? await catalog.skuForListing(input.channel, line.listingKey) : undefined;
      if (!mapped) return line;
      holds = holds.filter((h) => !h.startsWith(unknownSkuHold(i + 1)));
      return { ...line, sku: mapped };
    }),
  );
  const missing = new Set((await catalog.unsellable([...new Set(lines.map((l) => l.sku))])).filter((p) => p.message === "is not in the catalog").map((p) => p.path));
  lines.forEach((l, i) => {
    if (missing.has(l.sku) && !holds.some((h) => h.startsWith(unknownSkuHold(i + 1))))
      holds.push(`${unknownSkuHold(i + 1)}has SKU ${l.sku}, which is not in the catalog${l.listingKey ? `, and no listing of ${input.channel} maps ${l.listingKey}` : ""}`);
  });
  const { intakeHolds: _h, ...rest } = input;
  return { ...rest, lines, ...(holds.length ? { intakeHolds: holds } : {}) };
}

/**
 * A channel's order, captured exactly once. Unlike our own API, a marketplace sends the same
 * order again with other content (a later state of it, a redelivery after an edit): that is the
 * order we have, not a conflict; its changes are the update handlers' job.
 */
export async function receiveChannelOrder(deps: ChannelOrderDeps, input: ChannelOrder): Promise<ChannelOrderResult> {
  try {
    const placed = await placeOrder(deps.place, await mapListings(deps.catalog, input));
    return { orderId: placed.orderId, status: placed.status, outcome: placed.created ? "created" : "existing" };
  } catch (error) {
    const orderId = error instanceof ConflictError ? (error.details as { orderId?: string } | undefined)?.orderId : undefined;
    if (!orderId) throw error;
    return { orderId, status: "UNCHANGED", outcome: "existing" };
  }
}

/**
 * The channel cancelled an order. One we never captured (its create webhook was missed) is
 * captured from this payload first, so the cancellation is never lost; one that has shipped
 * cannot be cancelled here: the answer says so and the order is left as it is (a return handles it).
 */
export async function cancelFromChannel(deps: ChannelOrderDeps, input: ChannelOrder, reason: string): Promise<ChannelOrderResult> {
  const known = await deps.place.orders.findByExternalId(input.channel, input.externalOrderId);
  return cancelCaptured(deps, known ?? (await receiveChannelOrder(deps, input)).orderId, reason);
}

/** The channel cancelled (or deleted) an order it names only by id: ours is cancelled if we have it; undefined when we never captured it. */
export async function cancelKnownOrder(deps: ChannelOrderDeps, channel: string, externalOrderId: string, reason: string): Promise<ChannelOrderResult | undefined> {
  const orderId = await deps.place.orders.findByExternalId(channel, externalOrderId);
  return orderId ? cancelCaptured(deps, orderId, reason) : undefined;
}

async function cancelCaptured(deps: ChannelOrderDeps, orderId: string, reason: string): Promise<ChannelOrderResult> {
  try {
    const done = await cancelOrder(deps.cancel, orderId, reason);
    return { orderId, status: done.status, outcome: "cancelled" };
  } catch (error) {
    if (!(error instanceof ConflictError) && !(error instanceof InvalidTransitionError)) throw error;
    return { orderId, status: "UNCHANGED", outcome: "refused", reason: error.message };
  }
}

const ADDRESS_FIELDS = ["name", "line1", "line2", "city", "region", "postalCode", "country"] as const;
const sameAddress = (a: Address | undefined, b: Address | undefined) => ADDRESS_FIELDS.every((f) => (a?.[f] ?? "") === (b?.[f] ?? ""));

/** What the channel's version of the order changes of ours: line quantities (by the channel's line id), new lines, the address. */
export function channelDifference(order: Order, input: ChannelOrder): { lines: ChannelTask["difference"]["lines"]; added: ChannelOrder["lines"]; address?: Address } {
  const theirs = new Map(input.lines.filter((l) => l.channelLineId).map((l) => [l.channelLineId as string, l]));
  const lines = order.lines.flatMap((l) => {
    if (!l.channelLineId) return [];
    const q = theirs.get(l.channelLineId)?.quantity ?? 0; // a line the channel no longer lists was removed
    return q !== l.quantity ? [{ lineId: l.lineId, channelLineId: l.channelLineId, sku: l.sku, ours: l.quantity, theirs: q }] : [];
  });
  const known = new Set(order.lines.map((l) => l.channelLineId));
  const added = input.lines.filter((l) => l.channelLineId && !known.has(l.channelLineId));
  const address = input.shippingAddress && !order.pickup && !sameAddress(order.shippingAddress, input.shippingAddress) ? input.shippingAddress : undefined;
  return { lines, added, ...(address ? { address } : {}) };
}

/**
 * The channel's current version of an order (after an edit on the channel): applied as a
 * versioned order change while the order may still change that way, i.e. an edit before release,
 * or fewer units before they leave a location. Anything else (more units, a new line or another
 * address once released, anything once shipped) is kept on the order as an operator task with
 * the difference. `version` names the channel's state (its `updated_at`), so a redelivery is
 * the same change. An order we never captured is captured now.
 */
export async function updateFromChannel(deps: ChannelOrderDeps, input: ChannelOrder, meta: { version: string; source: string; reason: string }): Promise<ChannelOrderResult> {
  const orderId = await deps.place.orders.findByExternalId(input.channel, input.externalOrderId);
  if (!orderId) return receiveChannelOrder(deps, input);
  const order = await deps.place.orders.get(orderId);
  if (!order) throw new Error(`Dedupe key points at missing order ${orderId}`);
  const mapped = await mapListings(deps.catalog, input);
  const diff = channelDifference(order, mapped);
  if (diff.lines.length === 0 && diff.added.length === 0 && !diff.address) return { orderId, status: order.status, outcome: "unchanged" };
  const key = `${input.channel}:${meta.version}`;
  const shipments = await deps.change.shipments.ofOrder(orderId);
  const editable = EDITABLE_STATUSES.includes(order.status) && shipments.length === 0;
  const fewerOnly = diff.added.length === 0 && !diff.address && diff.lines.every((l) => l.theirs < l.ours);
  let request: ChangeRequest | undefined;
  if (editable)
    request = {
      kind: "edit",
      ...(diff.lines.length ? { lines: diff.lines.map((l) => ({ lineId: l.lineId as string, quantity: l.theirs })) } : {}),
      ...(diff.added.length ? { addLines: diff.added.map(({ sku, quantity, unitPrice, channelLineId }) => ({ sku, quantity, unitPrice, ...(channelLineId ? { channelLineId } : {}) })) } : {}),
      ...(diff.address ? { shippingAddress: diff.address } : {}),
    };
  else if (fewerOnly) request = { kind: "cancel-lines", lines: diff.lines.map((l) => ({ lineId: l.lineId as string, quantity: l.ours - l.theirs })) };
  if (request) {
    try {
      const done = await changeOrder(deps.change, orderId, request, { actor: `channel:${input.channel}`, reason: meta.reason, idempotencyKey: key });
      return { orderId, status: done.status, outcome: "changed" };
    } catch (error) {
      if (!(error instanceof ConflictError) && !(error instanceof InvalidTransitionError) && !(error instanceof ValidationError)) throw error;
      return recordTask(deps, order, diff, meta, (error as Error).message);
    }
  }
  return recordTask(deps, order, diff, meta, `order ${orderId} is ${order.status}${shipments.length ? " and released to its locations" : ""}: the channel's change cannot be applied`);
}

async function recordTask(deps: ChannelOrderDeps, order: Order, diff: ReturnType<typeof channelDifference>, meta: { version: string; source: string }, reason: string): Promise<ChannelOrderResult> {
  const source = `${meta.source}@${meta.version}`;
  const task: ChannelTask = {
    at: deps.place.clock.now(),
    source,
    reason,
    difference: { lines: [...diff.lines, ...diff.added.map((l) => ({ channelLineId: l.channelLineId ?? "", sku: l.sku, ours: 0, theirs: l.quantity }))], ...(diff.address ? { address: { ...(order.shippingAddress ? { ours: order.shippingAddress } : {}), theirs: diff.address } } : {}) },
  };
  await withOptimisticRetry(`Order ${order.orderId}`, async (n) => {
    const current = n === 1 ? order : await deps.place.orders.get(order.orderId);
    if (!current || current.channelTasks?.some((t) => t.source === source)) return undefined;
    const next = { ...current, channelTasks: [...(current.channelTasks ?? []), task], updatedAt: task.at, version: current.version + 1 };
    return (await deps.place.orders.saveHeader(next, current.version)) ? next : AGAIN;
  });
  return { orderId: order.orderId, status: "UNCHANGED", outcome: "refused", reason };
}

/** What a channel's refund did to our payment record. */
export type ChannelRefundOutcome = "recorded" | "matched" | "duplicate" | "unknown-order" | "no-payment" | "currency-mismatch";

/**
 * A refund made on the channel, recorded against the order's payment exactly once (keyed by the
 * channel's refund id). One the OMS asked the channel for (a return's refund, owed by the
 * channel) is matched to that entry by amount and not counted again; one that started on the
 * channel is a new refund entry, added to what was refunded.
 */
export async function recordChannelRefund(deps: Pick<ChannelOrderDeps, "place"> & { payments: Pick<RefundStore, "getVersioned" | "writeRefunds"> }, channel: string, refund: { externalOrderId: string; refundId: string; amount: Money; at: string }): Promise<{ orderId?: string; outcome: ChannelRefundOutcome }> {
  const orderId = await deps.place.orders.findByExternalId(channel, refund.externalOrderId);
  if (!orderId) return { outcome: "unknown-order" };
  return withOptimisticRetry(`Payment of ${orderId}`, async () => {
    const current = await deps.payments.getVersioned(orderId);
    if (!current) return { orderId, outcome: "no-payment" as const };
    const { record, version } = current;
    if (record.amount.currency !== refund.amount.currency) return { orderId, outcome: "currency-mismatch" as const };
    const entries = record.refunds ?? {};
    if (Object.values(entries).some((e) => e.channelRefundId === refund.refundId)) return { orderId, outcome: "duplicate" as const };
    const owed = Object.entries(entries).find(([, e]) => e.owedByChannel && !e.channelRefundId && e.amount.amount === refund.amount.amount);
    if (owed) {
      const [key, entry] = owed;
      return (await deps.payments.writeRefunds(orderId, { refunds: { ...entries, [key]: { ...entry, channelRefundId: refund.refundId } } }, version)) ? { orderId, outcome: "matched" as const } : AGAIN;
    }
    const entry: RefundEntry = { amount: refund.amount, channelRefundId: refund.refundId, at: refund.at, manual: { by: `channel:${channel}`, reference: refund.refundId } };
    const refunded = { amount: (record.refunded?.amount ?? 0) + refund.amount.amount, currency: record.amount.currency };
    return (await deps.payments.writeRefunds(orderId, { refunds: { ...entries, [`channel:${refund.refundId}`]: entry }, refunded }, version)) ? { orderId, outcome: "recorded" as const } : AGAIN;
  });
}


/**
 * A Shopify order without a shipping address may be a local pickup, which only its fulfillment
 * orders say (`deliveryMethod.methodType: PICK_UP` at their assigned location): it becomes our
 * pickup order at the store the channel's `inventoryLocations` map that Shopify location to (one
 * of ours), in place of the missing-address hold. A pickup location we cannot map, or an answer
 * we could not get, keeps the order held, with the reason; it never fails the webhook.
 */
export async function pickupFromChannel(api: ChannelDeliveryMethods | undefined, channel: Channel, input: ChannelOrder): Promise<ChannelOrder> {
  if (!api || input.shippingAddress || input.pickup || !channel.credentialsSecret) return input;
  let methods: { methodType: string; channelLocationId?: string }[];
  try {
    methods = await api.deliveryMethods(channel, input.externalOrderId);
  } catch {
    // Still held for the missing address, which an operator resolves (or the channel's next update does).
    return input;
  }
  const pickups = methods.filter((m) => m.methodType === "PICK_UP");
  if (!pickups.length) return input;
  const at = [...new Set(pickups.map((p) => p.channelLocationId ?? ""))];
  const ours = at.length === 1 ? channel.inventoryLocations?.find((l) => l.channelLocationId === at[0])?.locationIds : undefined;
  const others = (input.intakeHolds ?? []).filter((h) => h !== NO_SHIPPING_ADDRESS);
  if (ours?.length !== 1 || pickups.length !== methods.length) {
    const why = at.length !== 1 || pickups.length !== methods.length ? "parts of it are picked up at several locations or shipped" : `no inventoryLocations entry of the channel maps its Shopify location ${at[0] ?? "?"} to exactly one of our locations`;
    return { ...input, intakeHolds: [...others, `a local pickup on the channel, but ${why}`] };
  }
  const { intakeHolds: _h, ...rest } = input;
  return { ...rest, pickup: { locationId: ours[0] ?? "" }, ...(others.length ? { intakeHolds: others } : {}) };
}
