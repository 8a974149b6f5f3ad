// A real OIDC provider for the end-to-end tests: the npm package `oidc-provider`, configured from a JSON file.
//
//   node tests/idp/provider.mjs config.json
//
// The file names the port, the signing algorithm of the access tokens (RS256 or PS256), the resource servers
// (RFC 8707 resource indicator -> audience and scopes) and the clients (client credentials, with a secret or
// private_key_jwt). Each client may carry extra claims (`gemeente`, `organisatie`) that the provider adds to
// its access tokens: the tests' stand-in for users of every role, still real JWTs issued by the provider.
// The signing key is generated at start and published in the provider's JWKS; nothing is written to disk.
// Prints "ready <issuer>" on stdout once it listens.

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider, { errors } from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const alg = config.alg ?? 'RS256';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: `sleutel-${randomUUID()}`, alg, use: 'sig' };

const clients = new Map(config.clients.map((client) => [client.client_id, client]));

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    client_id: client.client_id,
    ...(client.client_secret ? { client_secret: client.client_secret } : {}),
    ...(client.jwks ? { jwks: client.jwks } : {}),
    token_endpoint_auth_method: client.token_endpoint_auth_method ?? 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  })),
  jwks: { keys: [signingKey] },
  clientDefaults: { id_token_signed_response_alg: alg },
  cookies: { keys: [randomUUID()] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: false },
    revocation: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => false,
      getResourceServerInfo(ctx, resourceIndicator, client) {
        const resource = config.resources[resourceIndicator];
        if (!resource) {
          throw new errors.InvalidTarget(`onbekende resource ${resourceIndicator}`);
        }
        // A client gets only the scopes it is registered for, and only those the resource server knows.
        const allowed = new Set((clients.get(client.clientId)?.scope ?? '').split(' ').filter(Boolean));
        return {
          audience: resource.audience,
          scope: resource.scope.split(' ').filter((s) => allowed.has(s)).join(' '),
          accessTokenFormat: 'jwt',
          accessTokenTTL: config.ttl ?? 900,
          jwt: { sign: { alg } },
        };
      },
    },
  },
  async extraTokenClaims(ctx, token) {
    return clients.get(token.clientId)?.claims;
  },
});
provider.proxy = false;

provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
