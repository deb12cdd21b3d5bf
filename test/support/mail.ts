/** The text a reader sees of an HTML part: tags dropped (blocks apart), entities decoded, whitespace collapsed. */
export function htmlAsText(html: string): string {
  return html
    .replace(/<\/?(a|code|strong|em)\b[^>]*>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[name]!)
    .replace(/\s+/g, " ");
}
