/**
 * Walks a message's MIME tree and feeds the collector: header and subject text of the top-level
 * message, inline text bodies, and every attachment (handed to the file extractors).
 * Nested message/rfc822 parts are walked like the top level, but all their text counts as
 * attachment text (a forwarded message is content the sender attached).
 * SECURITY: hostile input; every part passes Collector.enter (depth, part count, time); a
 * failure inside one part makes that part unscannable (files.ts for files, the loop below for
 * MIME parts), never the scan fail.
 */
import { MessageDraft } from '../mime/draft.js';
import type { Collector } from './collector.js';
import { decodeCharset, decodeWords, headerText, parseStructured, transferDecode } from './decode.js';
import { extractFile } from './files.js';
import { htmlToText } from './html.js';
import { splitMultipart } from '../mime/read.js';
import { extractUuencoded } from './uuencode.js';

const MESSAGE_TYPES = new Set(['message/rfc822', 'message/global']);

/** The top-level message (nested = false) or a message/rfc822 attachment at `path`. */
export async function walkMessage(bytes: Buffer, path: string, depth: number, nested: boolean, c: Collector): Promise<void> {
  const draft = MessageDraft.parse(bytes);
  const subject = draft.get('subject');
  c.addText(nested ? 'attachment' : 'header', path, headerText(draft));
  if (subject !== undefined) c.addText(nested ? 'attachment' : 'subject', path, decodeWords(subject));
  // a message's own body is entity "1" (or parts "1", "2" … when it is multipart), below the message's path
  await walkEntity(draft, path, depth, nested, c, true);
}

/**
 * One MIME entity. `path` is the entity's own number ('' for the top-level message); for a
 * message root, `isMessageRoot` makes a single-part body "<path>.1" as in IMAP part numbering.
 */
async function walkEntity(draft: MessageDraft, path: string, depth: number, inAttachment: boolean, c: Collector, isMessageRoot: boolean, defaultType = 'text/plain'): Promise<void> {
  const ct = parseStructured(draft.get('content-type'));
  const type = ct.type || defaultType;
  if (type.startsWith('multipart/')) {
    const boundary = ct.params['boundary'];
    if (!boundary) {
      // without a boundary the parts cannot be found; scan the body as text so nothing hides behind it
      c.markUnscannable(path || '1', 'multipart without boundary (scanned as text)');
      c.addText(inAttachment ? 'attachment' : 'body', path || '1', draft.body.toString('latin1'));
      return;
    }
    const childDefault = type === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
    // one part more than the limit allows, so Collector.enter sees the overflow and reports it
    const { parts } = splitMultipart(draft.body, boundary, c.limits.maxParts + 1);
    for (let i = 0; i < parts.length; i++) {
      const childPath = path ? `${path}.${i + 1}` : `${i + 1}`;
      if (!c.enter(childPath, depth + 1)) {
        if (c.halted) return;
        continue;
      }
      const outer = c.alternative;
      if (type === 'multipart/alternative') c.alternative = { group: path, branch: i };
      try {
        await walkEntity(MessageDraft.parse(parts[i]!), childPath, depth + 1, inAttachment, c, false, childDefault);
      } catch (err) {
        // a bug on one part must not leave its siblings unscanned
        c.markUnscannable(childPath, `extraction failed: ${err instanceof Error ? err.message.slice(0, 120) : 'unknown error'}`);
      } finally {
        c.alternative = outer;
      }
    }
    return;
  }
  const leafPath = isMessageRoot ? (path ? `${path}.1` : '1') : path;
  if (isMessageRoot && !c.enter(leafPath, depth + 1)) return;
  const content = transferDecode(draft);
  c.addScanned(content.length);
  const disposition = parseStructured(draft.get('content-disposition'));
  const name = disposition.params['filename'] ?? ct.params['name'] ?? '';
  const isAttachment = disposition.type === 'attachment' || name !== '' || !(type === 'text/plain' || type === 'text/html');

  if (type === 'message/partial') {
    // RFC 2046 §5.2.2: a fragment; the other fragments travel in other messages
    c.addAttachment({ path: leafPath, name, contentType: type, size: content.length });
    c.markUnscannable(leafPath, 'message/partial fragment (cannot be reassembled)');
    return;
  }
  if (MESSAGE_TYPES.has(type)) {
    c.addAttachment({ path: leafPath, name, contentType: type, size: content.length });
    await walkMessage(content, leafPath, depth + 1, true, c);
    return;
  }
  if (!isAttachment) {
    const text = decodeCharset(content, ct.params['charset']) ?? '';
    // inline PGP (RFC 4880 armor in a text body): the ciphertext is scanned as text, but what it hides cannot be
    if (text.includes('-----BEGIN PGP MESSAGE-----')) c.markUnscannable(leafPath, 'OpenPGP-encrypted content');
    c.addText(inAttachment ? 'attachment' : 'body', leafPath, type === 'text/html' ? htmlToText(text, () => c.expired()) : text);
    if (c.expired()) c.timedOut(leafPath);
    else if (type === 'text/plain') await extractUuencoded(text, leafPath, depth, c, extractFile);
    return;
  }
  c.addAttachment({ path: leafPath, name, contentType: type, size: content.length });
  await extractFile({ bytes: content, name, contentType: type, charset: ct.params['charset'], path: leafPath, depth }, c);
}
