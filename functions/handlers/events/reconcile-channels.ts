import { reconcileChannels } from "../../app/reconcile-channels.js";
import { taskHandler } from "../../shared/middy.js";
import { logger } from "../../shared/powertools.js";
import { systemClock } from "../../shared/runtime.js";
import * as root from "../composition-root.js";
import { applyListedOrder } from "../channel-order-apply.js";

const orderDeps = root.channelOrderDeps();
const deps = {
  channels: root.channels(),
  cursors: root.reconcileCursors(),
  feeds: root.channelOrderFeeds(),
  apply: async (channel: Parameters<typeof applyListedOrder>[1], order: Record<string, unknown>) => (await applyListedOrder(orderDeps, channel, order)).outcome,
  clock: systemClock,
};

/** Target of the reconciliation schedule: every marketplace channel's orders updated since its cursor, through the webhooks' path. */
export const handler = taskHandler(async () => {
  const result = await reconcileChannels(deps);
  for (const [channelId, r] of Object.entries(result)) {
    if (r.error) logger.error("Channel reconciliation failed; its cursor stays, the next run asks again", { channelId, ...r });
    else logger.info("Channel reconciled", { channelId, ...r });
  }
  return result;
});
