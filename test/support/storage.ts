// Reads of stored items as they are, for tests that check what the table holds (the keys from shared/db/keys.ts,
// the requests through shared/db's own helpers).
import type { RawItem } from "../../shared/db/attributes";
import type { ItemCollection, ItemKey } from "../../shared/db/keys";
import { queryAll } from "../../shared/db/query";
import { getItem } from "../../shared/db/requests";

const asStored = (item: RawItem): RawItem => item;

/** Every item of a collection (strongly consistent, every page). */
export const storedItems = (collection: ItemCollection): Promise<RawItem[]> => queryAll(collection, asStored);

/** The item stored under a key, or null. */
export const storedItem = (key: ItemKey): Promise<RawItem | null> => getItem(key, asStored);
