import type { LocaleCatalog } from '../template/types.js';

const q = (s: string): string => `{{#if subject}} (« {{subject}} »){{/if}}${s}`;

export const fr: LocaleCatalog = {
  name: 'Français',
  auto: 'Ceci est un message automatique de {{organisation}}. Les réponses à ce message ne sont pas lues.',
  linkFallback: 'Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur :',
  types: {
    'portal-message': {
      subject: 'Message sécurisé de {{sender}}{{#if subject}} : {{subject}}{{/if}}',
      body: [`{{sender}} vous a envoyé un message sécurisé${q('.')}`, { link: 'link', label: 'Lire le message' }, "{{#if expires}}Le message peut être consulté jusqu'au {{expires}}.{{/if}}"],
    },
    'portal-reminder': {
      subject: 'Rappel : message sécurisé non lu de {{sender}}{{#if subject}} : {{subject}}{{/if}}',
      body: [`{{sender}} vous a envoyé un message sécurisé${q(" que vous n'avez pas encore lu.")}`, { link: 'link', label: 'Lire le message' }, '{{#if expires}}Il sera supprimé le {{expires}}.{{/if}}'],
    },
    'pdf-password': {
      subject: 'Mot de passe de votre message chiffré{{#if subject}} : {{subject}}{{/if}}',
      body: [`Votre message${q(' a été remis sous forme de PDF protégé par mot de passe à :')}`, { list: 'recipients' }, "Communiquez-leur ce mot de passe par un autre moyen, par exemple par téléphone ou par SMS, jamais par e-mail :", { password: true }],
    },
    'encryption-failed': {
      subject: `Non distribué : votre message n'a pas pu être envoyé de façon sécurisée${q('')}`,
      body: [
        `Votre message${q(" n'a pas pu être remis de façon sécurisée à :")}`,
        { list: 'recipients' },
        "Aucune méthode de chiffrement n'était disponible pour ces destinataires{{#if waited}} en {{waited}}{{/if}} ; le message n'a donc pas été envoyé. Personne ne l'a reçu en clair.",
        { detail: 'reason', label: 'Raison :' },
        "Que faire : demandez au destinataire un certificat S/MIME ou une clé OpenPGP, ou renseignez-vous auprès de votre administrateur sur un autre mode de remise.",
      ],
    },
    quarantined: {
      subject: 'Retenu pour vérification{{#if subject}} : {{subject}}{{/if}}',
      body: [
        `{{#if toSender}}Votre message${q(" a été retenu pour vérification et n'a pas encore été remis à :")}{{else}}Un message de {{sender}}${q(" a été retenu pour vérification et n'a pas encore été remis à :")}{{/if}}`,
        { list: 'recipients' },
        { detail: 'reason', label: 'Raison :' },
        { list: 'rules', heading: 'Règles appliquées :' },
        { detail: 'id', label: 'Référence :' },
        "{{#if toSender}}Un administrateur va l'examiner. Inutile de le renvoyer.{{/if}}",
      ],
    },
    blocked: {
      subject: 'Bloqué{{#if subject}} : {{subject}}{{/if}}',
      body: [`{{#if toSender}}Votre message${q(" a été bloqué par une règle de sécurité et n'a pas été remis à :")}{{else}}Un message de {{sender}}${q(" a été bloqué par une règle de sécurité et n'a pas été remis à :")}{{/if}}`, { list: 'recipients' }, { detail: 'reply', label: 'Détails :' }],
    },
    'read-receipt': {
      subject: 'Lu{{#if subject}} : {{subject}}{{/if}}',
      body: [`{{reader}} a lu votre message sécurisé${q('{{#if readAt}} le {{readAt}}{{/if}}.')}`],
    },
    expired: {
      subject: 'Expiré sans avoir été lu{{#if subject}} : {{subject}}{{/if}}',
      body: [`Votre message sécurisé${q(" a expiré avant d'être lu par :")}`, { list: 'recipients' }, "Il a été supprimé. Renvoyez-le s'il est toujours nécessaire."],
    },
    'decrypt-failed': {
      subject: 'Déchiffrement impossible{{#if subject}} : {{subject}}{{/if}}',
      body: [`Votre message chiffré${q(" n'a pas pu être déchiffré par la passerelle de messagerie du destinataire.")}`, { detail: 'reason', label: 'Raison :' }, 'Chiffrez-le avec le certificat ou la clé actuels du destinataire, puis renvoyez-le.'],
    },
    'portal-sent': {
      subject: 'Envoyé de façon sécurisée{{#if subject}} : {{subject}}{{/if}}',
      body: [`Votre message${q(' a été remis de façon sécurisée à {{recipient}} via le portail.')}`, "{{#if expires}}Il peut être consulté jusqu'au {{expires}}.{{/if}}", { link: 'link', label: 'Retirer le message' }, 'Si vous le retirez, le destinataire ne pourra plus le lire.'],
    },
    'portal-password-reset': {
      subject: 'Réinitialisez le mot de passe de votre messagerie sécurisée',
      body: ["Quelqu'un (vous, espérons-le) a demandé la réinitialisation du mot de passe de votre compte sur le portail de messagerie sécurisée.", { link: 'link', label: 'Choisir un nouveau mot de passe' }, "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé."],
    },
    'pdf-message': {
      subject: '{{subject}}',
      body: [
        '{{sender}} vous a envoyé un message confidentiel. Il est joint sous forme de PDF chiffré ({{fileName}}) qui contient tout le message et ses pièces jointes.',
        '{{#if toSender}}Le mot de passe a été envoyé séparément à {{sender}}. Demandez-le-lui par téléphone ou par un autre moyen, pas en répondant à cet e-mail.{{/if}}',
        '{{#if bySms}}Le mot de passe a été envoyé par SMS sur votre téléphone mobile{{#if smsEnding}} (numéro se terminant par {{smsEnding}}){{/if}}.{{/if}}',
        '{{#if portal}}Ouvrez-le avec le mot de passe PDF que vous avez défini dans le portail de messagerie sécurisée.{{/if}}',
        '{{#if agreed}}Ouvrez-le avec le mot de passe convenu avec {{sender}}.{{/if}}',
        'Ouvrez le PDF avec n’importe quel lecteur PDF ; les pièces jointes se trouvent dans son panneau des pièces jointes.',
      ],
    },
    dsn: {
      subject: '{{#if failed}}Message non distribué{{else}}Message retardé (nouvelles tentatives en cours){{/if}}',
      body: [
        "Ceci est le système de messagerie de l'hôte {{host}}.",
        "{{#if failed}}Nous sommes au regret de vous informer que votre message n'a pas pu être remis à un ou plusieurs destinataires. Ses en-têtes sont joints ci-dessous.{{/if}}",
        "{{#if failed}}Pour obtenir de l'aide, contactez votre postmaster en joignant ce rapport.{{/if}}",
        { list: 'failed' },
        "{{#if delayed}}Votre message n'a pas encore pu être remis aux destinataires ci-dessous. Le système de messagerie continue d'essayer ; inutile de le renvoyer.{{/if}}",
        { list: 'delayed' },
      ],
    },
  },
};
