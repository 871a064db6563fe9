// The credentials a function signs with. Lambda puts the function role's credentials in the
// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the first place the
// SDK's default chain looks; the local cloud does the same. The bundles alias the default chain
// (@aws-sdk/credential-provider-node) to this module (infra/constructs/oms-function.ts), so no
// function carries the SSO, STS, web-identity, IMDS and ini-file providers Lambda never uses.
import { fromEnv } from "@aws-sdk/credential-provider-env";

export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
