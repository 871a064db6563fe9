import * as z from "zod/mini";
import "../../domain/schema.js";
import { awaitGoods, decideReturn, openReturn, parkApproval, returnOverdue } from "../../app/return-steps.js";
import { awaitManualRefund, settleReturn } from "../../app/settle-return.js";
import { taskHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const deps = root.returnDeps();

const returnId = z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}-R\d{1,3}$/, "must be <orderId>-R<n>"));
const token = z.string().check(z.minLength(1));
const stepSchema = z.discriminatedUnion("step", [
  z.object({ step: z.literal("open"), returnId }),
  z.object({ step: z.literal("approval"), returnId, token }),
  z.object({ step: z.literal("decline"), returnId, reason: z.string() }),
  z.object({ step: z.literal("goods"), returnId, token }),
  z.object({ step: z.literal("overdue"), returnId, alertsBefore: z.optional(z.int()) }),
  z.object({ step: z.literal("settle"), returnId }),
  z.object({ step: z.literal("manual"), returnId, token, error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })) }),
]);

/**
 * The return workflow's steps (statemachines/order-return.asl.json), one function for all seven:
 * each names its step. A return's steps are short and rare next to an order's, so one warm
 * function serves them instead of seven cold ones.
 */
export const handler = taskHandler(async (event: unknown) => {
  const input = stepSchema.parse(event);
  switch (input.step) {
    case "open":
      return openReturn(deps, input.returnId);
    case "approval":
      return parkApproval(deps, input.returnId, input.token);
    case "decline":
      return decideReturn(deps, input.returnId, "decline", { actor: "return-workflow", reason: input.reason }).then((r) => ({ status: r.status }));
    case "goods":
      return awaitGoods(deps, input.returnId, input.token);
    case "overdue":
      return returnOverdue(deps, input.returnId, input.alertsBefore ?? 0);
    case "settle":
      return settleReturn(deps, input.returnId);
    case "manual":
      return awaitManualRefund(deps, input.returnId, input.token, input.error);
  }
});
