import {
  deleteMigrationCheckpoint,
  moveLegacyPostBody,
  POST_BODIES_MIGRATION,
  readMigrationCheckpoint,
  scanLegacyPosts,
  writeMigrationCheckpoint,
  type MigrationCheckpoint,
} from "../db/post-migration-store";

// `npm run migrate`: moves every post stored before 1.1 to the 1.1 layout (docs/data-model.md, "Migrating
// posts stored before 1.1"). Idempotent (a moved post is never moved again), resumable (a checkpoint after each
// page of the scan), safe while the API serves traffic (each post moves in one conditional transaction).

export interface MigrationOptions {
  /** Scan the whole table again, whatever the checkpoint says (e.g. to verify a finished migration). */
  restart?: boolean;
  /** Items per scan page (default: DynamoDB's 1 MB pages). */
  pageSize?: number;
  /** Posts moved at once within a page. */
  concurrency?: number;
  /** Called after each page, with the figures so far. */
  onProgress?: (progress: MigrationProgress) => void;
  now?: () => Date;
}

export interface MigrationProgress {
  /** This run's figures. */
  pages: number;
  scanned: number;
  moved: number;
  skipped: number;
  /** Whether this run continued from a checkpoint a crashed or stopped run left. */
  resumed: boolean;
  /** Whether the whole table has been scanned (by this run or, with `alreadyComplete`, an earlier one). */
  complete: boolean;
  /** A finished migration's checkpoint was found: nothing was scanned (pass `restart` to scan again). */
  alreadyComplete: boolean;
}

/** A progress line for the operator. */
export function progressLine(progress: MigrationProgress): string {
  if (progress.alreadyComplete) return "migrate: already complete (run with --restart to scan the table again)";
  const figures =
    `page ${progress.pages}: ${progress.scanned} items scanned, ${progress.moved} posts moved, ` +
    `${progress.skipped} skipped (moved meanwhile or being deleted)`;
  return `migrate: ${figures}${progress.resumed ? ", resumed from a checkpoint" : ""}${progress.complete ? ", complete" : ""}`;
}

async function inBatches<T, R>(items: readonly T[], width: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += width) {
    results.push(...(await Promise.all(items.slice(start, start + width).map(run))));
  }
  return results;
}

/** Runs the migration to the end of the table (or throws, leaving a checkpoint to resume from). */
export async function migratePostBodies(options: MigrationOptions = {}): Promise<MigrationProgress> {
  const now = options.now ?? (() => new Date());
  if (options.restart) await deleteMigrationCheckpoint(POST_BODIES_MIGRATION);
  const checkpoint = await readMigrationCheckpoint(POST_BODIES_MIGRATION);
  const progress: MigrationProgress = {
    pages: 0,
    scanned: 0,
    moved: 0,
    skipped: 0,
    resumed: checkpoint !== null && !checkpoint.complete,
    complete: checkpoint?.complete ?? false,
    alreadyComplete: checkpoint?.complete ?? false,
  };
  if (progress.alreadyComplete) {
    options.onProgress?.(progress);
    return progress;
  }
  const totals: MigrationCheckpoint = checkpoint ?? {
    complete: false,
    scanned: 0,
    moved: 0,
    skipped: 0,
    updatedAt: now().toISOString(),
  };
  let start = checkpoint?.next ?? null;
  do {
    const page = await scanLegacyPosts(start, options.pageSize);
    const outcomes = await inBatches(page.posts, options.concurrency ?? 8, moveLegacyPostBody);
    const moved = outcomes.filter((outcome) => outcome === "moved").length;
    progress.pages++;
    progress.scanned += page.scanned;
    progress.moved += moved;
    progress.skipped += outcomes.length - moved;
    start = page.next;
    progress.complete = start === null;
    // Written once the page is done: a crash before it moves this page's posts again on resume, which finds
    // them moved (the scan keeps only posts that still hold a body).
    await writeMigrationCheckpoint(POST_BODIES_MIGRATION, {
      ...(start ? { next: start } : {}),
      complete: progress.complete,
      scanned: totals.scanned + progress.scanned,
      moved: totals.moved + progress.moved,
      skipped: totals.skipped + progress.skipped,
      updatedAt: now().toISOString(),
    });
    options.onProgress?.(progress);
  } while (start !== null);
  return progress;
}
