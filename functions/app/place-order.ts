import { createHash } from "node:crypto";
import { ConflictError } from "../domain/errors.js";
import { createOrder, summarize, type ChannelOrder, type OrderStatus } from "../domain/order.js";
import type { Clock, IdGenerator, OrderRepository, WorkflowStarter } from "./ports.js";

export interface PlaceOrderDeps {
  orders: OrderRepository;
  workflow: WorkflowStarter;
  clock: Clock;
  ids: IdGenerator;
}

export interface PlaceOrderResult {
  orderId: string;
  status: OrderStatus;
  /** False when (channel, externalOrderId) had been received before: a redelivery. */
  created: boolean;
}

/** The workflow's input: the order id and its summary, identical every time it is built for an order. */
export const workflowInputFor = (order: Parameters<typeof summarize>[0]) => ({
  orderId: order.orderId,
  order: summarize(order),
});

/**
 * Hash of the normalized order. The schema parser emits keys in schema order and rejects
 * unknown keys, so equal orders serialize identically whatever the sender's key order or spacing.
 */
export const payloadHash = (input: ChannelOrder): string =>
  createHash("sha256").update(JSON.stringify(input)).digest("hex");

/**
 * Captures a channel order exactly once and makes sure its workflow runs.
 * A redelivery re-sends StartExecution too: if the first attempt crashed between the write
 * and the start, the retry is what starts the workflow.
 */
export async function placeOrder(deps: PlaceOrderDeps, input: ChannelOrder): Promise<PlaceOrderResult> {
  const hash = payloadHash(input);
  const fresh = createOrder(input, deps.ids.next(), deps.clock.now());
  const stored = await deps.orders.create(fresh, hash);
  if (stored.created) {
    await deps.workflow.start(fresh.orderId, workflowInputFor(fresh));
    return { orderId: fresh.orderId, status: "RECEIVED", created: true };
  }
  if (stored.existingPayloadHash !== hash)
    throw new ConflictError(
      `Order ${input.externalOrderId} from channel ${input.channel} was already received with different content; it was not changed`,
      { orderId: stored.existingOrderId, externalOrderId: input.externalOrderId },
    );
  const existing = await deps.orders.get(stored.existingOrderId);
  if (!existing) throw new Error(`Dedupe key points at missing order ${stored.existingOrderId}`);
  await deps.workflow.start(existing.orderId, workflowInputFor(existing));
  return { orderId: existing.orderId, status: "RECEIVED", created: false };
}
