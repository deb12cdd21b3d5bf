import { httpHandler } from "../../shared/http/handler";
import { page } from "../../shared/http/responses";
import { listQuerySchema } from "../../shared/schemas/common";
import { runsPage } from "../../shared/use-cases/cleanup";

export const handler = httpHandler({ auth: "required", roles: ["admin"], query: listQuerySchema }, async ({ query }) => {
  const { items, nextCursor } = await runsPage(query);
  return page(items, nextCursor);
});
