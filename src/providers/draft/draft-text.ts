/** Prompt text made safe and tidy for an SVG <text> element. */

/** Characters XML 1.0 forbids (a NUL in a prompt must not break the overlay), and line breaks. */
const invalidXml = /[\u0000-\u001f\u007f\ud800-\udfff\ufffe\uffff]/g;

export function escapeXml(text: string): string {
  return text
    .replace(invalidXml, ' ')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** Greedy word wrap to `columns`, at most `maxLines` lines, the last one ending in "…" when cut short. */
export function wrapText(text: string, columns: number, maxLines: number): string[] {
  const words = text.replace(invalidXml, ' ').split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    // A word longer than a line is cut into line-sized pieces.
    for (let start = 0; start < word.length; start += columns) {
      const piece = word.slice(start, start + columns);
      if (line === '') line = piece;
      else if (line.length + 1 + piece.length <= columns && start === 0) line = `${line} ${piece}`;
      else {
        lines.push(line);
        line = piece;
      }
    }
  }
  if (line !== '') lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1]!.slice(0, Math.max(0, columns - 1))}…`;
  return kept;
}
