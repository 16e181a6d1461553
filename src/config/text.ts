// Text files that Windows tools wrote: Notepad and `Out-File -Encoding utf8`
// in PowerShell 5.1 put a UTF-8 byte-order mark in front, and PowerShell
// 5.1's `>` writes UTF-16 LE with a BOM. JSON.parse accepts neither, so
// config files are decoded here first.
import { DsyncError } from '../base/errors.js';

/** Decode a config file's bytes: UTF-8 (with or without BOM) or UTF-16 (LE/BE, with a BOM, or LE without one). */
export function decodeText(bytes: Uint8Array, file: string): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return utf8(bytes.subarray(3), file);
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  // UTF-16 LE without a BOM: ASCII text with a zero after every byte.
  if (bytes.length >= 4 && bytes.length % 2 === 0 && bytes[0] !== 0 && bytes[1] === 0 && bytes[3] === 0) {
    return new TextDecoder('utf-16le').decode(bytes);
  }
  const text = utf8(bytes, file);
  if (text.includes('\0')) {
    throw new DsyncError('CONFIG', `${file} contains NUL bytes: it is not UTF-8 or UTF-16 text`, {
      hint: 'save it as UTF-8 (in PowerShell: Set-Content -Encoding utf8 ...)',
    });
  }
  return text;
}

function utf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DsyncError('CONFIG', `${file} is not valid UTF-8 (a legacy code page such as Windows-1252?)`, {
      hint: 'save it as UTF-8 (in PowerShell: Set-Content -Encoding utf8 ...)',
    });
  }
}
