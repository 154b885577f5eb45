import type { LocaleCatalog } from '../template/types.js';

const q = (s: string): string => `{{#if subject}} (“{{subject}}”){{/if}}${s}`;

export const pt: LocaleCatalog = {
  name: 'Português',
  auto: 'Esta é uma mensagem automática de {{organisation}}. As respostas a ela não são lidas.',
  linkFallback: 'Se o botão não funcionar, copie este endereço para o seu navegador:',
  types: {
    'portal-message': {
      subject: 'Mensagem segura de {{sender}}{{#if subject}}: {{subject}}{{/if}}',
      body: [`Recebeu uma mensagem segura de {{sender}}${q('.')}`, { link: 'link', label: 'Ler a mensagem' }, '{{#if expires}}A mensagem pode ser lida até {{expires}}.{{/if}}'],
    },
    'portal-reminder': {
      subject: 'Lembrete: mensagem segura não lida de {{sender}}{{#if subject}}: {{subject}}{{/if}}',
      body: [`Ainda não leu a mensagem segura${q(' enviada por {{sender}}.')}`, { link: 'link', label: 'Ler a mensagem' }, '{{#if expires}}Ela será excluída em {{expires}}.{{/if}}'],
    },
    'pdf-password': {
      subject: 'Senha da sua mensagem criptografada{{#if subject}}: {{subject}}{{/if}}',
      body: [`A sua mensagem${q(' foi entregue como PDF protegido por senha a:')}`, { list: 'recipients' }, 'Informe esta senha aos destinatários por outro meio, como telefone ou SMS, nunca por e-mail:', { password: true }],
    },
    'encryption-failed': {
      subject: `Não entregue: não foi possível enviar a sua mensagem de forma segura${q('')}`,
      body: [
        `Não foi possível entregar a sua mensagem${q(' de forma segura a:')}`,
        { list: 'recipients' },
        'Nenhum método de criptografia estava disponível para estes destinatários{{#if waited}} em {{waited}}{{/if}}, por isso a mensagem não foi enviada. Ninguém a recebeu sem criptografia.',
        { detail: 'reason', label: 'Motivo:' },
        'O que pode fazer: peça ao destinatário um certificado S/MIME ou uma chave OpenPGP, ou consulte o seu administrador sobre outro método de entrega.',
      ],
    },
    quarantined: {
      subject: 'Retida para análise{{#if subject}}: {{subject}}{{/if}}',
      body: [
        `{{#if toSender}}A sua mensagem${q(' foi retida para análise e ainda não foi entregue a:')}{{else}}Uma mensagem de {{sender}}${q(' foi retida para análise e ainda não foi entregue a:')}{{/if}}`,
        { list: 'recipients' },
        { detail: 'reason', label: 'Motivo:' },
        { list: 'rules', heading: 'Regras aplicadas:' },
        { detail: 'id', label: 'Referência:' },
        '{{#if toSender}}Um administrador irá analisá-la. Não é necessário enviá-la novamente.{{/if}}',
      ],
    },
    blocked: {
      subject: 'Bloqueada{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{#if toSender}}A sua mensagem${q(' foi bloqueada por uma política de segurança e não foi entregue a:')}{{else}}Uma mensagem de {{sender}}${q(' foi bloqueada por uma política de segurança e não foi entregue a:')}{{/if}}`, { list: 'recipients' }, { detail: 'reply', label: 'Detalhes:' }],
    },
    'read-receipt': {
      subject: 'Lida{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{reader}} leu a sua mensagem segura${q('{{#if readAt}} em {{readAt}}{{/if}}.')}`],
    },
    expired: {
      subject: 'Expirada sem ser lida{{#if subject}}: {{subject}}{{/if}}',
      body: [`A sua mensagem segura${q(' expirou antes de ser lida por:')}`, { list: 'recipients' }, 'Ela foi excluída. Envie-a novamente se ainda for necessária.'],
    },
    'decrypt-failed': {
      subject: 'Não foi possível descriptografar{{#if subject}}: {{subject}}{{/if}}',
      body: [`A sua mensagem criptografada${q(' não pôde ser descriptografada pelo gateway de e-mail do destinatário.')}`, { detail: 'reason', label: 'Motivo:' }, 'Criptografe-a com o certificado ou a chave atual do destinatário e envie-a novamente.'],
    },
    'portal-sent': {
      subject: 'Enviada com segurança{{#if subject}}: {{subject}}{{/if}}',
      body: [`A sua mensagem${q(' foi entregue com segurança a {{recipient}} através do portal.')}`, '{{#if expires}}Ela pode ser lida até {{expires}}.{{/if}}', { link: 'link', label: 'Retirar a mensagem' }, 'Se a retirar, o destinatário deixará de poder lê-la.'],
    },
    'portal-password-reset': {
      subject: 'Redefina a senha do seu e-mail seguro',
      body: ['Alguém (esperamos que você) pediu para redefinir a senha da sua conta no portal de e-mail seguro.', { link: 'link', label: 'Escolher uma nova senha' }, 'Se não fez este pedido, ignore esta mensagem: a sua senha continua a mesma.'],
    },
    'pdf-message': {
      subject: '{{subject}}',
      body: [
        '{{sender}} enviou-lhe uma mensagem confidencial. Ela está anexada como um PDF cifrado ({{fileName}}) que contém toda a mensagem e os seus anexos.',
        '{{#if toSender}}A palavra-passe foi enviada separadamente para {{sender}}. Peça-a por telefone ou por outro meio, não respondendo a este e-mail.{{/if}}',
        '{{#if bySms}}A palavra-passe foi enviada por SMS para o seu telemóvel{{#if smsEnding}} (número terminado em {{smsEnding}}){{/if}}.{{/if}}',
        '{{#if portal}}Abra-o com a palavra-passe de PDF que definiu no portal de correio seguro.{{/if}}',
        '{{#if agreed}}Abra-o com a palavra-passe combinada com {{sender}}.{{/if}}',
        'Abra o PDF com qualquer leitor de PDF; os anexos estão no painel de anexos.',
      ],
    },
    dsn: {
      subject: '{{#if failed}}Mensagem não entregue{{else}}Mensagem atrasada (novas tentativas em curso){{/if}}',
      body: [
        'Este é o sistema de correio do host {{host}}.',
        '{{#if failed}}Lamentamos informar que não foi possível entregar a sua mensagem a um ou mais destinatários. Os cabeçalhos dela seguem em anexo.{{/if}}',
        '{{#if failed}}Para obter ajuda, contacte o seu postmaster e inclua este relatório.{{/if}}',
        { list: 'failed' },
        '{{#if delayed}}Ainda não foi possível entregar a sua mensagem aos destinatários abaixo. O sistema de correio continuará a tentar; não é necessário enviá-la novamente.{{/if}}',
        { list: 'delayed' },
      ],
    },
  },
};
