import type { EventDetail } from "../domain/events.js";
import { renderOrderNotifications, type NotifiableOrder } from "../domain/notifications.js";
import type { Clock, NotificationOutbox } from "./ports.js";

export interface RecordNotificationsDeps {
  outbox: NotificationOutbox;
  clock: Clock;
}

/** Renders the customer notifications for an order event and records each one exactly once. */
export async function recordOrderNotifications(
  deps: RecordNotificationsDeps,
  detailType: string,
  detail: EventDetail<NotifiableOrder>,
): Promise<{ rendered: number; recorded: number }> {
  const notifications = renderOrderNotifications(detailType, detail.data);
  if (notifications.length === 0) return { rendered: 0, recorded: 0 };
  const recorded = await deps.outbox.record(detail.data.orderId, detail.metadata.eventId, notifications, deps.clock.now());
  return { rendered: notifications.length, recorded };
}
