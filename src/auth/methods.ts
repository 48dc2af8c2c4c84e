/** Builds the identity methods `AUTH` names, in its order. */
import type { IdentityConfig } from '../config.js';
import { Identifier, type IdentityDeps, type IdentityMethod } from './identity.js';
import { JwtMethod } from './jwt.js';
import { LocalMethod } from './local.js';
import { ProxyMethod } from './proxy.js';

/** The Identifier of a configuration. */
export function buildIdentifier(config: IdentityConfig, deps: IdentityDeps): Identifier {
  return new Identifier(
    config.methods.map((name): IdentityMethod => {
      switch (name) {
        case 'local':
          return new LocalMethod(deps.store.sessions);
        case 'jwt':
          return new JwtMethod(config.jwt!, deps);
        case 'proxy':
          return new ProxyMethod(config.proxy!, deps);
      }
    }),
  );
}
