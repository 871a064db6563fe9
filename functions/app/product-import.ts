import { ValidationError, type FieldIssue } from "../domain/errors.js";
import { parseProductInput, type ProductInput } from "../domain/product.js";
import { skuSchema } from "../domain/order-schema.js";

/** Rows one import may carry (each is a transaction of the product and its listings). */
export const MAX_IMPORT_ROWS = 500;

const BOOL: Record<string, boolean> = { true: true, yes: true, "1": true, false: false, no: false, "0": false };

/**
 * Import rows (CSV records keyed by header) as products. Columns: `sku`, `name`,
 * `unit_weight_grams`, `length_mm`, `width_mm`, `height_mm` (all three or none), `active`,
 * `returnable` (true/false, yes/no, 1/0; default true), `hs_code`, `country_of_origin`,
 * `components` (`SKU-A:2;SKU-B:1`), and one column per listing field as
 * `listing:<channelId>:<variantId|inventoryItemId|productId|variationId|sellerSku|asin>`. Every
 * row is checked before anything is written: one bad cell fails the import, naming row and column.
 */
export function productsFromRows(rows: Record<string, string>[]): { sku: string; input: ProductInput }[] {
  if (rows.length === 0) throw new ValidationError("The import is empty", [{ path: "(root)", message: "has no rows" }]);
  if (rows.length > MAX_IMPORT_ROWS) throw new ValidationError("The import is too large", [{ path: "(root)", message: `has ${rows.length} rows; at most ${MAX_IMPORT_ROWS} per request` }]);
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const out: { sku: string; input: ProductInput }[] = [];
  rows.forEach((row, i) => {
    const at = `rows.${i + 2}`; // spreadsheet row numbers: the header is row 1
    const cell = (name: string) => (row[name] ?? "").trim();
    const sku = skuSchema.safeParse(cell("sku"));
    if (!sku.success) return issues.push({ path: `${at}.sku`, message: sku.error.issues[0]?.message ?? "is invalid" });
    if (seen.has(sku.data)) return issues.push({ path: `${at}.sku`, message: `${sku.data} is on an earlier row too` });
    seen.add(sku.data);
    const num = (name: string) => (cell(name) === "" ? undefined : /^-?\d+$/.test(cell(name)) ? Number(cell(name)) : cell(name));
    const bool = (name: string) => (cell(name) === "" ? undefined : (BOOL[cell(name).toLowerCase()] ?? cell(name)));
    const dims = ["length_mm", "width_mm", "height_mm"].map(num);
    const listings = new Map<string, Record<string, string>>();
    for (const [column, value] of Object.entries(row)) {
      const m = /^listing:([^:]+):(\w+)$/.exec(column);
      if (m?.[1] && m[2] && value.trim() !== "") listings.set(m[1], { ...listings.get(m[1]), channelId: m[1], [m[2]]: value.trim() });
    }
    const components = cell("components")
      ? cell("components").split(";").map((c) => {
          const [s = "", q = ""] = c.split(":");
          return { sku: s.trim(), quantity: /^\d+$/.test(q.trim()) ? Number(q.trim()) : q.trim() };
        })
      : undefined;
    const body = {
      name: cell("name"),
      unitWeightGrams: num("unit_weight_grams"),
      ...(dims.some((d) => d !== undefined) ? { dimensionsMm: { length: dims[0], width: dims[1], height: dims[2] } } : {}),
      ...(components ? { components } : {}),
      ...(bool("active") !== undefined ? { active: bool("active") } : {}),
      ...(bool("returnable") !== undefined ? { returnable: bool("returnable") } : {}),
      ...(cell("hs_code") || cell("country_of_origin") ? { customs: { ...(cell("hs_code") ? { hsCode: cell("hs_code") } : {}), ...(cell("country_of_origin") ? { countryOfOrigin: cell("country_of_origin") } : {}) } } : {}),
      listings: [...listings.values()],
    };
    try {
      out.push({ sku: sku.data, input: parseProductInput(body, `${at}.`) });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
    }
  });
  if (issues.length) throw new ValidationError("The import has invalid rows; nothing was imported", issues);
  return out;
}
