import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// Every relative link of README.md and docs/*.md resolves inside the repository: its file exists and, where the link
// names a heading (`#anchor`), the file has that heading, as GitHub makes anchors of headings. A reader of a clone is
// never sent to a file that is not there.

const root = resolve(import.meta.dirname, "../..");
const documents = ["README.md", ...readdirSync(resolve(root, "docs")).map((file) => `docs/${file}`)].filter((file) =>
  file.endsWith(".md"),
);

/** The text outside fenced code blocks and code spans: links inside code are examples, not links. */
const prose = (markdown: string) => markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, "").replace(/`[^`\n]*`/g, "");

/** GitHub's anchor of a heading: lower case, punctuation dropped, each space a hyphen; repeats get -1, -2... */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, "").matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = heading!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .trim()
      .replace(/\s/g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

interface Link {
  from: string;
  target: string;
}

function relativeLinks(file: string): Link[] {
  const text = prose(readFileSync(resolve(root, file), "utf8"));
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map(([, target]) => target!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
    .map((target) => ({ from: file, target }));
}

/** What is wrong with a link, or null when it resolves. */
function problemOf(link: Link): string | null {
  const [path, anchor] = link.target.split("#", 2) as [string, string | undefined];
  const file = path === "" ? resolve(root, link.from) : resolve(root, dirname(link.from), decodeURIComponent(path));
  if (relative(root, file).startsWith("..")) return "points outside the repository";
  if (!existsSync(file)) return "names no file";
  if (anchor === undefined) return null;
  if (!statSync(file).isFile() || !file.endsWith(".md")) return "has an anchor into a file that is not Markdown";
  return anchorsOf(readFileSync(file, "utf8")).has(decodeURIComponent(anchor)) ? null : "names no heading there";
}

describe("the documentation's links", () => {
  const links = documents.flatMap(relativeLinks);

  it("are found in README.md and docs/*.md", () => {
    expect(documents).toContain("docs/deploy.md");
    expect(links.filter((link) => link.from === "README.md").length).toBeGreaterThan(10);
  });

  it("resolve inside the repository, to a file and, where named, a heading", () => {
    const broken = links.flatMap((link) => {
      const problem = problemOf(link);
      return problem ? [`${link.from}: (${link.target}) ${problem}`] : [];
    });
    expect(broken).toEqual([]);
  });

  it("leave the README without a link out of the repository: it sends no reader elsewhere", () => {
    const text = prose(readFileSync(resolve(root, "README.md"), "utf8"));
    expect([...text.matchAll(/\]\(([a-z][a-z0-9+.-]*:[^)\s]*)/gi)].map(([, target]) => target)).toEqual([]);
  });

  it("make GitHub's anchors of headings", () => {
    const anchors = anchorsOf(
      "# Moving posts stored before 1.1\n## The description: `GET /openapi.json` and `GET /docs`\n## Tests\n## Tests\n",
    );
    expect([...anchors]).toEqual([
      "moving-posts-stored-before-11",
      "the-description-get-openapijson-and-get-docs",
      "tests",
      "tests-1",
    ]);
  });

  it("fail on a missing file, a missing heading and a path outside the repository", () => {
    expect(problemOf({ from: "README.md", target: "docs/nowhere.md" })).toBe("names no file");
    expect(problemOf({ from: "README.md", target: "docs/deploy.md#no-such-heading" })).toBe("names no heading there");
    expect(problemOf({ from: "README.md", target: "../shared/api-contract.md" })).toBe("points outside the repository");
    expect(problemOf({ from: "docs/deploy.md", target: "#verify-a-deployed-stage" })).toBeNull();
  });
});
