// Post inputs for the steps (no storage imports), so the benchmarks can use them before configuring.

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
