import * as accountOperations from "../../shared/api/operations/accounts";
import { httpHandler } from "../../shared/http/handler";
import { json } from "../../shared/http/responses";
import { saveMyProfile } from "../../shared/use-cases/accounts";

export const handler = httpHandler(accountOperations.putMe, async ({ identity, caller, body }) => {
  const { created, me } = await saveMyProfile({ ...caller, identity }, body);
  return json(created ? 201 : 200, me);
});
