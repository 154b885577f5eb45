import type { LocaleCatalog } from '../template/types.js';

const q = (s: string): string => `{{#if subject}}「{{subject}}」{{/if}}${s}`;

export const ja: LocaleCatalog = {
  name: '日本語',
  auto: 'このメールは {{organisation}} から自動送信されています。返信いただいても確認できません。',
  linkFallback: 'ボタンが機能しない場合は、次のアドレスをブラウザーにコピーしてください：',
  types: {
    'portal-message': {
      subject: '{{sender}} からの暗号化メッセージ{{#if subject}}：{{subject}}{{/if}}',
      body: [`{{sender}} から暗号化メッセージ${q('が届いています。')}`, { link: 'link', label: 'メッセージを読む' }, '{{#if expires}}このメッセージは {{expires}} まで閲覧できます。{{/if}}'],
    },
    'portal-reminder': {
      subject: 'リマインダー：{{sender}} からの未読の暗号化メッセージ{{#if subject}}：{{subject}}{{/if}}',
      body: [`{{sender}} から届いた暗号化メッセージ${q('がまだ読まれていません。')}`, { link: 'link', label: 'メッセージを読む' }, '{{#if expires}}このメッセージは {{expires}} に削除されます。{{/if}}'],
    },
    'pdf-password': {
      subject: '暗号化メッセージのパスワード{{#if subject}}：{{subject}}{{/if}}',
      body: [`あなたのメッセージ${q('は、パスワード付き PDF として次の宛先に配信されました：')}`, { list: 'recipients' }, 'このパスワードは、電話や SMS など、メール以外の方法で受信者に伝えてください：', { password: true }],
    },
    'encryption-failed': {
      subject: `配信不能：メッセージを安全に送信できませんでした${q('')}`,
      body: [
        `あなたのメッセージ${q('を次の宛先に安全に配信できませんでした：')}`,
        { list: 'recipients' },
        '{{#if waited}}{{waited}}以内に{{/if}}これらの宛先に使える暗号化方式が見つからなかったため、メッセージは送信されていません。暗号化されていない状態で受け取った人はいません。',
        { detail: 'reason', label: '理由：' },
        '対処方法：受信者に S/MIME 証明書または OpenPGP 鍵を依頼するか、別の配信方法について管理者にお問い合わせください。',
      ],
    },
    quarantined: {
      subject: '確認のため保留中{{#if subject}}：{{subject}}{{/if}}',
      body: [
        `{{#if toSender}}あなたのメッセージ${q('は確認のため保留されており、次の宛先にはまだ配信されていません：')}{{else}}{{sender}} からのメッセージ${q('は確認のため保留されており、次の宛先にはまだ配信されていません：')}{{/if}}`,
        { list: 'recipients' },
        { detail: 'reason', label: '理由：' },
        { list: 'rules', heading: '該当したルール：' },
        { detail: 'id', label: '参照番号：' },
        '{{#if toSender}}管理者が確認します。再送信の必要はありません。{{/if}}',
      ],
    },
    blocked: {
      subject: 'ブロックされました{{#if subject}}：{{subject}}{{/if}}',
      body: [`{{#if toSender}}あなたのメッセージ${q('はセキュリティポリシーによりブロックされ、次の宛先に配信されませんでした：')}{{else}}{{sender}} からのメッセージ${q('はセキュリティポリシーによりブロックされ、次の宛先に配信されませんでした：')}{{/if}}`, { list: 'recipients' }, { detail: 'reply', label: '詳細：' }],
    },
    'read-receipt': {
      subject: '開封済み{{#if subject}}：{{subject}}{{/if}}',
      body: [`{{reader}} が暗号化メッセージ${q('を{{#if readAt}} {{readAt}} に{{/if}}開封しました。')}`],
    },
    expired: {
      subject: '未読のまま期限切れ{{#if subject}}：{{subject}}{{/if}}',
      body: [`あなたの暗号化メッセージ${q('は、次の宛先で読まれる前に有効期限が切れました：')}`, { list: 'recipients' }, 'メッセージは削除されました。必要な場合は再送信してください。'],
    },
    'decrypt-failed': {
      subject: '復号できませんでした{{#if subject}}：{{subject}}{{/if}}',
      body: [`あなたの暗号化メッセージ${q('は、受信者側のメールゲートウェイで復号できませんでした。')}`, { detail: 'reason', label: '理由：' }, '受信者の最新の証明書または鍵で暗号化して、再送信してください。'],
    },
    'portal-sent': {
      subject: '安全に送信されました{{#if subject}}：{{subject}}{{/if}}',
      body: [`あなたのメッセージ${q('は、ポータル経由で {{recipient}} に安全に配信されました。')}`, '{{#if expires}}{{expires}} まで閲覧できます。{{/if}}', { link: 'link', label: 'メッセージを取り消す' }, '取り消すと、受信者はこのメッセージを読めなくなります。'],
    },
    'portal-password-reset': {
      subject: '暗号化メールのパスワードの再設定',
      body: ['セキュアメールポータルのアカウントについて、パスワードの再設定が要求されました。', { link: 'link', label: '新しいパスワードを設定する' }, 'お心当たりがない場合は、このメールを無視してください。パスワードは変更されません。'],
    },
    'pdf-message': {
      subject: '{{subject}}',
      body: [
        '{{sender}} さんから機密メッセージが届きました。メッセージ全体と添付ファイルは、暗号化された PDF ({{fileName}}) として添付されています。',
        '{{#if toSender}}パスワードは {{sender}} さんに別途送信されました。このメールへの返信ではなく、電話など別の方法でお問い合わせください。{{/if}}',
        '{{#if bySms}}パスワードは SMS であなたの携帯電話に送信されました{{#if smsEnding}} (末尾 {{smsEnding}} の番号){{/if}}。{{/if}}',
        '{{#if portal}}セキュアメール ポータルで設定した PDF パスワードで開いてください。{{/if}}',
        '{{#if agreed}}{{sender}} さんと取り決めたパスワードで開いてください。{{/if}}',
        'PDF は任意の PDF リーダーで開けます。添付ファイルは添付ファイル パネルにあります。',
      ],
    },
    dsn: {
      subject: '{{#if failed}}配信不能のお知らせ{{else}}配信遅延のお知らせ (再試行中){{/if}}',
      body: [
        'こちらはホスト {{host}} のメールシステムです。',
        '{{#if failed}}申し訳ありませんが、あなたのメッセージを一部またはすべての宛先に配信できませんでした。メッセージのヘッダーを下に添付します。{{/if}}',
        '{{#if failed}}詳しくは、このレポートを添えてメール管理者にお問い合わせください。{{/if}}',
        { list: 'failed' },
        '{{#if delayed}}あなたのメッセージは、下記の宛先にまだ配信されていません。メールシステムが配信を試み続けますので、再送信の必要はありません。{{/if}}',
        { list: 'delayed' },
      ],
    },
  },
};
