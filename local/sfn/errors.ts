import { StateMachine as Runner } from "aws-local-stepfunctions";

/** An error with the name Step Functions matches in ErrorEquals. */
export function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/**
 * The runner matches `States.TaskFailed` against everything but its own (unexported) timeout
 * error class; our clock-driven timeouts must be of that class to be told apart the same way.
 */
export async function captureTimeoutErrorClass(): Promise<new () => Error> {
  const probe = new Runner(
    { StartAt: "T", States: { T: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:000000000000:function:probe", TimeoutSeconds: 1, End: true } } } as never,
    { validationOptions: { noValidate: true } },
  );
  const { result } = probe.run({}, { overrides: { taskResourceLocalHandlers: { T: () => new Promise(() => undefined) } as never } });
  try {
    await result;
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    if (cause?.name === "States.Timeout") return cause.constructor as new () => Error;
  }
  throw new Error("Could not determine the runner's States.Timeout error class");
}
