/**
 * `Content-Disposition` for a stored filename: a plain-ASCII `filename` for old clients and the exact name
 * in `filename*` (RFC 6266 with RFC 5987 encoding), so no filename can break out of the header.
 */
export function contentDisposition(
  filename: string,
  disposition: 'inline' | 'attachment' = 'inline',
): string {
  // Percent signs go too: some browsers decode them in the plain parameter.
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
