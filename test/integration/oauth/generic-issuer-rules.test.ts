import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationServers } from '../../../main/oauth/authorization-server.ts';

/** A real issuer on loopback whose metadata names the endpoints a test gives it. */
let server: http.Server;
let issuer: string;
let endpoints: { authorization_endpoint: string; token_endpoint: string };

beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (request.url !== '/.well-known/openid-configuration') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ issuer, response_types_supported: ['code'], ...endpoints }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("a generic issuer's metadata", () => {
  it('is used when its endpoints are its own', async () => {
    endpoints = { authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token` };
    const found = await new AuthorizationServers().forAccount({ provider: 'generic', issuer }, 'Own');
    expect(found.as.token_endpoint).toBe(`${issuer}/token`);
  });

  it("may not send the sign-in to Microsoft's, whose tokens would then go to the account's host", async () => {
    endpoints = {
      authorization_endpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
      token_endpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    };
    await expect(
      new AuthorizationServers().forAccount({ provider: 'generic', issuer }, 'Own'),
    ).rejects.toMatchObject({ code: 'oauth_host_mismatch', field: 'oauth.issuer' });
  });

  it('on loopback may not name a plain-http endpoint elsewhere (the refresh token would cross in clear)', async () => {
    endpoints = { authorization_endpoint: `${issuer}/auth`, token_endpoint: 'http://192.0.2.7/token' };
    await expect(
      new AuthorizationServers().forAccount({ provider: 'generic', issuer }, 'Own'),
    ).rejects.toMatchObject({ code: 'oauth_not_configured', field: 'oauth.issuer' });
  });
});
