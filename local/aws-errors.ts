/** An error in the AWS JSON protocol shape: `{ "__type": code, "message" }` with an HTTP status. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}
