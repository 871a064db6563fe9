import type { ChannelType } from "../domain/channel.js";
import { NotFoundError } from "../domain/errors.js";
import type { ChannelDirectory, ChannelFulfillments, ChannelSyncEntry, ChannelSyncLog, Clock, OrderRepository } from "./ports.js";

export interface ChannelSyncDeps {
  orders: Pick<OrderRepository, "get">;
  channels: Pick<ChannelDirectory, "get">;
  log: ChannelSyncLog;
  /** The fulfillment API of each marketplace type (generic channels have none: they read our events). */
  fulfillments: Partial<Record<ChannelType, ChannelFulfillments>>;
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
  const order = await deps.orders.get(shipment.orderId);
  if (!order) throw new NotFoundError(`Order ${shipment.orderId} does not exist`);
  const channel = await deps.channels.get(order.channel);
  const api = channel ? deps.fulfillments[channel.type] : undefined;
  if (!channel || !api) return { outcome: "not-a-marketplace" };
  const key = `shipped#${shipment.shipmentId}`;
  const before = await deps.log.get(order.orderId, key);
  if (before?.status === "SENT" || before?.status === "SKIPPED") return { outcome: "duplicate" };
  const base = { key, channelId: channel.channelId, call: "fulfill", attempts: (before?.attempts ?? 0) + 1, at: deps.clock.now() };
  const skip = async (reason: string) => {
    const entry: ChannelSyncEntry = { ...base, status: "SKIPPED", reason };
    await deps.log.put(order.orderId, entry);
    return { outcome: "skipped" as const, entry };
  };
  if (!channel.active) return skip("the channel is inactive");
  if (!shipment.trackingNumber || !shipment.carrier) return skip("the shipment has no carrier tracking (a pickup, or a hand-over without a carrier)");
  const lines = shipment.lines.flatMap((l) => {
    const channelLineId = order.lines.find((o) => o.lineId === l.lineId)?.channelLineId;
    return channelLineId ? [{ channelLineId, sku: l.sku, quantity: l.quantity }] : [];
  });
  if (!lines.length) return skip("none of the shipment's lines came from the channel (they were added here)");
  try {
    const done = await api.fulfill(channel, {
      shipmentId: shipment.shipmentId,
      externalOrderId: order.externalOrderId,
      carrier: shipment.carrier,
      ...(shipment.service ? { service: shipment.service } : {}),
      trackingNumber: shipment.trackingNumber,
      shippedAt: base.at,
      lines,
      ...(order.channelData ? { channelData: order.channelData } : {}),
    });
    const entry: ChannelSyncEntry = { ...base, call: done.call, status: "SENT", remoteIds: done.remoteIds, ...(done.already ? { reason: "the channel had these lines fulfilled already" } : {}) };
    await deps.log.put(order.orderId, entry);
    return { outcome: done.already ? "already" : "sent", entry };
  } catch (error) {
    await deps.log.put(order.orderId, { ...base, status: "FAILED", error: (error as Error).message.slice(0, 500) });
    throw error;
  }
}
