/**
 * Filenames come from clients: keep the last path segment only, drop control characters, and bound the
 * length, so a name is safe to show and to put in a Content-Disposition header.
 */
const maximumLength = 255;

export function normalizeFilename(given: string | undefined, fallback = 'file'): string {
  const lastSegment = (given ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = lastSegment.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  const bounded = Array.from(cleaned).slice(0, maximumLength).join('');
  return bounded === '' || bounded === '.' || bounded === '..' ? fallback : bounded;
}
