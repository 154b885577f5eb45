import type { LocaleCatalog } from '../template/types.js';

const q = (s: string): string => `{{#if subject}} („{{subject}}”){{/if}}${s}`;

// Wording avoids inflecting the variables (addresses and names stay in the nominative).
export const pl: LocaleCatalog = {
  name: 'Polski',
  auto: 'Wiadomość wygenerowana automatycznie ({{organisation}}). Odpowiedzi na nią nie są czytane.',
  linkFallback: 'Jeśli przycisk nie działa, skopiuj ten adres do przeglądarki:',
  types: {
    'portal-message': {
      subject: 'Bezpieczna wiadomość od {{sender}}{{#if subject}}: {{subject}}{{/if}}',
      body: [`Masz nową bezpieczną wiadomość od {{sender}}${q('.')}`, { link: 'link', label: 'Przeczytaj wiadomość' }, '{{#if expires}}Wiadomość można przeczytać do {{expires}}.{{/if}}'],
    },
    'portal-reminder': {
      subject: 'Przypomnienie: nieprzeczytana bezpieczna wiadomość od {{sender}}{{#if subject}}: {{subject}}{{/if}}',
      body: [`Bezpieczna wiadomość od {{sender}}${q(' nie została jeszcze przeczytana.')}`, { link: 'link', label: 'Przeczytaj wiadomość' }, '{{#if expires}}Zostanie usunięta {{expires}}.{{/if}}'],
    },
    'pdf-password': {
      subject: 'Hasło do zaszyfrowanej wiadomości{{#if subject}}: {{subject}}{{/if}}',
      body: [`Twoja wiadomość${q(' została dostarczona jako plik PDF chroniony hasłem do:')}`, { list: 'recipients' }, 'Przekaż odbiorcom to hasło innym kanałem, np. telefonicznie lub SMS-em, nigdy e-mailem:', { password: true }],
    },
    'encryption-failed': {
      subject: `Wiadomość niedostarczona: nie udało się jej bezpiecznie wysłać${q('')}`,
      body: [
        `Nie udało się bezpiecznie dostarczyć Twojej wiadomości${q(' do:')}`,
        { list: 'recipients' },
        'Dla tych odbiorców nie była dostępna żadna metoda szyfrowania{{#if waited}} (czas oczekiwania: {{waited}}){{/if}}, dlatego wiadomość nie została wysłana. Nikt nie otrzymał jej w postaci niezaszyfrowanej.',
        { detail: 'reason', label: 'Powód:' },
        'Co możesz zrobić: poproś odbiorcę o certyfikat S/MIME lub klucz OpenPGP albo zapytaj administratora o inną metodę doręczenia.',
      ],
    },
    quarantined: {
      subject: 'Wstrzymana do weryfikacji{{#if subject}}: {{subject}}{{/if}}',
      body: [
        `{{#if toSender}}Twoja wiadomość${q(' została wstrzymana do weryfikacji i nie została jeszcze dostarczona do:')}{{else}}Wiadomość od {{sender}}${q(' została wstrzymana do weryfikacji i nie została jeszcze dostarczona do:')}{{/if}}`,
        { list: 'recipients' },
        { detail: 'reason', label: 'Powód:' },
        { list: 'rules', heading: 'Zastosowane reguły:' },
        { detail: 'id', label: 'Numer referencyjny:' },
        '{{#if toSender}}Administrator ją sprawdzi. Nie musisz wysyłać jej ponownie.{{/if}}',
      ],
    },
    blocked: {
      subject: 'Zablokowana{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{#if toSender}}Twoja wiadomość${q(' została zablokowana przez zasady bezpieczeństwa i nie została dostarczona do:')}{{else}}Wiadomość od {{sender}}${q(' została zablokowana przez zasady bezpieczeństwa i nie została dostarczona do:')}{{/if}}`, { list: 'recipients' }, { detail: 'reply', label: 'Szczegóły:' }],
    },
    'read-receipt': {
      subject: 'Przeczytana{{#if subject}}: {{subject}}{{/if}}',
      body: [`Twoja bezpieczna wiadomość${q(' została przeczytana przez {{reader}}{{#if readAt}} ({{readAt}}){{/if}}.')}`],
    },
    expired: {
      subject: 'Wygasła bez odczytania{{#if subject}}: {{subject}}{{/if}}',
      body: [`Twoja bezpieczna wiadomość${q(' wygasła, zanim została przeczytana przez:')}`, { list: 'recipients' }, 'Została usunięta. Jeśli jest nadal potrzebna, wyślij ją ponownie.'],
    },
    'decrypt-failed': {
      subject: 'Nie można odszyfrować{{#if subject}}: {{subject}}{{/if}}',
      body: [`Bramka pocztowa odbiorcy nie mogła odszyfrować Twojej zaszyfrowanej wiadomości${q('.')}`, { detail: 'reason', label: 'Powód:' }, 'Zaszyfruj ją aktualnym certyfikatem lub kluczem odbiorcy i wyślij ponownie.'],
    },
    'portal-sent': {
      subject: 'Wysłano bezpiecznie{{#if subject}}: {{subject}}{{/if}}',
      body: [`Twoja wiadomość${q(' została bezpiecznie dostarczona przez portal do: {{recipient}}.')}`, '{{#if expires}}Można ją przeczytać do {{expires}}.{{/if}}', { link: 'link', label: 'Wycofaj wiadomość' }, 'Po wycofaniu odbiorca nie będzie mógł jej już przeczytać.'],
    },
    'portal-password-reset': {
      subject: 'Zresetuj hasło do bezpiecznej poczty',
      body: ['Ktoś (miejmy nadzieję, że Ty) poprosił o zresetowanie hasła do Twojego konta w portalu bezpiecznej poczty.', { link: 'link', label: 'Ustaw nowe hasło' }, 'Jeśli to nie Ty, zignoruj tę wiadomość: Twoje hasło pozostanie bez zmian.'],
    },
    'pdf-message': {
      subject: '{{subject}}',
      body: [
        '{{sender}} wysłał(a) Ci poufną wiadomość. Jest dołączona jako zaszyfrowany plik PDF ({{fileName}}) zawierający całą wiadomość i jej załączniki.',
        '{{#if toSender}}Hasło zostało wysłane osobno do {{sender}}. Poproś o nie telefonicznie lub innym kanałem, nie odpowiadając na tę wiadomość.{{/if}}',
        '{{#if bySms}}Hasło zostało wysłane SMS-em na Twój telefon komórkowy{{#if smsEnding}} (numer kończący się na {{smsEnding}}){{/if}}.{{/if}}',
        '{{#if portal}}Otwórz go hasłem do plików PDF ustawionym w portalu bezpiecznej poczty.{{/if}}',
        '{{#if agreed}}Otwórz go hasłem uzgodnionym z {{sender}}.{{/if}}',
        'Otwórz plik PDF w dowolnym czytniku PDF; załączniki znajdziesz w panelu załączników.',
      ],
    },
    dsn: {
      subject: '{{#if failed}}Wiadomość niedostarczona{{else}}Wiadomość opóźniona (trwają kolejne próby){{/if}}',
      body: [
        'Tu system pocztowy serwera {{host}}.',
        '{{#if failed}}Z przykrością informujemy, że Twojej wiadomości nie udało się dostarczyć do co najmniej jednego odbiorcy. Jej nagłówki są załączone poniżej.{{/if}}',
        '{{#if failed}}Aby uzyskać pomoc, skontaktuj się z administratorem poczty i dołącz ten raport.{{/if}}',
        { list: 'failed' },
        '{{#if delayed}}Twoja wiadomość nie została jeszcze dostarczona do poniższych odbiorców. System pocztowy będzie ponawiał próby; nie musisz wysyłać jej ponownie.{{/if}}',
        { list: 'delayed' },
      ],
    },
  },
};
