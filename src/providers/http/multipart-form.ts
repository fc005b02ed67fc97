/** Building multipart uploads for sendUpstream (which sends an undici FormData as multipart/form-data). */
import type { FormData } from 'undici';

export interface FormFile {
  data: Buffer;
  mediaType: string;
  filename: string;
}

export function appendFile(form: FormData, field: string, file: FormFile): void {
  // A copy into a plain Uint8Array: Blob wants an ArrayBuffer-backed view, a Buffer may be pooled.
  form.append(field, new Blob([new Uint8Array(file.data)], { type: file.mediaType }), file.filename);
}

export function appendFields(form: FormData, fields: Record<string, string | number | undefined>): void {
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) form.append(name, String(value));
  }
}
