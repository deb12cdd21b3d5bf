// The routes part 3 loads, each with its HTTP request and the same DynamoDB requests made directly.
// Imported only after the benchmark environment is set: the stores read their configuration at load.
import { getAccount } from "../../shared/db/account-store";
import { insertComment } from "../../shared/db/comment-store";
import { createFollow } from "../../shared/db/follow-store";
import { getPostSummary, getPostToRead } from "../../shared/db/post-store";
import { decodePostId } from "../../shared/domain/posts";
import { fixedWindow } from "../../shared/domain/rate-limit";
import { readFeed } from "../../shared/use-cases/feed";
import { ulid } from "../../shared/ids";
import { api } from "../../test/support/api/in-process";
import { given } from "../../test/support/given";
import { expectStatus, type TestUser } from "../../test/support/host";

const READERS = 300;
const AUTHORS = 60;
const FEED_AUTHORS = 5;

async function inParallel<T>(count: number, width: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < count; start += width) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, k) => make(start + k)))));
  }
  return out;
}

export async function buildScenarios() {
  const admin = await given.anAdmin();
  const readers: TestUser[] = await inParallel(READERS, 16, () => given.aReader());
  const authors: TestUser[] = await inParallel(AUTHORS, 16, () => given.anAuthor());
  await inParallel(READERS, 16, async (i) => given.entitlements(admin, readers[i]!, [{ tier: "plus" }]));
  const post = await given.aPost(authors[0]!, { access: "plus" });
  const ref = decodePostId(post.postId)!;
  // Readers with Plus may comment on a free post; the comments are spread over readers like real traffic.
  const discussed = await given.aPost(authors[1]!);
  const discussedRef = decodePostId(discussed.postId)!;

  // Follow pairs: HTTP takes them from the front, the direct loops from the back, so each follow is new.
  const pairs = READERS * (AUTHORS - FEED_AUTHORS);
  // The first FEED_AUTHORS authors publish and every reader follows them (the feed's scenario); follows under
  // load go to the others, so each one is new.
  const feedAuthors = authors.slice(0, FEED_AUTHORS);
  const followable = authors.slice(FEED_AUTHORS);
  for (const author of feedAuthors) for (let i = 0; i < 3; i++) await given.aPost(author);
  await inParallel(READERS, 16, async (i) => {
    for (const author of feedAuthors) await given.aFollow(readers[i]!, author);
  });
  const pair = (n: number) => ({
    reader: readers[n % READERS]!,
    author: followable[Math.floor(n / READERS) % followable.length]!,
  });
  const reader = (n: number) => readers[n % READERS]!;

  const scenarios = [
    {
      name: "GET /posts/{postId}",
      kind: "read" as const,
      request: (n: number) => ({ method: "GET" as const, path: `/posts/${post.postId}`, token: reader(n).token }),
      direct: async (n: number) => {
        await getAccount(reader(n).userId);
        // The readers hold Plus: they may read free and plus bodies (what GET /posts/{postId} asks for).
        await getPostToRead(ref, ["free", "plus"]);
      },
    },
    {
      name: "PUT /users/{userId}/follow",
      kind: "write" as const,
      request: (n: number) => {
        const { reader: follower, author } = pair(n);
        return { method: "PUT" as const, path: `/users/${author.userId}/follow`, token: follower.token };
      },
      direct: async (n: number) => {
        const { reader: follower, author } = pair(pairs - 1 - n);
        const now = new Date();
        await getAccount(follower.userId);
        await createFollow({
          followerId: follower.userId,
          followeeId: author.userId,
          followId: ulid(now.getTime()),
          followedAt: now.toISOString(),
        });
        await getAccount(author.userId);
      },
    },
    {
      name: "POST /posts/{postId}/comments",
      kind: "write" as const,
      request: (n: number) => ({
        method: "POST" as const,
        path: `/posts/${discussed.postId}/comments`,
        token: reader(n).token,
        body: { body: `Comment ${n}: support holds.` },
      }),
      direct: async (n: number) => {
        const now = new Date();
        const writer = reader(n).userId;
        await getAccount(writer);
        await getPostSummary(discussedRef);
        await insertComment(
          {
            post: discussedRef,
            postId: discussed.postId,
            commentId: ulid(now.getTime()),
            writerId: writer,
            body: `Direct comment ${n}: support holds.`,
            createdAt: now.toISOString(),
          },
          { rateLimit: { window: fixedWindow(now, 60), limit: 1_000_000 } },
        );
      },
    },
    {
      name: "GET /feed",
      kind: "read" as const,
      request: (n: number) => ({ method: "GET" as const, path: "/feed", token: reader(n).token }),
      direct: async (n: number) => {
        const identity = { userId: reader(n).userId, role: "reader" as const };
        const account = await getAccount(identity.userId);
        await readFeed(identity, { identity, account }, { limit: 20 });
      },
    },
  ];
  // Sanity: every scenario's first request succeeds before it is measured.
  for (const scenario of scenarios) {
    const first = scenario.request(0);
    expectStatus(await api.unchecked("GET", first.path.replace(/\/follow$/, ""), { token: first.token }), 200);
  }
  return scenarios;
}
