import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { noBodySchema } from "../../shared/schemas/common";
import { follow } from "../../shared/use-cases/follows";

export const handler = httpHandler({ auth: "required", body: noBodySchema }, async ({ identity, caller, path }) =>
  ok(await follow(identity, caller, path.userId ?? "")),
);
