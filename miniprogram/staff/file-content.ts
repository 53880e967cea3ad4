/**
 * A picked export as the import endpoints take it: its text when it read as UTF-8, else its bytes (base64), which
 * the server reads as GBK (GB18030). Chinese Excel's「CSV（逗号分隔）」and most POS exports are GBK.
 */
import type { ChosenFile } from '../platform/types';

export function fileContent(file: ChosenFile): { content: string } | { contentBase64: string } {
  return file.text !== null ? { content: file.text } : { contentBase64: file.base64 };
}

/** The file's head within `limit` characters (text) or bytes, for a preview; `partial` when the file goes on. */
export function sampleContent(
  file: ChosenFile,
  limit: number,
): ({ content: string } | { contentBase64: string }) & { partial?: true } {
  if (file.text !== null) {
    if (file.text.length <= limit) return { content: file.text };
    const head = file.text.slice(0, limit);
    return { content: head.slice(0, Math.max(head.lastIndexOf('\n'), 1)), partial: true };
  }
  // four base64 characters are three bytes: the cut is between bytes; the server leaves out the row cut there
  const quads = Math.floor(limit / 3) * 4;
  if (file.base64.length <= quads) return { contentBase64: file.base64 };
  return { contentBase64: file.base64.slice(0, quads), partial: true };
}

/** 'GBK' when the file is not UTF-8 (the server reads it as GBK), for the page to say so */
export const fileEncodingLabel = (file: ChosenFile): string | null => (file.text === null ? 'GBK' : null);
