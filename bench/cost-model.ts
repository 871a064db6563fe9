/**
 * AWS list prices used by the cost model: us-east-1, on-demand, no free tier, arm64 Lambda.
 * Taken from the AWS pricing pages as last known to us (November 2025); this machine has no
 * network to re-check them, so treat them as a model and update this file when prices change.
 */
export const PRICES = {
  asOf: "2025-11 (AWS pricing pages, us-east-1; not re-verified offline)",
  lambdaPerMillionRequests: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  stepFunctionsStandardPerThousandTransitions: 0.025,
  dynamoOnDemandPerMillionWriteUnits: 0.625,
  dynamoOnDemandPerMillionReadUnits: 0.125,
  eventBridgePerMillionCustomEvents: 1.0,
  httpApiPerMillionRequests: 1.0,
  cloudWatchLogsPerGbIngested: 0.5,
} as const;

export interface PerOrderUsage {
  lambdaInvocations: number;
  lambdaGbSeconds: number;
  stateTransitions: number;
  dynamoWriteUnits: number;
  dynamoReadUnits: number;
  eventBridgeEntries: number;
  httpRequests: number;
  logBytes: number;
}

/** Modelled cost in USD per 1,000,000 orders, by service. */
export function costPerMillionOrders(u: PerOrderUsage): Record<string, number> {
  const M = 1_000_000;
  const lines = {
    lambdaRequests: u.lambdaInvocations * PRICES.lambdaPerMillionRequests,
    lambdaDuration: u.lambdaGbSeconds * M * PRICES.lambdaArmPerGbSecond,
    stepFunctions: ((u.stateTransitions * M) / 1000) * PRICES.stepFunctionsStandardPerThousandTransitions,
    dynamoWrites: u.dynamoWriteUnits * PRICES.dynamoOnDemandPerMillionWriteUnits,
    dynamoReads: u.dynamoReadUnits * PRICES.dynamoOnDemandPerMillionReadUnits,
    eventBridge: u.eventBridgeEntries * PRICES.eventBridgePerMillionCustomEvents,
    httpApi: u.httpRequests * PRICES.httpApiPerMillionRequests,
    cloudWatchLogs: ((u.logBytes * M) / 1024 ** 3) * PRICES.cloudWatchLogsPerGbIngested,
  };
  return { ...lines, total: Object.values(lines).reduce((a, b) => a + b, 0) };
}
