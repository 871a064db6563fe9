import { byTheChannel, type Channel, type ChannelType } from "../domain/channel.js";
import { NotFoundError } from "../domain/errors.js";
import type { Order } from "../domain/order.js";
import type { Money } from "../domain/money.js";
import type { ChannelCancellations, ChannelDirectory, ChannelRefunds, ChannelFulfillments, ChannelSyncEntry, ChannelSyncLog, Clock, OrderRepository } from "./ports.js";

export interface ChannelSyncDeps {
  orders: Pick<OrderRepository, "get">;
  channels: Pick<ChannelDirectory, "get">;
  log: ChannelSyncLog;
  /** The fulfillment API of each marketplace type (generic channels have none: they read our events). */
  fulfillments: Partial<Record<ChannelType, ChannelFulfillments>>;
  /** The cancellation API of each marketplace type that has one (Amazon's is not built: its cancellations are logged as not sent). */
  cancellations: Partial<Record<ChannelType, ChannelCancellations>>;
  /** The refund API of each marketplace type that has one (Amazon's is not built: logged as not sent). */
  refunds: Partial<Record<ChannelType, ChannelRefunds>>;
  clock: Clock;
}

/** A ShipmentShipped event's data, as far as the channel needs it. */
export interface ShippedShipment {
  shipmentId: string;
  orderId: string;
  carrier?: string;
  service?: string;
  trackingNumber?: string;
  lines: { lineId: string; sku: string; quantity: number }[];
}

export type SyncOutcome = { outcome: "not-a-marketplace" | "duplicate" } | { outcome: "sent" | "already" | "skipped"; entry: ChannelSyncEntry };

/**
 * Tells the order's marketplace that a shipment left, with carrier and tracking, once: the order's
 * delivery log says whether it was sent, so a redelivered event sends nothing, and the adapters
 * ask the channel what is still unfulfilled before they fulfill, so a retry after a lost answer
 * does not fulfill twice. A failure is logged on the order (attempts, error) and thrown, for the
 * queue to retry and, in the end, to dead-letter.
 */
export async function syncShipped(deps: ChannelSyncDeps, shipment: ShippedShipment): Promise<SyncOutcome> {
  return logged(deps, shipment.orderId, `shipped#${shipment.shipmentId}`, "fulfill", (channel) => deps.fulfillments[channel.type], async ({ order, channel, api, skip, at }) => {
    if (!shipment.trackingNumber || !shipment.carrier) return skip("the shipment has no carrier tracking (a pickup, or a hand-over without a carrier)");
    const lines = shipment.lines.flatMap((l) => {
      const channelLineId = order.lines.find((o) => o.lineId === l.lineId)?.channelLineId;
      return channelLineId ? [{ channelLineId, sku: l.sku, quantity: l.quantity }] : [];
    });
    if (!lines.length) return skip("none of the shipment's lines came from the channel (they were added here)");
    return api.fulfill(channel, {
      shipmentId: shipment.shipmentId,
      externalOrderId: order.externalOrderId,
      carrier: shipment.carrier,
      ...(shipment.service ? { service: shipment.service } : {}),
      trackingNumber: shipment.trackingNumber,
      shippedAt: at,
      lines,
      ...(order.channelData ? { channelData: order.channelData } : {}),
    });
  });
}

/**
 * Tells the order's marketplace that we cancelled its order (an operator, a payment that failed,
 * stock that never came), once, so the channel stops showing it open and, where it took the money,
 * refunds the customer. A cancellation the channel made itself is not sent back. Marketplaces
 * without a cancellation API here (Amazon) get a SKIPPED entry saying so, for an operator to act on.
 */
export async function syncCancelled(deps: ChannelSyncDeps, cancelled: { orderId: string; reason?: string }): Promise<SyncOutcome> {
  return logged(deps, cancelled.orderId, "cancelled", "cancel", (channel) => (channel.type === "generic" ? undefined : (deps.cancellations[channel.type] ?? NOT_BUILT)), async ({ order, channel, api, skip }) => {
    if (byTheChannel(cancelled.reason)) return skip("the channel cancelled the order itself");
    if (api === NOT_BUILT) return skip(`the OMS cannot cancel ${channel.type} orders on the channel yet: cancel it there by hand`);
    return api.cancel(channel, { externalOrderId: order.externalOrderId, reason: cancelled.reason ?? "cancelled in the OMS" });
  });
}

/**
 * A return's refund that the channel owes (it collected the order's payment: RefundIssued with
 * `executedBy: "channel"`) is asked of the channel once, under the return's id, for exactly the
 * amount the return settled. When the channel's own refund webhook comes back it is matched to
 * this refund by amount and not counted again (recordChannelRefund).
 */
export async function syncRefund(deps: ChannelSyncDeps, refund: { orderId: string; returnId: string; amount: Money; executedBy?: string }): Promise<SyncOutcome> {
  if (refund.executedBy !== "channel") return { outcome: "not-a-marketplace" };
  return logged(deps, refund.orderId, `refund#${refund.returnId}`, "refund", (channel) => (channel.type === "generic" ? undefined : (deps.refunds[channel.type] ?? NOT_BUILT)), async ({ order, channel, api, skip }) => {
    if (api === NOT_BUILT) return skip(`the OMS cannot refund ${channel.type} orders on the channel yet: refund ${refund.amount.amount} ${refund.amount.currency} minor units there by hand`);
    if (refund.amount.amount <= 0) return skip("the return refunds nothing");
    return api.refund(channel, { externalOrderId: order.externalOrderId, key: refund.returnId, amount: refund.amount, reason: `OMS return ${refund.returnId}` });
  });
}

const NOT_BUILT: ChannelCancellations & ChannelRefunds = { cancel: () => Promise.reject(new Error("not built")), refund: () => Promise.reject(new Error("not built")) };

type CallResult = { call: string; remoteIds: string[]; already?: boolean };

/**
 * One outbound call about an order, exactly once per `key`: the order's delivery log says whether
 * it was sent (a redelivered event sends nothing), the call's outcome is logged (SENT, SKIPPED
 * with the reason, FAILED with the error and attempts) and a failure is thrown for the queue to
 * retry and, in the end, to dead-letter. The adapters ask the channel for the state of what they
 * change before they change it, so a retry after a lost answer does nothing twice.
 */
async function logged<Api>(
  deps: ChannelSyncDeps,
  orderId: string,
  key: string,
  call: string,
  apiOf: (channel: Channel) => Api | undefined,
  send: (ctx: { order: Order; channel: Channel; api: Api; at: string; skip: (reason: string) => CallResult & { skipped: string } }) => Promise<CallResult | (CallResult & { skipped: string })>,
): Promise<SyncOutcome> {
  const order = await deps.orders.get(orderId);
  if (!order) throw new NotFoundError(`Order ${orderId} does not exist`);
  const channel = await deps.channels.get(order.channel);
  const api = channel ? apiOf(channel) : undefined;
  if (!channel || !api) return { outcome: "not-a-marketplace" };
  const before = await deps.log.get(order.orderId, key);
  if (before?.status === "SENT" || before?.status === "SKIPPED") return { outcome: "duplicate" };
  const base = { key, channelId: channel.channelId, call, attempts: (before?.attempts ?? 0) + 1, at: deps.clock.now() };
  const skip = (reason: string) => ({ call, remoteIds: [], skipped: reason });
  try {
    const done = channel.active ? await send({ order, channel, api, at: base.at, skip }) : skip("the channel is inactive");
    const entry: ChannelSyncEntry =
      "skipped" in done
        ? { ...base, status: "SKIPPED", reason: done.skipped }
        : { ...base, call: done.call, status: "SENT", remoteIds: done.remoteIds, ...(done.already ? { reason: "the channel had this done already" } : {}) };
    await deps.log.put(order.orderId, entry);
    return { outcome: "skipped" in done ? "skipped" : done.already ? "already" : "sent", entry };
  } catch (error) {
    await deps.log.put(order.orderId, { ...base, status: "FAILED", error: (error as Error).message.slice(0, 500) });
    throw error;
  }
}
