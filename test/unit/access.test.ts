import { describe, expect, it } from "vitest";
import { decidePostAccess, readableAccesses, viewerOf, type PostAccess, type Viewer } from "../../shared/domain/access";
import type { Entitlement } from "../../shared/domain/entitlements";
import { requirePermission } from "../../shared/use-cases/posts";

const now = new Date("2026-06-01T12:00:00.000Z");
const AUTHOR = "author-1";
const past = "2026-06-01T11:59:59.999Z";
const future = "2026-06-01T12:00:00.001Z";

const reader = (entitlements: Entitlement[]): Viewer => ({ userId: "reader-1", role: "reader", entitlements });

const viewers: Record<string, Viewer> = {
  anonymous: { userId: null, role: null, entitlements: [] },
  "no entitlement": reader([]),
  "expired entitlements": reader([
    { tier: "ultimate", validUntil: past },
    { tier: "plus", validUntil: now.toISOString() },
    { tier: "select", authorId: AUTHOR, validUntil: past },
  ]),
  plus: reader([{ tier: "plus", validUntil: future }]),
  "select for this author": reader([{ tier: "select", authorId: AUTHOR }]),
  "select for another author": reader([{ tier: "select", authorId: "author-2" }]),
  ultimate: reader([{ tier: "ultimate" }]),
  "the author": { userId: AUTHOR, role: "author", entitlements: [] },
  "another author": { userId: "author-2", role: "author", entitlements: [] },
  admin: { userId: "admin-1", role: "admin", entitlements: [] },
};

const PLUS = [{ tier: "plus" }, { tier: "ultimate" }];
const SELECT = [{ tier: "select", authorId: AUTHOR }, { tier: "ultimate" }];
const ANY = [{ tier: "plus" }, { tier: "ultimate" }, { tier: "select" }];

// [viewer, access, body readable (true) or what it requires, may comment (true) or what it requires]
type Expected = true | { tier: string; authorId?: string }[];
const matrix: [string, PostAccess, Expected, Expected][] = [
  ["anonymous", "free", true, ANY],
  ["anonymous", "plus", PLUS, PLUS],
  ["anonymous", "select", SELECT, SELECT],
  ["no entitlement", "free", true, ANY],
  ["no entitlement", "plus", PLUS, PLUS],
  ["no entitlement", "select", SELECT, SELECT],
  ["expired entitlements", "free", true, ANY],
  ["expired entitlements", "plus", PLUS, PLUS],
  ["expired entitlements", "select", SELECT, SELECT],
  ["plus", "free", true, true],
  ["plus", "plus", true, true],
  ["plus", "select", SELECT, SELECT],
  ["select for this author", "free", true, true],
  ["select for this author", "plus", PLUS, PLUS],
  ["select for this author", "select", true, true],
  ["select for another author", "free", true, true],
  ["select for another author", "plus", PLUS, PLUS],
  ["select for another author", "select", SELECT, SELECT],
  ["ultimate", "free", true, true],
  ["ultimate", "plus", true, true],
  ["ultimate", "select", true, true],
  ["the author", "free", true, true],
  ["the author", "plus", true, true],
  ["the author", "select", true, true],
  ["another author", "free", true, ANY],
  ["another author", "plus", PLUS, PLUS],
  ["another author", "select", SELECT, SELECT],
  ["admin", "free", true, true],
  ["admin", "plus", true, true],
  ["admin", "select", true, true],
];

const permission = (expected: Expected) =>
  expected === true ? { allowed: true } : { allowed: false, requiredEntitlements: expected };

describe("decidePostAccess", () => {
  it("covers every viewer for every access", () => {
    expect(matrix).toHaveLength(Object.keys(viewers).length * 3);
  });

  it.each(matrix)("%s on a %s post", (viewer, access, body, comment) => {
    const decision = decidePostAccess({ access, authorId: AUTHOR }, viewers[viewer]!, now);
    expect(decision).toEqual({
      readBody: permission(body),
      readComments: permission(body),
      writeComment: permission(comment),
    });
  });

  it("counts an entitlement valid until exactly now as expired", () => {
    const decision = decidePostAccess(
      { access: "plus", authorId: AUTHOR },
      reader([{ tier: "plus", validUntil: now.toISOString() }]),
      now,
    );
    expect(decision.readBody.allowed).toBe(false);
  });

  it("never lets an anonymous caller comment, whatever it claims", () => {
    const forged: Viewer = { userId: null, role: null, entitlements: [{ tier: "ultimate" }] };
    expect(decidePostAccess({ access: "free", authorId: AUTHOR }, forged, now).writeComment.allowed).toBe(false);
  });
});

describe("readableAccesses", () => {
  // What GET /posts/{postId} asks for before it knows the post: exactly the accesses the matrix opens.
  it.each(Object.keys(viewers))("lists for %s exactly the accesses whose bodies decidePostAccess opens", (viewer) => {
    const opened = matrix.filter(([who, , body]) => who === viewer && body === true).map(([, access]) => access);
    expect(readableAccesses(viewers[viewer]!, AUTHOR, now)).toEqual(opened);
  });
});

describe("viewerOf", () => {
  it("takes the role from the token and the entitlements from the stored account", () => {
    expect(viewerOf({ identity: null, account: null })).toEqual({ userId: null, role: null, entitlements: [] });
    expect(viewerOf({ identity: { userId: "u", role: "admin" }, account: null })).toEqual({
      userId: "u",
      role: "admin",
      entitlements: [],
    });
  });
});

describe("requirePermission", () => {
  it("answers subscription_required with what would allow it", () => {
    const denied = decidePostAccess(
      { access: "select", authorId: AUTHOR },
      viewers["no entitlement"]!,
      now,
    ).writeComment;
    expect(() => requirePermission(denied)).toThrowError(
      expect.objectContaining({
        code: "subscription_required",
        extra: { requiredEntitlements: [{ tier: "select", authorId: AUTHOR }, { tier: "ultimate" }] },
      }),
    );
    expect(() => requirePermission({ allowed: true })).not.toThrow();
  });
});
