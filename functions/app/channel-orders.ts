import { ConflictError, InvalidTransitionError } from "../domain/errors.js";
import type { ChannelOrder, OrderStatus } from "../domain/order.js";
import { cancelOrder, type CancelOrderDeps } from "./cancel-order.js";
import { placeOrder, type PlaceOrderDeps } from "./place-order.js";

/** What a marketplace's order message did to our order. */
export interface ChannelOrderResult {
  orderId: string;
  status: OrderStatus | "UNCHANGED";
  /** created: a new order; existing: it was captured before; cancelled; refused: the channel asked for what can no longer be done (with why). */
  outcome: "created" | "existing" | "cancelled" | "refused";
  reason?: string;
}

export interface ChannelOrderDeps {
  place: PlaceOrderDeps;
  cancel: CancelOrderDeps;
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
