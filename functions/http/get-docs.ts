import { route } from "../../shared/api/routes/get-docs";
import { referencePageAnswer } from "../../shared/api/reference-page";
import { httpHandler } from "../../shared/http/handler";

export const handler = httpHandler(route, async () => referencePageAnswer());
