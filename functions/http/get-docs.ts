import * as serviceOperations from "../../shared/api/operations/service";
import { referencePageAnswer } from "../../shared/api/reference-page";
import { httpHandler } from "../../shared/http/handler";

export const handler = httpHandler(serviceOperations.getReferencePage, async () => referencePageAnswer());
