import * as z from "zod/mini";
import "../../domain/schema.js";
import { returnsReport } from "../../app/returns-report.js";
import { ValidationError } from "../../domain/errors.js";
import { toFieldIssues } from "../../domain/order-schema.js";
import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const deps = { returns: root.returns(), orders: root.orders() };
const day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/, "must be an ISO date (2026-12-01) or UTC time"));
const querySchema = z.strictObject({ from: day, to: day, channel: z.optional(z.string().check(z.minLength(1), z.maxLength(64))) });

/** GET /reports/returns?from=&to=&channel=: return rate per SKU and per reason, refund totals by currency, the most returned products. */
export const handler = httpHandler(async (event) => {
  const parsed = querySchema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw new ValidationError("Invalid query", toFieldIssues(parsed.error));
  if (parsed.data.from > parsed.data.to) throw new ValidationError("Invalid query", [{ path: "from", message: "must not be after to" }]);
  return json(200, await returnsReport(deps, parsed.data));
});
