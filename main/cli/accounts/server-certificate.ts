import type { CertificateInfo, ConnectionReport } from '../../../preload/contract/accounts.ts';
import type { CliCore } from '../cli-core.ts';
import { CliError, EXIT, exitCodeFor, type ExitCode } from '../exit-codes.ts';

/** What failed a connection test: the failed step's error and its exit code (69 without one). */
export function testFailure(report: ConnectionReport): { message: string; exitCode: ExitCode } {
  const failed = report.steps.find((s) => s.status === 'failed');
  return {
    message: failed?.error?.message ?? failed?.detail ?? 'the connection test failed',
    exitCode: failed?.error ? exitCodeFor(failed.error.code) : EXIT.unavailable,
  };
}

/** The certificate the server showed, for a person to compare, one fact a line. */
export function certificateLines(certificate: CertificateInfo): string[] {
  return [
    `fingerprint ${certificate.fingerprint256}`,
    `subject     ${certificate.subject}`,
    `issuer      ${certificate.issuer}`,
    `valid       ${certificate.validFrom} to ${certificate.validTo}`,
  ];
}

/**
 * Connects, and returns the certificate the server shows. `flag` names the option in errors. No
 * certificate to compare (refused, unknown host, …): the failed step says why.
 */
export async function seenCertificate(
  core: CliCore,
  accountId: string,
  flag: string,
): Promise<{ report: ConnectionReport; certificate: CertificateInfo }> {
  const report = await core.accounts.test(accountId);
  if (!report.certificate) {
    const { message, exitCode } = testFailure(report);
    throw new CliError(exitCode, `${flag}: ${message}`);
  }
  return { report, certificate: report.certificate };
}

/**
 * After a certificate was pinned: makes sure the whole test passes with it, sign-in included. An
 * untrusted certificate stops the first test (`report`) before AUTH, since the password is never
 * sent to an unverified server, so a refused password shows only once the certificate is pinned.
 */
export async function assertSignsIn(
  core: CliCore,
  accountId: string,
  report: ConnectionReport,
  flag: string,
): Promise<void> {
  const final = report.ok ? report : await core.accounts.test(accountId);
  if (!final.ok) {
    const { message, exitCode } = testFailure(final);
    throw new CliError(exitCode, `${flag}: ${message}`);
  }
}
