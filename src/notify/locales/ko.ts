import type { LocaleCatalog } from '../template/types.js';

const q = (s: string): string => `{{#if subject}} "{{subject}}"{{/if}}${s}`;

export const ko: LocaleCatalog = {
  name: '한국어',
  auto: '이 메일은 {{organisation}}에서 자동으로 발송되었습니다. 회신하셔도 확인되지 않습니다.',
  linkFallback: '버튼이 작동하지 않으면 다음 주소를 브라우저에 복사하세요:',
  types: {
    'portal-message': {
      subject: '{{sender}}님의 보안 메시지{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{sender}}님이 보안 메시지${q('을(를) 보냈습니다.')}`, { link: 'link', label: '메시지 읽기' }, '{{#if expires}}이 메시지는 {{expires}}까지 읽을 수 있습니다.{{/if}}'],
    },
    'portal-reminder': {
      subject: '알림: {{sender}}님의 읽지 않은 보안 메시지{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{sender}}님이 보낸 보안 메시지${q('을(를) 아직 읽지 않으셨습니다.')}`, { link: 'link', label: '메시지 읽기' }, '{{#if expires}}이 메시지는 {{expires}}에 삭제됩니다.{{/if}}'],
    },
    'pdf-password': {
      subject: '암호화된 메시지의 비밀번호{{#if subject}}: {{subject}}{{/if}}',
      body: [`보내신 메시지${q('은(는) 비밀번호로 보호된 PDF로 다음 수신자에게 전달되었습니다:')}`, { list: 'recipients' }, '이 비밀번호는 이메일이 아닌 전화나 문자 메시지 등 다른 방법으로 수신자에게 알려 주세요:', { password: true }],
    },
    'encryption-failed': {
      subject: '전달 실패: 메시지를 안전하게 보내지 못했습니다{{#if subject}} ("{{subject}}"){{/if}}',
      body: [
        `보내신 메시지${q('을(를) 다음 수신자에게 안전하게 전달하지 못했습니다:')}`,
        { list: 'recipients' },
        '{{#if waited}}{{waited}} 안에 {{/if}}이 수신자들에게 사용할 수 있는 암호화 방법을 찾지 못해 메시지를 보내지 않았습니다. 암호화되지 않은 상태로 받은 사람은 없습니다.',
        { detail: 'reason', label: '사유:' },
        '조치 방법: 수신자에게 S/MIME 인증서나 OpenPGP 키를 요청하거나, 다른 전달 방법에 대해 관리자에게 문의하세요.',
      ],
    },
    quarantined: {
      subject: '검토를 위해 보류됨{{#if subject}}: {{subject}}{{/if}}',
      body: [
        `{{#if toSender}}보내신 메시지${q('은(는) 검토를 위해 보류되어 다음 수신자에게 아직 전달되지 않았습니다:')}{{else}}{{sender}}님이 보낸 메시지${q('은(는) 검토를 위해 보류되어 다음 수신자에게 아직 전달되지 않았습니다:')}{{/if}}`,
        { list: 'recipients' },
        { detail: 'reason', label: '사유:' },
        { list: 'rules', heading: '적용된 규칙:' },
        { detail: 'id', label: '참조 번호:' },
        '{{#if toSender}}관리자가 검토할 예정입니다. 다시 보내실 필요는 없습니다.{{/if}}',
      ],
    },
    blocked: {
      subject: '차단됨{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{#if toSender}}보내신 메시지${q('은(는) 보안 정책에 의해 차단되어 다음 수신자에게 전달되지 않았습니다:')}{{else}}{{sender}}님이 보낸 메시지${q('은(는) 보안 정책에 의해 차단되어 다음 수신자에게 전달되지 않았습니다:')}{{/if}}`, { list: 'recipients' }, { detail: 'reply', label: '세부 정보:' }],
    },
    'read-receipt': {
      subject: '읽음{{#if subject}}: {{subject}}{{/if}}',
      body: [`{{reader}}님이{{#if readAt}} {{readAt}}에{{/if}} 보안 메시지${q('을(를) 읽었습니다.')}`],
    },
    expired: {
      subject: '읽지 않은 채 만료됨{{#if subject}}: {{subject}}{{/if}}',
      body: [`보내신 보안 메시지${q('이(가) 다음 수신자가 읽기 전에 만료되었습니다:')}`, { list: 'recipients' }, '메시지는 삭제되었습니다. 여전히 필요하다면 다시 보내 주세요.'],
    },
    'decrypt-failed': {
      subject: '복호화할 수 없음{{#if subject}}: {{subject}}{{/if}}',
      body: [`수신자의 메일 게이트웨이가 암호화된 메시지${q('을(를) 복호화하지 못했습니다.')}`, { detail: 'reason', label: '사유:' }, '수신자의 최신 인증서나 키로 암호화하여 다시 보내 주세요.'],
    },
    'portal-sent': {
      subject: '안전하게 전송됨{{#if subject}}: {{subject}}{{/if}}',
      body: [`보내신 메시지${q('은(는) 포털을 통해 {{recipient}}님에게 안전하게 전달되었습니다.')}`, '{{#if expires}}{{expires}}까지 읽을 수 있습니다.{{/if}}', { link: 'link', label: '메시지 회수' }, '회수하면 수신자는 더 이상 메시지를 읽을 수 없습니다.'],
    },
    'portal-password-reset': {
      subject: '보안 메일 비밀번호 재설정',
      body: ['보안 메일 포털 계정의 비밀번호 재설정이 요청되었습니다.', { link: 'link', label: '새 비밀번호 설정' }, '요청하지 않으셨다면 이 메일을 무시하세요. 비밀번호는 변경되지 않습니다.'],
    },
    'pdf-message': {
      subject: '{{subject}}',
      body: [
        '{{sender}} 님이 기밀 메시지를 보냈습니다. 메시지 전체와 첨부 파일이 암호화된 PDF({{fileName}})로 첨부되어 있습니다.',
        '{{#if toSender}}비밀번호는 {{sender}} 님에게 따로 전송되었습니다. 이 이메일에 회신하지 말고 전화 등 다른 방법으로 요청하세요.{{/if}}',
        '{{#if bySms}}비밀번호가 SMS로 휴대전화에 전송되었습니다{{#if smsEnding}} (끝자리 {{smsEnding}} 번호){{/if}}.{{/if}}',
        '{{#if portal}}보안 메일 포털에서 설정한 PDF 비밀번호로 여세요.{{/if}}',
        '{{#if agreed}}{{sender}} 님과 정한 비밀번호로 여세요.{{/if}}',
        'PDF는 아무 PDF 리더로나 열 수 있으며, 첨부 파일은 첨부 파일 패널에 있습니다.',
      ],
    },
    dsn: {
      subject: '{{#if failed}}배달되지 않은 메일{{else}}지연된 메일 (재시도 중){{/if}}',
      body: [
        '호스트 {{host}}의 메일 시스템입니다.',
        '{{#if failed}}죄송하지만 보내신 메시지를 하나 이상의 수신자에게 전달하지 못했습니다. 메시지의 헤더를 아래에 첨부합니다.{{/if}}',
        '{{#if failed}}도움이 필요하면 이 보고서를 첨부하여 메일 관리자에게 문의하세요.{{/if}}',
        { list: 'failed' },
        '{{#if delayed}}보내신 메시지를 아래 수신자에게 아직 전달하지 못했습니다. 메일 시스템이 계속 시도하므로 다시 보내실 필요는 없습니다.{{/if}}',
        { list: 'delayed' },
      ],
    },
  },
};
