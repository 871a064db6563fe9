import middy, { type MiddlewareObj } from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { errorBody, statusFor } from "./http.js";
import { logger } from "./powertools.js";

/** Turns thrown errors into the JSON error shape; 5xx are logged with their stack, 4xx as warnings. */
const httpErrors = (): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  onError: (request) => {
    const status = statusFor(request.error);
    if (status >= 500) logger.error("Request failed", { error: request.error as Error });
    else logger.warn("Request refused", { status, error: (request.error as Error).message });
    request.response = errorBody(request.error, request.context.awsRequestId);
  },
});

/** The middy stack of every HTTP handler. */
export function httpHandler(
  fn: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>,
) {
  return middy(fn).use(injectLambdaContext(logger)).use(httpErrors());
}

/** The middy stack of workflow tasks and event consumers: errors propagate, so Step Functions and EventBridge retry. */
export function taskHandler<E, R>(fn: (event: E, context: Context) => Promise<R>) {
  return middy(fn).use(injectLambdaContext(logger));
}
