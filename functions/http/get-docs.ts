import { route } from "../../shared/api/routes/get-docs";
import { referencePageAnswer } from "../../shared/api/reference-page";
import { publicHttpHandler } from "../../shared/http/public-handler";

export const handler = publicHttpHandler(route, async () => referencePageAnswer());
