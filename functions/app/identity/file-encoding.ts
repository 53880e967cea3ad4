/**
 * An export's bytes as text. Chinese Excel saves「CSV（逗号分隔）」in GBK, the code page of Chinese Windows, and so
 * do most POS systems' exports; only「CSV UTF-8」is UTF-8. A file whose bytes are valid UTF-8 is read as UTF-8 (its
 * BOM is left to the reader, which drops it); any other is read as GB18030, the superset of GBK and GB2312, and is
 * refused only when it is not that either. The two cannot be confused in practice: GBK's Chinese is two bytes of
 * 0x81–0xFE each, which UTF-8 almost never accepts (a run of text that happens to would need every pair to form a
 * valid UTF-8 sequence).
 */
import { createReadStream } from 'node:fs';
import { fail, ok, type Result } from '../../../shared/errors.js';

export type FileEncoding = 'utf-8' | 'gb18030';

/**
 * The text of a file's bytes and the encoding it was read in; null when they are neither UTF-8 nor GB18030.
 * `head`: the bytes are the start of a file, cut anywhere: a character cut at the end is left out, not refused.
 */
export function decodeFileBytes(
  bytes: Uint8Array,
  opts: { head?: boolean } = {},
): { text: string; encoding: FileEncoding } | null {
  for (const encoding of ['utf-8', 'gb18030'] as const) {
    try {
      // stream: a sequence cut at the end is held back for a next chunk that never comes, so it is dropped
      const text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes, {
        stream: opts.head === true,
      });
      return { text, encoding };
    } catch {
      // not this encoding: try the next
    }
  }
  return null;
}

/**
 * The text of an uploaded file, sent as `content` (UTF-8 text, read by the page) or `contentBase64` (its bytes, when
 * the page found them not UTF-8), with its size in bytes as it was on disk.
 */
export function uploadedText(
  body: { content?: string; contentBase64?: string },
  opts: { head?: boolean } = {},
): Result<{ text: string; encoding: FileEncoding; bytes: number }, 'IMPORT_FILE_ENCODING'> {
  if (body.contentBase64 === undefined) {
    const text = body.content ?? '';
    // a page that read a GBK file as UTF-8 anyway: its Chinese arrived as replacement characters
    if (text.includes('\uFFFD'))
      return fail(
        'IMPORT_FILE_ENCODING',
        'the text holds replacement characters: the file was read in another encoding',
      );
    return ok({ text, encoding: 'utf-8', bytes: Buffer.byteLength(text, 'utf8') });
  }
  const bytes = Buffer.from(body.contentBase64, 'base64');
  const read = decodeFileBytes(bytes, opts);
  if (!read) return fail('IMPORT_FILE_ENCODING', 'the file is neither UTF-8 nor GB18030 (GBK)');
  return ok({ ...read, bytes: bytes.length });
}

/**
 * A file's encoding for the command-line import: UTF-8 when all its bytes are (read through once, as a stream),
 * else GB18030, whose reading then fails at a byte sequence that is not that either.
 */
export async function detectFileEncoding(path: string): Promise<FileEncoding> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of createReadStream(path)) decoder.decode(chunk as Buffer, { stream: true });
    decoder.decode();
    return 'utf-8';
  } catch {
    return 'gb18030';
  }
}
