import { route } from "../../shared/api/routes/put-me";
import { httpHandler } from "../../shared/http/handler";
import { json } from "../../shared/http/responses";
import { saveMyProfile } from "../../shared/use-cases/accounts";

export const handler = httpHandler(route, async ({ identity, caller, body }) => {
  const { created, me } = await saveMyProfile({ ...caller, identity }, body);
  return json(created ? 201 : 200, me);
});
