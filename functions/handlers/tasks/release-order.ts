import * as z from "zod/mini";
import "../../domain/schema.js";
import { undoOrder } from "../../app/undo-order.js";
import { taskHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const deps = { inventory: root.reservations(), payments: root.payments(), provider: root.paymentProvider() };

/** Compensation "Release stock and payment": active reservations go back, an authorization is voided; again, nothing happens. */
export const handler = taskHandler(async (event: unknown) => undoOrder(deps, z.object({ orderId: z.string().check(z.minLength(1)) }).parse(event).orderId));
