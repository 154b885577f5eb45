import type { LocaleCatalog } from '../template/types.js';

const q = (s: string): string => `{{#if subject}} ("{{subject}}"){{/if}}${s}`;

export const nl: LocaleCatalog = {
  name: 'Nederlands',
  auto: 'Dit is een automatisch bericht van {{organisation}}. Antwoorden op dit bericht worden niet gelezen.',
  linkFallback: 'Werkt de knop niet? Kopieer dan dit adres naar uw browser:',
  types: {
    'portal-message': {
      subject: 'Beveiligd bericht van {{sender}}{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{sender}} heeft u een beveiligd bericht gestuurd${q('.')}`, { link: 'link', label: 'Bericht lezen' }, '{{#if expires}}Het bericht is te lezen tot {{expires}}.{{/if}}'],
    },
    'portal-reminder': {
      subject: 'Herinnering: ongelezen beveiligd bericht van {{sender}}{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{sender}} heeft u een beveiligd bericht gestuurd${q(' dat u nog niet hebt gelezen.')}`, { link: 'link', label: 'Bericht lezen' }, '{{#if expires}}Het wordt op {{expires}} verwijderd.{{/if}}'],
    },
    'pdf-password': {
      subject: 'Wachtwoord voor uw versleutelde bericht{{#if subject}}: {{subject}}{{/if}}',
      body: [`Uw bericht${q(' is als met een wachtwoord beveiligde pdf afgeleverd bij:')}`, { list: 'recipients' }, 'Geef de ontvangers dit wachtwoord via een ander kanaal, bijvoorbeeld telefonisch of per sms, nooit per e-mail:', { password: true }],
    },
    'encryption-failed': {
      subject: `Niet afgeleverd: uw bericht kon niet beveiligd worden verzonden${q('')}`,
      body: [
        `Uw bericht${q(' kon niet beveiligd worden afgeleverd bij:')}`,
        { list: 'recipients' },
        'Voor deze ontvangers was{{#if waited}} binnen {{waited}}{{/if}} geen versleutelingsmethode beschikbaar, daarom is het bericht niet verzonden. Niemand heeft het onversleuteld ontvangen.',
        { detail: 'reason', label: 'Reden:' },
        'Wat u kunt doen: vraag de ontvanger om een S/MIME-certificaat of een OpenPGP-sleutel, of vraag uw beheerder naar een andere bezorgmethode.',
      ],
    },
    quarantined: {
      subject: 'Vastgehouden voor controle{{#if subject}}: {{subject}}{{/if}}',
      body: [
        `{{#if toSender}}Uw bericht${q(' wordt vastgehouden voor controle en is nog niet afgeleverd bij:')}{{else}}Een bericht van {{sender}}${q(' wordt vastgehouden voor controle en is nog niet afgeleverd bij:')}{{/if}}`,
        { list: 'recipients' },
        { detail: 'reason', label: 'Reden:' },
        { list: 'rules', heading: 'Toegepaste regels:' },
        { detail: 'id', label: 'Referentie:' },
        '{{#if toSender}}Een beheerder beoordeelt het. U hoeft het niet opnieuw te verzenden.{{/if}}',
      ],
    },
    blocked: {
      subject: 'Geblokkeerd{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{#if toSender}}Uw bericht${q(' is door een beveiligingsbeleid geblokkeerd en niet afgeleverd bij:')}{{else}}Een bericht van {{sender}}${q(' is door een beveiligingsbeleid geblokkeerd en niet afgeleverd bij:')}{{/if}}`, { list: 'recipients' }, { detail: 'reply', label: 'Details:' }],
    },
    'read-receipt': {
      subject: 'Gelezen{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{reader}} heeft uw beveiligde bericht${q('{{#if readAt}} op {{readAt}}{{/if}} gelezen.')}`],
    },
    expired: {
      subject: 'Ongelezen verlopen{{#if subject}}: {{subject}}{{/if}}',
      body: [`Uw beveiligde bericht${q(' is verlopen voordat het werd gelezen door:')}`, { list: 'recipients' }, 'Het is verwijderd. Verstuur het opnieuw als het nog nodig is.'],
    },
    'decrypt-failed': {
      subject: 'Kon niet worden ontsleuteld{{#if subject}}: {{subject}}{{/if}}',
      body: [`Uw versleutelde bericht${q(' kon niet worden ontsleuteld door de mailgateway van de ontvanger.')}`, { detail: 'reason', label: 'Reden:' }, 'Versleutel het met het huidige certificaat of de huidige sleutel van de ontvanger en verstuur het opnieuw.'],
    },
    'portal-sent': {
      subject: 'Beveiligd verzonden{{#if subject}}: {{subject}}{{/if}}',
      body: [`Uw bericht${q(' is via het portaal beveiligd afgeleverd bij {{recipient}}.')}`, '{{#if expires}}Het is te lezen tot {{expires}}.{{/if}}', { link: 'link', label: 'Bericht intrekken' }, 'Als u het intrekt, kan de ontvanger het niet meer lezen.'],
    },
    'portal-password-reset': {
      subject: 'Stel het wachtwoord van uw beveiligde e-mail opnieuw in',
      body: ['Iemand (hopelijk u) heeft gevraagd het wachtwoord van uw account op het portaal voor beveiligde e-mail opnieuw in te stellen.', { link: 'link', label: 'Nieuw wachtwoord kiezen' }, 'Hebt u dit niet gevraagd? Negeer dan dit bericht: uw wachtwoord blijft ongewijzigd.'],
    },
    'pdf-message': {
      subject: '{{subject}}',
      body: [
        '{{sender}} heeft u een vertrouwelijk bericht gestuurd. Het is bijgevoegd als versleutelde pdf ({{fileName}}) met het hele bericht en de bijlagen.',
        '{{#if toSender}}Het wachtwoord is apart naar {{sender}} gestuurd. Vraag er telefonisch of via een ander kanaal om, niet door op deze e-mail te antwoorden.{{/if}}',
        '{{#if bySms}}Het wachtwoord is per sms naar uw mobiele telefoon gestuurd{{#if smsEnding}} (nummer eindigend op {{smsEnding}}){{/if}}.{{/if}}',
        '{{#if portal}}Open het met het pdf-wachtwoord dat u in het portaal voor beveiligde e-mail hebt ingesteld.{{/if}}',
        '{{#if agreed}}Open het met het wachtwoord dat u met {{sender}} hebt afgesproken.{{/if}}',
        'Open de pdf met een willekeurige pdf-lezer; de bijlagen staan in het bijlagenpaneel.',
      ],
    },
    dsn: {
      subject: '{{#if failed}}Onbestelbaar bericht{{else}}Vertraagd bericht (wordt opnieuw geprobeerd){{/if}}',
      body: [
        'Dit is het mailsysteem op host {{host}}.',
        '{{#if failed}}Helaas kon uw bericht niet worden afgeleverd bij een of meer ontvangers. De headers ervan zijn hieronder bijgevoegd.{{/if}}',
        '{{#if failed}}Neem voor verdere hulp contact op met uw postmaster en voeg dit rapport bij.{{/if}}',
        { list: 'failed' },
        '{{#if delayed}}Uw bericht kon nog niet worden afgeleverd bij de onderstaande ontvangers. Het mailsysteem blijft het proberen; u hoeft het niet opnieuw te verzenden.{{/if}}',
        { list: 'delayed' },
      ],
    },
  },
};
