import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { UserError } from '../shared/index.ts';
import type { ImportSource } from './importer.ts';

const HEAD_BYTES = 64 * 1024;

export interface FileSource extends ImportSource {
  readonly sizeBytes: number;
  /** Bytes handed out so far by the streams opened with text(): the progress bar's numerator. */
  bytesRead(): number;
}

/**
 * Opens a file for import. An unreadable file is a user error (exit 2) raised here, before anything is parsed.
 * Decoding is streaming UTF-8: a BOM is dropped and invalid byte sequences become U+FFFD, so a broken byte never
 * stops an import (the record it sits in is imported with the replacement character). A UTF-16 file (what Excel's
 * "Unicode text" and PowerShell write) is decoded as UTF-16 instead: see encodingOf.
 */
export function openFileSource(path: string): FileSource {
  let sizeBytes: number;
  let head: string;
  let encoding: FileEncoding = 'utf-8';
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    sizeBytes = st.size;
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(Math.min(HEAD_BYTES, sizeBytes));
      const n = readSync(fd, buf, 0, buf.length, 0);
      encoding = encodingOf(buf.subarray(0, n));
      head = new TextDecoder(encoding).decode(buf.subarray(0, n), { stream: true });
    } finally {
      closeSync(fd);
    }
  } catch (cause) {
    const reason =
      (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (cause as Error).message;
    throw new UserError('import.unreadable', `cannot read the file: ${reason}`, { file: path }, { cause });
  }
  let read = 0;
  return {
    path,
    head,
    sizeBytes,
    bytesRead: () => read,
    async *text() {
      // Raw chunks decoded by one streaming TextDecoder: invalid sequences become U+FFFD and a character split
      // across two chunks stays whole. (Piping through a Transform with setEncoding decoded every chunk twice
      // and took three times as long.)
      const decoder = new TextDecoder(encoding);
      for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
        read += (chunk as Buffer).length;
        yield decoder.decode(chunk as Buffer, { stream: true });
      }
      const rest = decoder.decode();
      if (rest.length > 0) yield rest;
    },
  };
}

export type FileEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/**
 * The encoding of a file from its first bytes: UTF-16 when it starts with a UTF-16 byte order mark, or, without
 * one, when its text is mostly ASCII stored in two bytes (a zero byte in every other position: at least 30% of the
 * pairs, and almost none on the other side); UTF-8 otherwise. A NUL byte or two in a UTF-8 file does not make it
 * UTF-16.
 *
 * @example
 * encodingOf(Buffer.from('\ufeffid,subject', 'utf16le')); // 'utf-16le'
 * encodingOf(Buffer.from('id,subject')); // 'utf-8'
 */
export function encodingOf(head: Uint8Array): FileEncoding {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  const pairs = Math.floor(Math.min(head.length, 4096) / 2);
  if (pairs < 2) return 'utf-8';
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) evenZeros++;
    if (head[2 * i + 1] === 0) oddZeros++;
  }
  if (oddZeros >= pairs * 0.3 && evenZeros <= pairs * 0.05) return 'utf-16le';
  if (evenZeros >= pairs * 0.3 && oddZeros <= pairs * 0.05) return 'utf-16be';
  return 'utf-8';
}

/** An in-memory source, for tests and for text that arrives without a file. */
export function textSource(text: string, path = '<memory>'): ImportSource {
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return {
    path,
    head: clean.slice(0, HEAD_BYTES),
    async *text() {
      yield clean;
    },
  };
}
