import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { renderPurchaseOrder } from "../../adapters/purchasing/po-document.js";
import { changeDraft, receiveGoods, transition } from "../../app/purchasing.js";
import { NotFoundError, ValidationError } from "../../domain/errors.js";
import { pathId } from "../../domain/inventory-schema.js";
import { parsePoPatch, parseReceipt, PO_STATUSES, type PoStatus } from "../../domain/purchasing.js";
import { actorOf, idempotencyKeyOf, json, jsonBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const deps = root.purchasingDeps();
const catalog = root.catalog();

/** The status each action moves a purchase order to. */
const ACTIONS: Record<string, PoStatus> = { approve: "APPROVED", send: "SENT", acknowledge: "ACKNOWLEDGED", cancel: "CANCELLED", close: "CLOSED" };

const reasonOf = (event: APIGatewayProxyEventV2): string | undefined => {
  if (!event.body) return undefined;
  const body = jsonBody(event) as { reason?: unknown };
  if (body.reason !== undefined && (typeof body.reason !== "string" || body.reason.length > 500)) throw new ValidationError("Invalid action", [{ path: "reason", message: "must be text of at most 500 characters" }]);
  return body.reason;
};

/**
 * Purchase orders: GET /purchase-orders?status=&supplier=, GET and PATCH /purchase-orders/{id},
 * POST .../approve|send|acknowledge|cancel|close, POST .../receipts (Idempotency-Key: the receipt
 * id) and GET .../document (the PDF the supplier receives).
 */
export const handler = httpHandler(async (event) => {
  const raw = event.pathParameters?.poId;
  const method = event.requestContext.http.method;
  if (raw === undefined) {
    const q = event.queryStringParameters ?? {};
    if (q.status !== undefined && !PO_STATUSES.includes(q.status as PoStatus)) throw new ValidationError("Invalid query", [{ path: "status", message: `must be one of ${PO_STATUSES.join(", ")}` }]);
    const limit = Math.min(100, Math.max(1, Number(q.limit ?? 50) || 50));
    const page = await deps.purchasing.list({ ...(q.status ? { status: q.status } : {}), ...(q.supplier ? { supplierId: pathId("supplier", q.supplier) } : {}) }, limit, q.cursor);
    return json(200, page);
  }
  const poId = pathId("poId", raw);
  const action = event.pathParameters?.action ?? event.rawPath.split("/").at(-1) ?? "";
  if (method === "GET" && action === "document") {
    const po = await deps.purchasing.get(poId);
    const supplier = po && (await deps.purchasing.getSupplier(po.supplierId));
    if (!po || !supplier) throw new NotFoundError(`Purchase order ${poId} does not exist`);
    const location = await catalog.getLocation(po.locationId);
    const pdf = await renderPurchaseOrder(po, supplier, { name: location?.name ?? po.locationId, locationId: po.locationId });
    return { statusCode: 200, headers: { "content-type": "application/pdf", "content-disposition": `inline; filename="${poId}.pdf"` }, body: Buffer.from(pdf).toString("base64"), isBase64Encoded: true };
  }
  if (method === "GET") {
    const po = await deps.purchasing.get(poId);
    if (!po) throw new NotFoundError(`Purchase order ${poId} does not exist`);
    const [receipts, deliveries] = await Promise.all([deps.purchasing.receipts(poId), deps.purchasing.deliveries.of(poId)]);
    return json(200, { ...po, receipts, deliveries });
  }
  if (method === "PATCH") return json(200, await changeDraft(deps, poId, parsePoPatch(jsonBody(event))));
  if (action === "receipts") {
    const key = idempotencyKeyOf(event);
    const out = await receiveGoods(deps, poId, key, parseReceipt(jsonBody(event)), actorOf(event));
    return json(out.replayed ? 200 : 201, out);
  }
  const to = ACTIONS[action];
  if (!to) throw new NotFoundError(`No action ${action}`);
  return json(200, await transition(deps, poId, to, actorOf(event), reasonOf(event)));
});
