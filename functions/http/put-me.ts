import { httpHandler } from "../../shared/http/handler";
import { json } from "../../shared/http/responses";
import { profileInputSchema } from "../../shared/schemas/accounts";
import { saveMyProfile } from "../../shared/use-cases/accounts";

export const handler = httpHandler({ auth: "required", body: profileInputSchema }, async ({ identity, caller, body }) => {
  const { created, me } = await saveMyProfile({ ...caller, identity }, body);
  return json(created ? 201 : 200, me);
});
