import * as z from "zod/mini";
import "../../domain/schema.js";
import { allocateOrWait } from "../../app/backorders.js";
import { taskHandler } from "../../shared/middy.js";
import { logger } from "../../shared/powertools.js";
import * as root from "../composition-root.js";

const allocateDeps = root.allocateDeps();

/**
 * Workflow step "Reserve and route" (waitForTaskToken): plans with the optimizer and reserves the
 * plan all or nothing, answering the step at once; or parks the order until stock comes in.
 */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, token } = z.object({ orderId: z.string().check(z.minLength(1)), token: z.string().check(z.minLength(1)) }).parse(event);
  const result = await allocateOrWait(allocateDeps, orderId, token, { budgetMs: 200 });
  logger.info("Order routed", { orderId, ...result });
  return result;
});
