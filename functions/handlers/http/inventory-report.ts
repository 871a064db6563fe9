import { stringify } from "csv-stringify/sync";
import * as z from "zod/mini";
import "../../domain/schema.js";
import { inventoryReport, type InventoryReportRow } from "../../app/inventory-report.js";
import { ValidationError } from "../../domain/errors.js";
import { toFieldIssues } from "../../domain/order-schema.js";
import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const deps = { stock: root.stock(), demand: root.demandHistory() };
const day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, "must be an ISO date (2026-12-01)"));
const querySchema = z.strictObject({
  location: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be a location id")),
  from: day,
  to: day,
  slowDays: z._default(z.coerce.number().check(z.gte(1), z.lte(365)), 30),
  excessMargin: z._default(z.coerce.number().check(z.gte(0), z.lte(10)), 0.5),
  format: z._default(z.enum(["json", "csv"]), "json"),
});
const COLUMNS: (keyof InventoryReportRow)[] = ["sku", "onHand", "reserved", "sold", "unserved", "returned", "averageDaily", "stockTurns", "daysOfCover", "daysSinceLastSale", "fillRate", "stockoutDays", "orderUpTo", "slowMover", "excess", "method", "forecastPerDay", "maePerDay"];

/** GET /reports/inventory?location=&from=&to=[&slowDays=30][&excessMargin=0.5][&format=csv] (or Accept: text/csv). */
export const handler = httpHandler(async (event) => {
  const parsed = querySchema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw new ValidationError("Invalid query", toFieldIssues(parsed.error));
  const q = parsed.data;
  if (q.from > q.to) throw new ValidationError("Invalid query", [{ path: "from", message: "must not be after to" }]);
  if ((Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 > 400) throw new ValidationError("Invalid query", [{ path: "from", message: "the window is at most 400 days (the demand history kept)" }]);
  const report = await inventoryReport(deps, { locationId: q.location, from: q.from, to: q.to, slowDays: q.slowDays, excessMargin: q.excessMargin });
  const csv = q.format === "csv" || (event.headers.accept ?? "").includes("text/csv");
  if (!csv) return json(200, report);
  return { statusCode: 200, headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="inventory-${q.location}-${q.from}-${q.to}.csv"` }, body: stringify(report.rows, { header: true, columns: COLUMNS }) };
});
