import type { LocaleCatalog } from '../template/types.js';

const q = (s: string): string => `{{#if subject}} («{{subject}}»){{/if}}${s}`;

export const it: LocaleCatalog = {
  name: 'Italiano',
  auto: 'Questo è un messaggio automatico di {{organisation}}. Le risposte a questo messaggio non vengono lette.',
  linkFallback: 'Se il pulsante non funziona, copi questo indirizzo nel browser:',
  types: {
    'portal-message': {
      subject: 'Messaggio sicuro da {{sender}}{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{sender}} Le ha inviato un messaggio sicuro${q('.')}`, { link: 'link', label: 'Leggi il messaggio' }, '{{#if expires}}Il messaggio è consultabile fino al {{expires}}.{{/if}}'],
    },
    'portal-reminder': {
      subject: 'Promemoria: messaggio sicuro non letto da {{sender}}{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{sender}} Le ha inviato un messaggio sicuro${q(' che non ha ancora letto.')}`, { link: 'link', label: 'Leggi il messaggio' }, '{{#if expires}}Verrà eliminato il {{expires}}.{{/if}}'],
    },
    'pdf-password': {
      subject: 'Password del Suo messaggio cifrato{{#if subject}}: {{subject}}{{/if}}',
      body: [`Il Suo messaggio${q(' è stato recapitato come PDF protetto da password a:')}`, { list: 'recipients' }, 'Comunichi questa password ai destinatari con un altro mezzo, ad esempio per telefono o SMS, mai via e-mail:', { password: true }],
    },
    'encryption-failed': {
      subject: `Non recapitato: non è stato possibile inviare il Suo messaggio in modo sicuro${q('')}`,
      body: [
        `Non è stato possibile recapitare in modo sicuro il Suo messaggio${q(' a:')}`,
        { list: 'recipients' },
        'Nessun metodo di cifratura era disponibile per questi destinatari{{#if waited}} entro {{waited}}{{/if}}, quindi il messaggio non è stato inviato. Nessuno lo ha ricevuto in chiaro.',
        { detail: 'reason', label: 'Motivo:' },
        'Cosa può fare: chieda al destinatario un certificato S/MIME o una chiave OpenPGP, oppure chieda al Suo amministratore un altro metodo di recapito.',
      ],
    },
    quarantined: {
      subject: 'Trattenuto per verifica{{#if subject}}: {{subject}}{{/if}}',
      body: [
        `{{#if toSender}}Il Suo messaggio${q(' è stato trattenuto per verifica e non è ancora stato recapitato a:')}{{else}}Un messaggio di {{sender}}${q(' è stato trattenuto per verifica e non è ancora stato recapitato a:')}{{/if}}`,
        { list: 'recipients' },
        { detail: 'reason', label: 'Motivo:' },
        { list: 'rules', heading: 'Regole applicate:' },
        { detail: 'id', label: 'Riferimento:' },
        '{{#if toSender}}Un amministratore lo esaminerà. Non è necessario inviarlo di nuovo.{{/if}}',
      ],
    },
    blocked: {
      subject: 'Bloccato{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{#if toSender}}Il Suo messaggio${q(' è stato bloccato da una regola di sicurezza e non è stato recapitato a:')}{{else}}Un messaggio di {{sender}}${q(' è stato bloccato da una regola di sicurezza e non è stato recapitato a:')}{{/if}}`, { list: 'recipients' }, { detail: 'reply', label: 'Dettagli:' }],
    },
    'read-receipt': {
      subject: 'Letto{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{reader}} ha letto il Suo messaggio sicuro${q('{{#if readAt}} il {{readAt}}{{/if}}.')}`],
    },
    expired: {
      subject: 'Scaduto senza essere letto{{#if subject}}: {{subject}}{{/if}}',
      body: [`Il Suo messaggio sicuro${q(' è scaduto prima di essere letto da:')}`, { list: 'recipients' }, 'È stato eliminato. Lo invii di nuovo se è ancora necessario.'],
    },
    'decrypt-failed': {
      subject: 'Impossibile decifrare{{#if subject}}: {{subject}}{{/if}}',
      body: [`Il gateway di posta del destinatario non è riuscito a decifrare il Suo messaggio cifrato${q('.')}`, { detail: 'reason', label: 'Motivo:' }, 'Lo cifri con il certificato o la chiave attuale del destinatario e lo invii di nuovo.'],
    },
    'portal-sent': {
      subject: 'Inviato in modo sicuro{{#if subject}}: {{subject}}{{/if}}',
      body: [`Il Suo messaggio${q(' è stato recapitato in modo sicuro a {{recipient}} tramite il portale.')}`, '{{#if expires}}È consultabile fino al {{expires}}.{{/if}}', { link: 'link', label: 'Ritira il messaggio' }, 'Se lo ritira, il destinatario non potrà più leggerlo.'],
    },
    'portal-password-reset': {
      subject: 'Reimposti la password della posta sicura',
      body: ['Qualcuno (si spera Lei) ha chiesto di reimpostare la password del Suo account sul portale di posta sicura.', { link: 'link', label: 'Scegli una nuova password' }, 'Se non è stato Lei a chiederlo, ignori questo messaggio: la password resta invariata.'],
    },
    'pdf-message': {
      subject: '{{subject}}',
      body: [
        '{{sender}} le ha inviato un messaggio riservato. È allegato come PDF cifrato ({{fileName}}) che contiene l’intero messaggio e i suoi allegati.',
        '{{#if toSender}}La password è stata inviata separatamente a {{sender}}. La chieda per telefono o con un altro mezzo, non rispondendo a questa e-mail.{{/if}}',
        '{{#if bySms}}La password è stata inviata via SMS al suo cellulare{{#if smsEnding}} (numero che termina con {{smsEnding}}){{/if}}.{{/if}}',
        '{{#if portal}}Lo apra con la password PDF che ha impostato nel portale di posta sicura.{{/if}}',
        '{{#if agreed}}Lo apra con la password concordata con {{sender}}.{{/if}}',
        'Apra il PDF con qualsiasi lettore PDF; gli allegati si trovano nel pannello degli allegati.',
      ],
    },
    dsn: {
      subject: '{{#if failed}}Messaggio non recapitato{{else}}Messaggio in ritardo (nuovi tentativi in corso){{/if}}',
      body: [
        "Questo è il sistema di posta dell'host {{host}}.",
        '{{#if failed}}Siamo spiacenti di comunicarLe che non è stato possibile recapitare il Suo messaggio a uno o più destinatari. Le intestazioni del messaggio sono allegate qui sotto.{{/if}}',
        '{{#if failed}}Per ulteriore assistenza, contatti il Suo postmaster allegando questo rapporto.{{/if}}',
        { list: 'failed' },
        '{{#if delayed}}Il Suo messaggio non è ancora stato recapitato ai destinatari qui sotto. Il sistema di posta continuerà a provare; non è necessario inviarlo di nuovo.{{/if}}',
        { list: 'delayed' },
      ],
    },
  },
};
