/**
 * mime/ — byte-preserving message helpers.
 *
 * Hand-written on purpose: mailparser/postal-mime decode and re-encode, but a gateway must pass
 * bodies through byte for byte (signatures cover exact bytes, broken MIME is relayed as is), so
 * we only split the header block from the body and edit whole header fields.
 * SECURITY: input is untrusted; nothing here throws on malformed data — a message without a
 * blank line is all headers, lines that are not fields are kept verbatim.
 * STANDARDS: RFC 5322 §2.2 (header fields, folding), RFC 6532 (8-bit headers, kept as bytes).
 */

export interface HeaderField {
  /** field name as written */
  readonly name: string;
  /** the whole field including folded continuation lines and the final line break, as latin1 text */
  readonly raw: string;
}

const CRLF = '\r\n';

/** An immutable message: header fields and the body bytes after the blank line. */
export class MessageDraft {
  private constructor(
    readonly fields: readonly HeaderField[],
    readonly body: Buffer,
    /** how the header block ended ("\r\n" normally; '' when the message had no body separator) */
    private readonly separator: string,
  ) {}

  static parse(bytes: Buffer): MessageDraft {
    // latin1 maps every byte to one code unit, so 8-bit header bytes round-trip exactly.
    const { headerEnd, bodyStart } = findHeaderEnd(bytes);
    const head = bytes.subarray(0, headerEnd).toString('latin1');
    const fields: HeaderField[] = [];
    const lines = head.match(/[^\n]*\n|[^\n]+$/g) ?? [];
    for (const line of lines) {
      const last = fields[fields.length - 1];
      if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
        fields[fields.length - 1] = { name: last.name, raw: last.raw + line };
        continue;
      }
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon).trim() : '';
      fields.push({ name, raw: line });
    }
    const separator = bytes.subarray(headerEnd, bodyStart).toString('latin1');
    return new MessageDraft(fields, bytes.subarray(bodyStart), separator);
  }

  /** Unfolded, trimmed values of every field with this name (case-insensitive). */
  getAll(name: string): string[] {
    const key = name.toLowerCase();
    return this.fields
      .filter((f) => f.name.toLowerCase() === key)
      .map((f) => f.raw.slice(f.raw.indexOf(':') + 1).replace(/\r?\n[ \t]/g, ' ').trim());
  }

  get(name: string): string | undefined {
    return this.getAll(name)[0];
  }

  has(name: string): boolean {
    const key = name.toLowerCase();
    return this.fields.some((f) => f.name.toLowerCase() === key);
  }

  /** Removes every field with one of these names (case-insensitive). Returns `this` when nothing changes. */
  without(...names: string[]): MessageDraft {
    const keys = new Set(names.map((n) => n.toLowerCase()));
    const kept = this.fields.filter((f) => !keys.has(f.name.toLowerCase()));
    return kept.length === this.fields.length ? this : new MessageDraft(kept, this.body, this.separator || CRLF);
  }

  /** Removes only the fields for which `drop` answers true. */
  filter(keep: (field: HeaderField) => boolean): MessageDraft {
    const kept = this.fields.filter(keep);
    return kept.length === this.fields.length ? this : new MessageDraft(kept, this.body, this.separator || CRLF);
  }

  /** Adds a field on top (trace-header position). The value must already be encoded for the wire. */
  prepend(name: string, value: string): MessageDraft {
    return new MessageDraft([{ name, raw: `${name}: ${value}${CRLF}` }, ...this.fields], this.body, this.separator || CRLF);
  }

  /** Adds a field after the existing ones. */
  append(name: string, value: string): MessageDraft {
    return new MessageDraft([...this.fields, { name, raw: `${name}: ${value}${CRLF}` }], this.body, this.separator || CRLF);
  }

  /** Replaces the value of the first field with this name (appends when absent), keeping its position. */
  replace(name: string, value: string): MessageDraft {
    const key = name.toLowerCase();
    const at = this.fields.findIndex((f) => f.name.toLowerCase() === key);
    if (at < 0) return this.append(name, value);
    const fields = [...this.fields];
    fields[at] = { name: this.fields[at]!.name, raw: `${this.fields[at]!.name}: ${value}${CRLF}` };
    return new MessageDraft(fields, this.body, this.separator || CRLF);
  }

  headerBytes(): Buffer {
    return Buffer.from(this.fields.map((f) => f.raw).join(''), 'latin1');
  }

  toBuffer(): Buffer {
    return Buffer.concat([this.headerBytes(), Buffer.from(this.separator, 'latin1'), this.body]);
  }
}

/** Finds the blank line ending the header block: CRLFCRLF, or LFLF in messages with bare LFs. */
function findHeaderEnd(bytes: Buffer): { headerEnd: number; bodyStart: number } {
  if (bytes.length >= 2 && bytes[0] === 0x0d && bytes[1] === 0x0a) return { headerEnd: 0, bodyStart: 2 };
  if (bytes.length >= 1 && bytes[0] === 0x0a) return { headerEnd: 0, bodyStart: 1 };
  for (let i = 0; i < bytes.length - 1; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (bytes[i + 1] === 0x0a) return { headerEnd: i + 1, bodyStart: i + 2 };
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return { headerEnd: i + 1, bodyStart: i + 3 };
  }
  return { headerEnd: bytes.length, bodyStart: bytes.length };
}
