/**
 * Adapts the PKI to what inbound unwrapping needs: every hosted key that may decrypt mail for
 * these recipients (their own certificates with keys, and the domain certificates of their
 * domain — expired ones included: old mail must stay readable), and a signer verdict.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import type { Pki } from '../pki/index.js';
import { domainConfigFor } from '../pki/select.js';
import type { UnwrapDeps } from './smime-unwrap.js';

export function pkiUnwrapDeps(pki: Pick<Pki, 'stores' | 'keys' | 'validator' | 'importer' | 'settings'>): UnwrapDeps {
  return {
    async decryptionKeys(addresses) {
      const out = new Map<string, { certificate: Buffer; privateKey: KeyObject }>();
      if (!pki.keys) return [];
      const add = async (id: string, der: Buffer) => {
        if (out.has(id)) return;
        const privateKey = await pki.keys!.get(id);
        if (privateKey) out.set(id, { certificate: der, privateKey });
      };
      for (const address of addresses) {
        for (const c of await pki.stores.certificates.byEmail(address)) if (c.hasPrivateKey) await add(c.id, c.der);
        const domain = domainConfigFor(pki.settings.domains, address.slice(address.lastIndexOf('@') + 1));
        for (const id of domain?.encryptTo ?? []) {
          const c = await pki.stores.certificates.get(id);
          if (c?.hasPrivateKey) await add(c.id, c.der);
        }
      }
      return [...out.values()];
    },
    async validateSigner(der, intermediates, now) {
      const result = await pki.validator.validate(der, { now, purpose: 'sign', revocation: pki.settings.revocation, intermediates });
      const email = /email:([^,\s]+)/i.exec(new X509Certificate(der).subjectAltName ?? '')?.[1] ?? null;
      return { status: result.status, ...(result.reason ? { reason: result.reason } : {}), email };
    },
    learn: (certificates) => pki.importer.learn(certificates),
  };
}
