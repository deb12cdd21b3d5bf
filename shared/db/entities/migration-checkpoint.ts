// A migration's checkpoint (`MIGRATION#<name>`, `CHECKPOINT`): where its scan goes on and what it did so far.
import { attributesOf, isEntity, type RawItem } from "../attributes";
import { entityTypes, migrationKeys, type ItemKey } from "../keys";

/** How far a migration got: where its scan goes on (absent once it reached the end), and what it did so far. */
export interface MigrationCheckpoint {
  next?: ItemKey;
  complete: boolean;
  scanned: number;
  moved: number;
  skipped: number;
  updatedAt: string;
}

export interface MigrationCheckpointItem extends ItemKey, MigrationCheckpoint {
  entityType: typeof entityTypes.migrationCheckpoint;
}

export function toMigrationCheckpointItem(migration: string, checkpoint: MigrationCheckpoint): MigrationCheckpointItem {
  return { ...migrationKeys.checkpoint(migration), entityType: entityTypes.migrationCheckpoint, ...checkpoint };
}

/** The checkpoint a stored item holds; null when the item is not a checkpoint. */
export function fromMigrationCheckpointItem(item: RawItem | undefined): MigrationCheckpoint | null {
  if (!isEntity(item, entityTypes.migrationCheckpoint)) return null;
  const attributes = attributesOf(item, entityTypes.migrationCheckpoint);
  const next = attributes.optionalMap("next");
  return {
    ...(next ? { next: attributesOf(next, "scan position").key() } : {}),
    complete: attributes.boolean("complete"),
    scanned: attributes.number("scanned"),
    moved: attributes.number("moved"),
    skipped: attributes.number("skipped"),
    updatedAt: attributes.string("updatedAt"),
  };
}
