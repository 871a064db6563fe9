import { SFNClient } from "@aws-sdk/client-sfn";
import { z } from "zod";
import { documentClient } from "../../adapters/dynamodb/client.js";
import { DynamoHoldStore } from "../../adapters/dynamodb/hold-store.js";
import { DynamoOrderRepository } from "../../adapters/dynamodb/order-repository.js";
import { StepFunctionsTaskResponder } from "../../adapters/stepfunctions/task-responder.js";
import { parkHoldToken } from "../../app/decide-hold.js";
import { requireEnv } from "../../shared/env.js";
import { taskHandler } from "../../shared/middy.js";
import { systemClock } from "../../shared/runtime.js";

const db = documentClient();
const table = requireEnv("TABLE_NAME");
const deps = { orders: new DynamoOrderRepository(db, table), holds: new DynamoHoldStore(db, table), tasks: new StepFunctionsTaskResponder(new SFNClient({})), clock: systemClock };

/** Workflow step "Wait for hold release" (waitForTaskToken): parks the token where the operator's decision finds it. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, token } = z.object({ orderId: z.string().min(1), token: z.string().min(1) }).parse(event);
  await parkHoldToken(deps, orderId, token);
  return { parked: true };
});
