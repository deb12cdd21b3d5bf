import { App } from "aws-cdk-lib";
import { parseAllowedOrigins } from "./cors";
import { defineApp } from "./stacks/define-app";

// The CDK app (cdk.json: `npx tsx infra/app.ts`). Synth needs no AWS credentials and makes no lookups:
// with CDK_DEFAULT_* unset (no profile) the stack is environment-agnostic and deploys to any account/region.
const app = new App();
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
// Operator switches, passed as `-c name=value` (docs/deploy.md).
const cursorSecretVersionId = app.node.tryGetContext("cursorSecretVersionId") as string | undefined;
const operatorPasswordAuth = String(app.node.tryGetContext("operatorPasswordAuth")) === "true";
// The browser origins allowed to call the API, from the environment as the local server reads it: a malformed
// entry stops the synth (fails closed), and none means no CORS configuration at all.
const corsAllowedOrigins = parseAllowedOrigins(process.env.CORS_ALLOWED_ORIGINS);
const noticeSender = app.node.tryGetContext("noticeSender") as string | undefined;
// Who the alarms mail; a malformed address stops the synth (OperationsMonitoring checks it).
const alarmEmail = app.node.tryGetContext("alarmEmail") as string | undefined;
const noticeSenderVerify = app.node.tryGetContext("noticeSenderVerify") as string | undefined;
if (noticeSenderVerify !== undefined && noticeSenderVerify !== "domain" && noticeSenderVerify !== "address") {
  throw new Error(`noticeSenderVerify must be domain or address, not "${noticeSenderVerify}"`);
}

defineApp(app, {
  ...(account || region ? { env: { account, region } } : {}),
  ...(cursorSecretVersionId ? { cursorSecretVersionId } : {}),
  operatorPasswordAuth,
  corsAllowedOrigins,
  ...(alarmEmail !== undefined ? { alarmEmail: String(alarmEmail) } : {}),
  ...(noticeSender
    ? { noticeSender: { address: noticeSender, ...(noticeSenderVerify ? { verify: noticeSenderVerify } : {}) } }
    : {}),
  noticeLinks: {
    ...(process.env.NOTICE_SIGN_IN_URL ? { signInUrl: process.env.NOTICE_SIGN_IN_URL } : {}),
    ...(process.env.NOTICE_EXPORT_URL ? { exportUrl: process.env.NOTICE_EXPORT_URL } : {}),
  },
});
