import type { LocaleCatalog } from '../template/types.js';

const q = (s: string): string => `{{#if subject}} («{{subject}}»){{/if}}${s}`;

export const es: LocaleCatalog = {
  name: 'Español',
  auto: 'Este es un mensaje automático de {{organisation}}. Las respuestas a este mensaje no se leen.',
  linkFallback: 'Si el botón no funciona, copie esta dirección en su navegador:',
  types: {
    'portal-message': {
      subject: 'Mensaje seguro de {{sender}}{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{sender}} le ha enviado un mensaje seguro${q('.')}`, { link: 'link', label: 'Leer el mensaje' }, '{{#if expires}}El mensaje se puede leer hasta el {{expires}}.{{/if}}'],
    },
    'portal-reminder': {
      subject: 'Recordatorio: mensaje seguro sin leer de {{sender}}{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{sender}} le ha enviado un mensaje seguro${q(' que todavía no ha leído.')}`, { link: 'link', label: 'Leer el mensaje' }, '{{#if expires}}Se eliminará el {{expires}}.{{/if}}'],
    },
    'pdf-password': {
      subject: 'Contraseña de su mensaje cifrado{{#if subject}}: {{subject}}{{/if}}',
      body: [`Su mensaje${q(' se ha entregado como PDF protegido con contraseña a:')}`, { list: 'recipients' }, 'Comuníqueles esta contraseña por otro medio, como una llamada o un SMS, nunca por correo electrónico:', { password: true }],
    },
    'encryption-failed': {
      subject: `No entregado: su mensaje no se pudo enviar de forma segura${q('')}`,
      body: [
        `Su mensaje${q(' no se pudo entregar de forma segura a:')}`,
        { list: 'recipients' },
        'No había ningún método de cifrado disponible para estos destinatarios{{#if waited}} en {{waited}}{{/if}}, así que el mensaje no se envió. Nadie lo recibió sin cifrar.',
        { detail: 'reason', label: 'Motivo:' },
        'Qué puede hacer: pida al destinatario un certificado S/MIME o una clave OpenPGP, o consulte a su administrador sobre otro método de entrega.',
      ],
    },
    quarantined: {
      subject: 'Retenido para revisión{{#if subject}}: {{subject}}{{/if}}',
      body: [
        `{{#if toSender}}Su mensaje${q(' ha quedado retenido para revisión y todavía no se ha entregado a:')}{{else}}Un mensaje de {{sender}}${q(' ha quedado retenido para revisión y todavía no se ha entregado a:')}{{/if}}`,
        { list: 'recipients' },
        { detail: 'reason', label: 'Motivo:' },
        { list: 'rules', heading: 'Reglas aplicadas:' },
        { detail: 'id', label: 'Referencia:' },
        '{{#if toSender}}Un administrador lo revisará. No es necesario que lo vuelva a enviar.{{/if}}',
      ],
    },
    blocked: {
      subject: 'Bloqueado{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{#if toSender}}Su mensaje${q(' fue bloqueado por una política de seguridad y no se entregó a:')}{{else}}Un mensaje de {{sender}}${q(' fue bloqueado por una política de seguridad y no se entregó a:')}{{/if}}`, { list: 'recipients' }, { detail: 'reply', label: 'Detalles:' }],
    },
    'read-receipt': {
      subject: 'Leído{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{reader}} ha leído su mensaje seguro${q('{{#if readAt}} el {{readAt}}{{/if}}.')}`],
    },
    expired: {
      subject: 'Caducado sin leer{{#if subject}}: {{subject}}{{/if}}',
      body: [`Su mensaje seguro${q(' caducó sin que lo leyeran estos destinatarios:')}`, { list: 'recipients' }, 'Se ha eliminado. Vuelva a enviarlo si todavía es necesario.'],
    },
    'decrypt-failed': {
      subject: 'No se pudo descifrar{{#if subject}}: {{subject}}{{/if}}',
      body: [`La pasarela de correo del destinatario no pudo descifrar su mensaje cifrado${q('.')}`, { detail: 'reason', label: 'Motivo:' }, 'Cífrelo con el certificado o la clave actual del destinatario y vuelva a enviarlo.'],
    },
    'portal-sent': {
      subject: 'Enviado de forma segura{{#if subject}}: {{subject}}{{/if}}',
      body: [`Su mensaje${q(' se entregó de forma segura a {{recipient}} a través del portal.')}`, '{{#if expires}}Se puede leer hasta el {{expires}}.{{/if}}', { link: 'link', label: 'Retirar el mensaje' }, 'Si lo retira, el destinatario ya no podrá leerlo.'],
    },
    'portal-password-reset': {
      subject: 'Restablezca la contraseña de su correo seguro',
      body: ['Alguien (esperamos que usted) ha solicitado restablecer la contraseña de su cuenta del portal de correo seguro.', { link: 'link', label: 'Elegir una nueva contraseña' }, 'Si no lo ha solicitado usted, ignore este mensaje: su contraseña no cambiará.'],
    },
    'pdf-message': {
      subject: '{{subject}}',
      body: [
        '{{sender}} le ha enviado un mensaje confidencial. Se adjunta como un PDF cifrado ({{fileName}}) que contiene el mensaje completo y sus adjuntos.',
        '{{#if toSender}}La contraseña se envió por separado a {{sender}}. Pídasela por teléfono o por otro medio, no respondiendo a este correo.{{/if}}',
        '{{#if bySms}}La contraseña se envió por SMS a su teléfono móvil{{#if smsEnding}} (número terminado en {{smsEnding}}){{/if}}.{{/if}}',
        '{{#if portal}}Ábralo con la contraseña de PDF que estableció en el portal de correo seguro.{{/if}}',
        '{{#if agreed}}Ábralo con la contraseña que acordó con {{sender}}.{{/if}}',
        'Abra el PDF con cualquier lector de PDF; los adjuntos están en su panel de archivos adjuntos.',
      ],
    },
    dsn: {
      subject: '{{#if failed}}Mensaje no entregado{{else}}Mensaje retrasado (se sigue intentando){{/if}}',
      body: [
        'Este es el sistema de correo del host {{host}}.',
        '{{#if failed}}Lamentamos informarle de que su mensaje no se pudo entregar a uno o más destinatarios. Sus encabezados se adjuntan a continuación.{{/if}}',
        '{{#if failed}}Si necesita ayuda, póngase en contacto con su postmaster e incluya este informe.{{/if}}',
        { list: 'failed' },
        '{{#if delayed}}Su mensaje todavía no se ha podido entregar a los destinatarios siguientes. El sistema de correo seguirá intentándolo; no es necesario que lo vuelva a enviar.{{/if}}',
        { list: 'delayed' },
      ],
    },
  },
};
