import type { LocaleCatalog } from '../template/types.js';

const q = (s: string): string => `{{#if subject}}（“{{subject}}”）{{/if}}${s}`;

/** Simplified Chinese (zh, zh-CN, zh-Hans; zh-TW gets it too until a Traditional set exists). */
export const zh: LocaleCatalog = {
  name: '中文（简体）',
  auto: '这是来自 {{organisation}} 的自动邮件，回复此邮件不会有人阅读。',
  linkFallback: '如果按钮无法使用，请将以下地址复制到浏览器中：',
  types: {
    'portal-message': {
      subject: '来自 {{sender}} 的加密邮件{{#if subject}}：{{subject}}{{/if}}',
      body: [`{{sender}} 给您发送了一封加密邮件${q('。')}`, { link: 'link', label: '阅读邮件' }, '{{#if expires}}该邮件可阅读至 {{expires}}。{{/if}}'],
    },
    'portal-reminder': {
      subject: '提醒：来自 {{sender}} 的加密邮件尚未阅读{{#if subject}}：{{subject}}{{/if}}',
      body: [`您尚未阅读 {{sender}} 发送给您的加密邮件${q('。')}`, { link: 'link', label: '阅读邮件' }, '{{#if expires}}该邮件将于 {{expires}} 被删除。{{/if}}'],
    },
    'pdf-password': {
      subject: '您的加密邮件的密码{{#if subject}}：{{subject}}{{/if}}',
      body: [`您的邮件${q('已以受密码保护的 PDF 形式发送给：')}`, { list: 'recipients' }, '请通过电话或短信等其他方式（切勿通过电子邮件）将此密码告知收件人：', { password: true }],
    },
    'encryption-failed': {
      subject: `未送达：您的邮件无法安全发送${q('')}`,
      body: [
        `您的邮件${q('无法安全送达以下收件人：')}`,
        { list: 'recipients' },
        '{{#if waited}}在 {{waited}}内，{{/if}}没有可用于这些收件人的加密方式，因此邮件未被发送。没有任何人收到未加密的邮件。',
        { detail: 'reason', label: '原因：' },
        '您可以：向收件人索取 S/MIME 证书或 OpenPGP 密钥，或向管理员咨询其他投递方式。',
      ],
    },
    quarantined: {
      subject: '已暂扣待审核{{#if subject}}：{{subject}}{{/if}}',
      body: [
        `{{#if toSender}}您的邮件${q('已被暂扣待审核，尚未送达以下收件人：')}{{else}}来自 {{sender}} 的邮件${q('已被暂扣待审核，尚未送达以下收件人：')}{{/if}}`,
        { list: 'recipients' },
        { detail: 'reason', label: '原因：' },
        { list: 'rules', heading: '触发的规则：' },
        { detail: 'id', label: '参考编号：' },
        '{{#if toSender}}管理员将进行审核，您无需重新发送。{{/if}}',
      ],
    },
    blocked: {
      subject: '已拦截{{#if subject}}：{{subject}}{{/if}}',
      body: [`{{#if toSender}}您的邮件${q('被安全策略拦截，未送达以下收件人：')}{{else}}来自 {{sender}} 的邮件${q('被安全策略拦截，未送达以下收件人：')}{{/if}}`, { list: 'recipients' }, { detail: 'reply', label: '详细信息：' }],
    },
    'read-receipt': {
      subject: '已读{{#if subject}}：{{subject}}{{/if}}',
      body: [`{{reader}} 已阅读您的加密邮件${q('{{#if readAt}}，阅读时间：{{readAt}}{{/if}}。')}`],
    },
    expired: {
      subject: '未读已过期{{#if subject}}：{{subject}}{{/if}}',
      body: [`您的加密邮件${q('在以下收件人阅读之前已过期：')}`, { list: 'recipients' }, '该邮件已被删除。如仍需要，请重新发送。'],
    },
    'decrypt-failed': {
      subject: '无法解密{{#if subject}}：{{subject}}{{/if}}',
      body: [`收件人的邮件网关无法解密您的加密邮件${q('。')}`, { detail: 'reason', label: '原因：' }, '请使用收件人当前的证书或密钥加密后重新发送。'],
    },
    'portal-sent': {
      subject: '已安全发送{{#if subject}}：{{subject}}{{/if}}',
      body: [`您的邮件${q('已通过门户安全送达 {{recipient}}。')}`, '{{#if expires}}该邮件可阅读至 {{expires}}。{{/if}}', { link: 'link', label: '撤回邮件' }, '撤回后，收件人将无法再阅读该邮件。'],
    },
    'portal-password-reset': {
      subject: '重置您的安全邮件密码',
      body: ['有人（希望是您本人）请求重置您在安全邮件门户的账户密码。', { link: 'link', label: '设置新密码' }, '如果这不是您本人的操作，请忽略此邮件，您的密码不会改变。'],
    },
    'pdf-message': {
      subject: '{{subject}}',
      body: [
        '{{sender}} 给您发送了一封机密邮件。整封邮件及其附件已作为加密 PDF ({{fileName}}) 附上。',
        '{{#if toSender}}密码已另行发送给 {{sender}}。请通过电话或其他方式向其索取，不要回复此邮件。{{/if}}',
        '{{#if bySms}}密码已通过短信发送到您的手机{{#if smsEnding}}（尾号 {{smsEnding}}）{{/if}}。{{/if}}',
        '{{#if portal}}请使用您在安全邮件门户中设置的 PDF 密码打开。{{/if}}',
        '{{#if agreed}}请使用您与 {{sender}} 约定的密码打开。{{/if}}',
        '可使用任何 PDF 阅读器打开该 PDF；附件位于其附件面板中。',
      ],
    },
    dsn: {
      subject: '{{#if failed}}邮件无法投递{{else}}邮件投递延迟（正在重试）{{/if}}',
      body: [
        '这是主机 {{host}} 上的邮件系统。',
        '{{#if failed}}很抱歉，您的邮件无法投递给一个或多个收件人。邮件的头部信息附在下方。{{/if}}',
        '{{#if failed}}如需帮助，请联系您的邮件管理员并附上此报告。{{/if}}',
        { list: 'failed' },
        '{{#if delayed}}您的邮件尚未投递给下列收件人。邮件系统会继续尝试，您无需重新发送。{{/if}}',
        { list: 'delayed' },
      ],
    },
  },
};
