import { writeFileSync } from "node:fs";
import * as z from "zod/mini";
import "../functions/domain/schema.js";
import { genericOrderSchema } from "../functions/domain/order-schema.js";

/** The generic channel's order as JSON Schema, generated from the zod schema the handler validates with. */
export function genericOrderJsonSchema(): unknown {
  return {
    $id: "generic-order.schema.json",
    title: "OMS generic channel order (POST /webhooks/generic)",
    ...z.toJSONSchema(genericOrderSchema, { unrepresentable: "any", io: "input" }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL("../docs/generic-order.schema.json", import.meta.url), JSON.stringify(genericOrderJsonSchema(), null, 2) + "\n");
  console.log("wrote docs/generic-order.schema.json");
}
