import * as serviceOperations from "../../shared/api/operations/service";
import { referencePageAnswer } from "../../shared/api/reference-page";
import { publicHttpHandler } from "../../shared/http/public-handler";

export const handler = publicHttpHandler(serviceOperations.getReferencePage, async () => referencePageAnswer());
