import * as z from "zod/mini";
import "../../domain/schema.js";
import { cancelReturn, decideReturn, recordReturnEvent } from "../../app/return-steps.js";
import { retryRefund } from "../../app/settle-return.js";
import { ValidationError } from "../../domain/errors.js";
import { toFieldIssues } from "../../domain/order-schema.js";
import { returnEventSchema } from "../../domain/return.js";
import { actorOf, idempotencyKeyOf, json, jsonBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { RETURN_ID_PATTERN, returnView } from "./return-view.js";
import * as root from "../composition-root.js";

const deps = root.returnDeps();

const reasonSchema = z.strictObject({ reason: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(500))) });
const retrySchema = z.strictObject({ manual: z.optional(z.strictObject({ reference: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)) })) });

function parse<T>(schema: z.ZodMiniType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ValidationError(`Invalid ${what}`, toFieldIssues(parsed.error));
  return parsed.data;
}

/**
 * An operator's or a receiving location's action on a return: POST /returns/{id}/approve,
 * /decline, /cancel (a reason, optional), /events (received, inspected, lost; Idempotency-Key
 * required: a redelivered report applies once) and /refund/retry (optionally recording a manual refund).
 */
export const handler = httpHandler(async (event) => {
  const returnId = event.pathParameters?.returnId ?? "";
  if (!RETURN_ID_PATTERN.test(returnId)) throw new ValidationError("Invalid return id", [{ path: "returnId", message: "must be <orderId>-R<n>" }]);
  const actor = actorOf(event);
  const body = () => (event.body ? jsonBody(event) : {});
  const action = event.rawPath.slice(event.rawPath.indexOf(returnId) + returnId.length + 1);
  switch (action) {
    case "approve":
    case "decline": {
      const { reason } = parse(reasonSchema, body(), "decision");
      return json(200, returnView(await decideReturn(deps, returnId, action, { actor, reason: reason ?? `${action}d by ${actor}` })));
    }
    case "cancel": {
      const { reason } = parse(reasonSchema, body(), "cancellation");
      return json(200, returnView(await cancelReturn(deps, returnId, { actor, reason: reason ?? `cancelled by ${actor}` })));
    }
    case "events": {
      const idempotencyKey = idempotencyKeyOf(event);
      return json(200, returnView(await recordReturnEvent(deps, returnId, parse(returnEventSchema, jsonBody(event), "return event"), { actor, idempotencyKey })));
    }
    case "refund/retry": {
      const { manual } = parse(retrySchema, body(), "refund retry");
      return json(202, returnView(await retryRefund(deps, returnId, { actor, ...(manual ? { manual } : {}) })));
    }
    default:
      throw new ValidationError("Unknown return action", [{ path: "action", message: `"${action}" is not a return action` }]);
  }
});
