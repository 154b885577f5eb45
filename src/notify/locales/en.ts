import type { LocaleCatalog } from '../template/types.js';

const q = (s: string): string => `{{#if subject}} ("{{subject}}"){{/if}}${s}`;

export const en: LocaleCatalog = {
  name: 'English',
  auto: 'This is an automatic message from {{organisation}}. Replies to it are not read.',
  linkFallback: 'If the button does not work, copy this address into your browser:',
  types: {
    'portal-message': {
      subject: 'Secure message from {{sender}}{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{sender}} has sent you a secure message${q('.')}`, { link: 'link', label: 'Read the message' }, '{{#if expires}}The message can be read until {{expires}}.{{/if}}'],
    },
    'portal-reminder': {
      subject: 'Reminder: unread secure message from {{sender}}{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{sender}} has sent you a secure message${q(' that you have not read yet.')}`, { link: 'link', label: 'Read the message' }, '{{#if expires}}It will be deleted on {{expires}}.{{/if}}'],
    },
    'pdf-password': {
      subject: 'Password for your encrypted message{{#if subject}}: {{subject}}{{/if}}',
      body: [`Your message${q(' was delivered as a password-protected PDF to:')}`, { list: 'recipients' }, 'Give them this password by another channel, such as a phone call or a text message, never by email:', { password: true }],
    },
    'encryption-failed': {
      subject: `Not delivered: your message could not be sent securely${q('')}`,
      body: [
        `Your message${q(' could not be delivered securely to:')}`,
        { list: 'recipients' },
        'No encryption method could serve these recipients{{#if waited}} within {{waited}}{{/if}}, so the message was not sent. Nobody received it in plain text.',
        { detail: 'reason', label: 'Reason:' },
        'What you can do: ask the recipient for an S/MIME certificate or an OpenPGP key, or ask your administrator about another delivery method.',
      ],
    },
    quarantined: {
      subject: 'Held for review{{#if subject}}: {{subject}}{{/if}}',
      body: [
        `{{#if toSender}}Your message${q(' has been held for review and has not been delivered yet to:')}{{else}}A message from {{sender}}${q(' has been held for review and has not been delivered yet to:')}{{/if}}`,
        { list: 'recipients' },
        { detail: 'reason', label: 'Reason:' },
        { list: 'rules', heading: 'Rules that matched:' },
        { detail: 'id', label: 'Reference:' },
        '{{#if toSender}}An administrator will review it. You do not need to send it again.{{/if}}',
      ],
    },
    blocked: {
      subject: 'Blocked{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{#if toSender}}Your message${q(' was blocked by a security policy and was not delivered to:')}{{else}}A message from {{sender}}${q(' was blocked by a security policy and was not delivered to:')}{{/if}}`, { list: 'recipients' }, { detail: 'reply', label: 'Details:' }],
    },
    'read-receipt': {
      subject: 'Read{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{reader}} has read your secure message${q('{{#if readAt}} on {{readAt}}{{/if}}.')}`],
    },
    expired: {
      subject: 'Expired unread{{#if subject}}: {{subject}}{{/if}}',
      body: [`Your secure message${q(' expired before it was read by:')}`, { list: 'recipients' }, 'It has been deleted. Please send it again if it is still needed.'],
    },
    'decrypt-failed': {
      subject: 'Could not be decrypted{{#if subject}}: {{subject}}{{/if}}',
      body: [`Your encrypted message${q(" could not be decrypted by the recipient's mail gateway.")}`, { detail: 'reason', label: 'Reason:' }, "Please encrypt it with the recipient's current certificate or key and send it again."],
    },
    'portal-sent': {
      subject: 'Sent securely{{#if subject}}: {{subject}}{{/if}}',
      body: [`Your message${q(' to {{recipient}} was delivered securely through the portal.')}`, '{{#if expires}}It can be read until {{expires}}.{{/if}}', { link: 'link', label: 'Withdraw the message' }, 'If you withdraw it, the recipient can no longer read it.'],
    },
    'portal-password-reset': {
      subject: 'Reset your secure mail password',
      body: ['Someone (hopefully you) asked to reset the password of your secure mail portal account.', { link: 'link', label: 'Choose a new password' }, 'If you did not ask for this, ignore this message: your password stays as it is.'],
    },
    'pdf-message': {
      subject: '{{subject}}',
      body: [
        '{{sender}} sent you a confidential message. It is attached as an encrypted PDF ({{fileName}}) that holds the whole message and its attachments.',
        '{{#if toSender}}The password was sent to {{sender}} separately. Please ask them for it by phone or another channel, not by replying to this email.{{/if}}',
        '{{#if bySms}}The password was sent by SMS to your mobile phone{{#if smsEnding}} (number ending {{smsEnding}}){{/if}}.{{/if}}',
        '{{#if portal}}Open it with the PDF password you set in the secure mail portal.{{/if}}',
        '{{#if agreed}}Open it with the password you agreed with {{sender}}.{{/if}}',
        'Open the PDF with any PDF reader; the attachments are in its attachments panel.',
      ],
    },
    dsn: {
      subject: '{{#if failed}}Undelivered Mail Returned to Sender{{else}}Delayed Mail (still being retried){{/if}}',
      body: [
        'This is the mail system at host {{host}}.',
        '{{#if failed}}I am sorry to have to inform you that your message could not be delivered to one or more recipients. Its headers are attached below.{{/if}}',
        '{{#if failed}}For further assistance, please contact your postmaster and include this report.{{/if}}',
        { list: 'failed' },
        '{{#if delayed}}Your message could not be delivered yet to the recipients below. The mail system will keep trying; you do not need to send it again.{{/if}}',
        { list: 'delayed' },
      ],
    },
  },
};
