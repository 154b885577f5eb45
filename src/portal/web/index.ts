/**
 * portal/web entry: starts the recipients' portal on its own HTTPS listener.
 * See server.ts for the security model and ports.ts for what it needs from the rest of Sealpost.
 */
import { SealpostError } from '../../errors/index.js';
import { createSelfSignedIdentity } from '../../receive/self-signed.js';
import { buildPortalApp } from './server.js';
import type { PortalWebOptions, PortalWebPorts } from './ports.js';

export type { PortalWebOptions, PortalWebPorts, PortalReply, OutgoingAttachment } from './ports.js';

export interface RunningPortal {
  /** the origin the portal answers on (baseUrl; with the bound port when listen asked for port 0) */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface PortalDeps {
  readonly ports: PortalWebPorts;
  readonly options: PortalWebOptions;
}

function splitListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(':');
  return { host: listen.slice(0, at).replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(listen.slice(at + 1)) };
}

export async function startPortal(deps: PortalDeps): Promise<RunningPortal> {
  const { options } = deps;
  const base = new URL(options.baseUrl);
  if (base.protocol !== 'https:') throw new SealpostError('SP_ERR_CONFIG_INVALID', `portal.baseUrl must be https (passkeys and Secure cookies need it): ${options.baseUrl}`, { path: 'portal.baseUrl' });
  // the app serves from the root of its origin; a path prefix would break every link and cookie path
  if (base.pathname !== '/' || base.search || base.hash) throw new SealpostError('SP_ERR_CONFIG_INVALID', `portal.baseUrl must be an origin without a path (the portal serves /m/…, /login … at its root): ${options.baseUrl}`, { path: 'portal.baseUrl' });
  const { host, port } = splitListen(options.listen);
  const tls = options.tls ?? (await createSelfSignedIdentity(base.hostname));
  // With port 0 (tests) the origin is known only after binding; WebAuthn and links need the real one.
  let origin = base.origin;
  const { app } = await buildPortalApp(deps.ports, { ...options, baseUrl: origin }, tls, port === 0 ? 'https://pending.invalid' : origin);
  if (port === 0) {
    // bind first, then rebuild with the final origin (cheap: no state yet)
    await app.listen({ host, port: 0 });
    const bound = (app.server.address() as { port: number }).port;
    await app.close();
    const final = new URL(origin);
    final.port = String(bound);
    origin = final.origin;
    const rebuilt = await buildPortalApp(deps.ports, { ...options, baseUrl: origin }, tls, origin);
    await rebuilt.app.listen({ host, port: bound });
    options.logger.info({ event: 'portal.started', url: origin }, 'portal listening');
    return { url: origin, port: bound, stop: () => rebuilt.app.close() };
  }
  await app.listen({ host, port });
  options.logger.info({ event: 'portal.started', url: origin, listen: options.listen }, 'portal listening');
  return { url: origin, port, stop: () => app.close() };
}
