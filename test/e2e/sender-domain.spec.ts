import { afterAll, expect, test } from 'vitest';
import { startTestCore } from '../support/core-fixture.ts';
import { startDnsTestServer } from '../support/dns-test-server.ts';
import { closeBrowser, openRenderer } from '../support/renderer-harness.ts';
import { createPlainAccount, navigate } from '../support/renderer-steps.ts';

afterAll(closeBrowser);

test('the sender domain check shows what DNS publishes for SPF and DKIM, in words', async () => {
  const dns = await startDnsTestServer();
  dns.txt.set('example.org', ['v=spf1 ip4:127.0.0.1 -all']);
  const core = await startTestCore({ dnsServers: [dns.server] });
  await createPlainAccount(core, 25);
  const app = await openRenderer({ core });
  try {
    const { page } = app;
    await navigate(page, 'Accounts');
    await page.getByRole('button', { name: 'Check sender domain' }).click();
    const report = page.getByRole('region', { name: 'Sender domain' });
    await report.getByText('v=spf1 ip4:127.0.0.1 -all').waitFor();
    const facts = await report.locator('dd').allTextContents();
    expect(facts[0]).toBe('example.org');
    expect(facts[1]).toMatch(/^Passes /);
    expect(facts[2]).toMatch(/^Missing DKIM signing is not set up for this account\./);
  } finally {
    await app.close();
    await core.close();
    await dns.close();
  }
});
