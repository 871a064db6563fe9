import * as z from "zod/mini";
import "../../domain/schema.js";
import { parkHoldToken } from "../../app/decide-hold.js";
import { taskHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const deps = root.holdDeps();

/** Workflow step "Wait for hold release" (waitForTaskToken): parks the token where the operator's decision finds it. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, token } = z.object({ orderId: z.string().check(z.minLength(1)), token: z.string().check(z.minLength(1)) }).parse(event);
  await parkHoldToken(deps, orderId, token);
  return { parked: true };
});
