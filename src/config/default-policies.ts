/**
 * The policies that apply when `policies` is absent (DESIGN §4), as data: `init` writes exactly
 * these into a new sealpost.yaml, so what runs and what the administrator reads are the same.
 */
export const DEFAULT_POLICIES_YAML = `policies:
  # Outbound mail from internal senders is encrypted when the subject carries [secure] (any case)
  # or a client add-in set X-Sealpost-Encrypt: yes. The tag and the header are removed before delivery.
  - name: secure-subject-or-header
    direction: outbound
    if:
      any:
        - subject: { contains: "[secure]" }
        - header: { name: X-Sealpost-Encrypt, equals: "yes" }
    then:
      - encrypt: { profile: default, mandatory: true }
      - stripSubject: "[secure]"
      - removeHeader: { name: X-Sealpost-Encrypt }
`;
