// `npm run token -- --sub alice [--groups authors,admins] [--email alice@example.test] [--expires-in 3600]`: prints a
// local bearer token. The `email` claim is the address local notices before deletion go to (Cognito's ID tokens
// carry the same claim).
import { parseArgs } from "node:util";
import { usableAddress } from "../../shared/domain/notice-recipient";
import { signHs256 } from "../../shared/http/jwt-hs256";
import { LOCAL_JWT_SECRET } from "./local-environment";

const { values } = parseArgs({
  options: {
    sub: { type: "string" },
    groups: { type: "string", default: "" },
    email: { type: "string" },
    "expires-in": { type: "string", default: "86400" },
  },
});
if (!values.sub || (values.email !== undefined && usableAddress(values.email) === null)) {
  process.stderr.write(
    "usage: npm run token -- --sub <userId> [--groups authors,admins] [--email <address>] [--expires-in <seconds>]\n",
  );
  process.exit(2);
}
const now = Math.floor(Date.now() / 1000);
const groups = values.groups.split(/[,\s]+/).filter(Boolean);
const token = signHs256(
  {
    sub: values.sub,
    "cognito:groups": groups,
    ...(values.email === undefined ? {} : { email: values.email }),
    iat: now,
    exp: now + Number(values["expires-in"]),
  },
  process.env.LOCAL_JWT_SECRET ?? LOCAL_JWT_SECRET,
);
process.stdout.write(`${token}\n`);
