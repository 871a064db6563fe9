import { parse } from "csv-parse/sync";
import { productsFromRows } from "../../app/product-import.js";
import { NotFoundError, UnsupportedMediaTypeError, ValidationError } from "../../domain/errors.js";
import { parseProductInput } from "../../domain/product.js";
import { skuSchema } from "../../domain/order-schema.js";
import { json, jsonBody, rawBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { systemClock } from "../../shared/runtime.js";
import * as root from "../composition-root.js";

const products = root.products();

function skuOf(raw: string | undefined): string {
  const r = skuSchema.safeParse(decodeURIComponent(raw ?? ""));
  if (!r.success) throw new ValidationError("Invalid sku", [{ path: "sku", message: r.error.issues[0]?.message ?? "is invalid" }]);
  return r.data;
}

/**
 * The product catalog: GET /products?active=&limit=&cursor=, GET and PUT /products/{sku}, and
 * POST /products/import (text/csv; every row checked before any is written).
 */
export const handler = httpHandler(async (event) => {
  const method = event.requestContext.http.method;
  const now = systemClock.now();
  if (event.rawPath.endsWith("/products/import")) {
    const type = (event.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (type !== "text/csv") throw new UnsupportedMediaTypeError(`Content-Type must be text/csv, got ${type ? `"${type}"` : "none"}`);
    let rows: Record<string, string>[];
    try {
      rows = parse<Record<string, string>>(rawBody(event), { columns: true, skip_empty_lines: true, trim: true, bom: true });
    } catch (error) {
      throw new ValidationError("The CSV cannot be read", [{ path: "(root)", message: (error as Error).message }]);
    }
    const parsed = productsFromRows(rows);
    let created = 0;
    let unchanged = 0;
    for (const { sku, input } of parsed) {
      const r = await products.put(sku, input, now);
      if (r.created) created++;
      if (r.unchanged) unchanged++;
    }
    return json(200, { imported: parsed.length, created, updated: parsed.length - created - unchanged, unchanged });
  }
  const skuParam = event.pathParameters?.sku;
  if (skuParam === undefined) {
    const q = event.queryStringParameters ?? {};
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    const issues = [
      ...(!Number.isInteger(limit) || limit < 1 || limit > 100 ? [{ path: "limit", message: "must be a whole number from 1 to 100" }] : []),
      ...(q.active !== undefined && !["true", "false"].includes(q.active) ? [{ path: "active", message: "must be true or false" }] : []),
    ];
    if (issues.length) throw new ValidationError("Invalid query", issues);
    return json(200, await products.list({ limit, ...(q.active ? { active: q.active === "true" } : {}), ...(q.cursor ? { cursor: q.cursor } : {}) }));
  }
  const sku = skuOf(skuParam);
  if (method === "GET") {
    const product = await products.get(sku);
    if (!product) throw new NotFoundError(`Product ${sku} is not in the catalog`);
    return json(200, product);
  }
  const { product, created } = await products.put(sku, parseProductInput(jsonBody(event)), now);
  return json(created ? 201 : 200, product);
});
