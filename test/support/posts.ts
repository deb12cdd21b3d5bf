// Post steps through the API only (no storage imports), so the benchmarks can use them before configuring.
import { api } from "./api";
import { expectStatus, type TestUser } from "./given";

export interface PostInputBody {
  title: string;
  body: string;
  access: "free" | "plus" | "select";
  category?: string;
  teaser?: string;
  tags?: string[];
}

let counter = 0;

export const aPostInput = (overrides: Partial<PostInputBody> = {}): PostInputBody => ({
  title: `Weekly outlook ${++counter}`,
  body: `The index tests resistance near the highs, post ${counter}.`,
  access: "free",
  ...overrides,
});

/** Publishes a post through the API and answers it (201 asserted). */
export async function aPost(author: TestUser, overrides: Partial<PostInputBody> = {}) {
  const response = await api.post("/posts", { token: author.token, body: aPostInput(overrides) });
  expectStatus(response, 201);
  return response.body as {
    postId: string;
    authorId: string;
    publishedAt: string;
    updatedAt: string;
    [field: string]: unknown;
  };
}
