/**
 * Reads multipart/form-data as the fake server kit records it: the body already decoded as UTF-8 text.
 * Text fields come back exactly; a file part's bytes come back as that same lossy UTF-8 text, so a test
 * compares `file.text` with `bytes.toString('utf8')` (decoding is deterministic) rather than the bytes.
 */
export interface MultipartField {
  name: string;
  value: string;
}

export interface MultipartFile {
  name: string;
  filename: string;
  contentType: string;
  /** The part's bytes as the kit decoded them (UTF-8, invalid sequences replaced). */
  text: string;
}

export interface MultipartBody {
  fields: MultipartField[];
  files: MultipartFile[];
}

export function isMultipart(contentType: string | undefined): boolean {
  return /^multipart\/form-data/i.test(contentType ?? '');
}

export function parseMultipart(body: unknown, contentType: string | undefined): MultipartBody | undefined {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (!boundary || typeof body !== 'string') return undefined;
  const result: MultipartBody = { fields: [], files: [] };
  const sections = body.split(`--${boundary}`);
  // The preamble comes before the first boundary and the epilogue ("--\r\n") after the last.
  for (const section of sections.slice(1)) {
    if (section.startsWith('--')) break;
    const headerEnd = section.indexOf('\r\n\r\n');
    if (headerEnd === -1) return undefined;
    const headers = section.slice(2, headerEnd);
    const content = section.slice(headerEnd + 4, section.endsWith('\r\n') ? -2 : undefined);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
    if (name === undefined) return undefined;
    const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
    if (filename === undefined) {
      result.fields.push({ name, value: content });
    } else {
      const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream';
      result.files.push({ name, filename, contentType: type, text: content });
    }
  }
  return result;
}

export function fieldValue(body: MultipartBody, name: string): string | undefined {
  return body.fields.find((field) => field.name === name)?.value;
}
