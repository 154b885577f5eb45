/**
 * What the `pdf` method needs to tell a sender the password (random-to-sender mode): a composer
 * of `pdf-password` notices. The Notifier of src/notify/notifier.ts fits as is (its request type
 * is wider); keeping the method on this narrow interface keeps protect/ off notify/'s internals.
 * SECURITY: the password appears only in the notice body (a line of its own, `Password: …`,
 * DESIGN §5), never in a header, the subject, the trace or a log.
 */
import type { OutgoingNotice } from '../mail/context.js';

export interface PasswordNoticeRequest {
  readonly type: 'pdf-password';
  readonly to: string;
  readonly profile?: string;
  readonly vars: { readonly recipients: readonly string[]; readonly subject: string; readonly password: string };
  readonly originalHeaders?: Buffer;
  readonly key?: string;
}

export interface PasswordNotifier {
  compose(req: PasswordNoticeRequest): OutgoingNotice;
}
