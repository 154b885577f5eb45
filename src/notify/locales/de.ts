import type { LocaleCatalog } from '../template/types.js';

const q = (s: string): string => `{{#if subject}} („{{subject}}“){{/if}}${s}`;

export const de: LocaleCatalog = {
  name: 'Deutsch',
  auto: 'Dies ist eine automatische Nachricht von {{organisation}}. Antworten darauf werden nicht gelesen.',
  linkFallback: 'Falls die Schaltfläche nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:',
  types: {
    'portal-message': {
      subject: 'Sichere Nachricht von {{sender}}{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{sender}} hat Ihnen eine sichere Nachricht gesendet${q('.')}`, { link: 'link', label: 'Nachricht lesen' }, '{{#if expires}}Die Nachricht kann bis zum {{expires}} gelesen werden.{{/if}}'],
    },
    'portal-reminder': {
      subject: 'Erinnerung: ungelesene sichere Nachricht von {{sender}}{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{sender}} hat Ihnen eine sichere Nachricht gesendet${q(', die Sie noch nicht gelesen haben.')}`, { link: 'link', label: 'Nachricht lesen' }, '{{#if expires}}Sie wird am {{expires}} gelöscht.{{/if}}'],
    },
    'pdf-password': {
      subject: 'Passwort für Ihre verschlüsselte Nachricht{{#if subject}}: {{subject}}{{/if}}',
      body: [`Ihre Nachricht${q(' wurde als passwortgeschütztes PDF zugestellt an:')}`, { list: 'recipients' }, 'Teilen Sie den Empfängern dieses Passwort auf einem anderen Weg mit, etwa telefonisch oder per SMS, niemals per E-Mail:', { password: true }],
    },
    'encryption-failed': {
      subject: `Nicht zugestellt: Ihre Nachricht konnte nicht sicher versendet werden${q('')}`,
      body: [
        `Ihre Nachricht${q(' konnte nicht sicher zugestellt werden an:')}`,
        { list: 'recipients' },
        'Für diese Empfänger stand kein Verschlüsselungsverfahren zur Verfügung{{#if waited}} (Wartezeit: {{waited}}){{/if}}; die Nachricht wurde daher nicht versendet. Niemand hat sie unverschlüsselt erhalten.',
        { detail: 'reason', label: 'Grund:' },
        'Was Sie tun können: Bitten Sie den Empfänger um ein S/MIME-Zertifikat oder einen OpenPGP-Schlüssel, oder fragen Sie Ihre Administration nach einem anderen Zustellweg.',
      ],
    },
    quarantined: {
      subject: 'Zur Prüfung zurückgehalten{{#if subject}}: {{subject}}{{/if}}',
      body: [
        `{{#if toSender}}Ihre Nachricht${q(' wurde zur Prüfung zurückgehalten und noch nicht zugestellt an:')}{{else}}Eine Nachricht von {{sender}}${q(' wurde zur Prüfung zurückgehalten und noch nicht zugestellt an:')}{{/if}}`,
        { list: 'recipients' },
        { detail: 'reason', label: 'Grund:' },
        { list: 'rules', heading: 'Zutreffende Regeln:' },
        { detail: 'id', label: 'Referenz:' },
        '{{#if toSender}}Ein Administrator wird sie prüfen. Sie müssen sie nicht erneut senden.{{/if}}',
      ],
    },
    blocked: {
      subject: 'Blockiert{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{#if toSender}}Ihre Nachricht${q(' wurde durch eine Sicherheitsrichtlinie blockiert und nicht zugestellt an:')}{{else}}Eine Nachricht von {{sender}}${q(' wurde durch eine Sicherheitsrichtlinie blockiert und nicht zugestellt an:')}{{/if}}`, { list: 'recipients' }, { detail: 'reply', label: 'Details:' }],
    },
    'read-receipt': {
      subject: 'Gelesen{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{reader}} hat Ihre sichere Nachricht${q('{{#if readAt}} am {{readAt}}{{/if}} gelesen.')}`],
    },
    expired: {
      subject: 'Ungelesen abgelaufen{{#if subject}}: {{subject}}{{/if}}',
      body: [`Ihre sichere Nachricht${q(' ist abgelaufen, bevor sie gelesen wurde von:')}`, { list: 'recipients' }, 'Sie wurde gelöscht. Bitte senden Sie sie erneut, falls sie noch benötigt wird.'],
    },
    'decrypt-failed': {
      subject: 'Entschlüsselung fehlgeschlagen{{#if subject}}: {{subject}}{{/if}}',
      body: [`Ihre verschlüsselte Nachricht${q(' konnte vom Mail-Gateway des Empfängers nicht entschlüsselt werden.')}`, { detail: 'reason', label: 'Grund:' }, 'Bitte verschlüsseln Sie sie mit dem aktuellen Zertifikat oder Schlüssel des Empfängers und senden Sie sie erneut.'],
    },
    'portal-sent': {
      subject: 'Sicher versendet{{#if subject}}: {{subject}}{{/if}}',
      body: [`Ihre Nachricht${q(' wurde über das Portal sicher an {{recipient}} zugestellt.')}`, '{{#if expires}}Sie kann bis zum {{expires}} gelesen werden.{{/if}}', { link: 'link', label: 'Nachricht zurückziehen' }, 'Wenn Sie sie zurückziehen, kann der Empfänger sie nicht mehr lesen.'],
    },
    'portal-password-reset': {
      subject: 'Passwort für Ihr sicheres E-Mail-Konto zurücksetzen',
      body: ['Jemand (hoffentlich Sie) hat angefordert, das Passwort Ihres Kontos im Portal für sichere E-Mail zurückzusetzen.', { link: 'link', label: 'Neues Passwort festlegen' }, 'Falls Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Ihr Passwort bleibt unverändert.'],
    },
    'pdf-message': {
      subject: '{{subject}}',
      body: [
        '{{sender}} hat Ihnen eine vertrauliche Nachricht gesendet. Sie ist als verschlüsseltes PDF ({{fileName}}) angehängt, das die ganze Nachricht samt Anhängen enthält.',
        '{{#if toSender}}Das Passwort wurde {{sender}} separat zugesandt. Bitte fragen Sie telefonisch oder auf einem anderen Weg danach, nicht per Antwort auf diese E-Mail.{{/if}}',
        '{{#if bySms}}Das Passwort wurde per SMS an Ihr Mobiltelefon gesendet{{#if smsEnding}} (Nummer endet auf {{smsEnding}}){{/if}}.{{/if}}',
        '{{#if portal}}Öffnen Sie es mit dem PDF-Passwort, das Sie im Portal für sichere E-Mail festgelegt haben.{{/if}}',
        '{{#if agreed}}Öffnen Sie es mit dem Passwort, das Sie mit {{sender}} vereinbart haben.{{/if}}',
        'Öffnen Sie das PDF mit einem beliebigen PDF-Reader; die Anhänge finden Sie in dessen Anhangsleiste.',
      ],
    },
    dsn: {
      subject: '{{#if failed}}Unzustellbare Nachricht{{else}}Verzögerte Nachricht (Zustellung wird weiter versucht){{/if}}',
      body: [
        'Dies ist das Mailsystem auf dem Host {{host}}.',
        '{{#if failed}}Leider konnte Ihre Nachricht an einen oder mehrere Empfänger nicht zugestellt werden. Ihre Kopfzeilen sind unten angehängt.{{/if}}',
        '{{#if failed}}Wenden Sie sich für weitere Hilfe an Ihren Postmaster und fügen Sie diesen Bericht bei.{{/if}}',
        { list: 'failed' },
        '{{#if delayed}}Ihre Nachricht konnte den unten genannten Empfängern noch nicht zugestellt werden. Das Mailsystem versucht es weiter; Sie müssen sie nicht erneut senden.{{/if}}',
        { list: 'delayed' },
      ],
    },
  },
};
