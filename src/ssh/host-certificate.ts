import type { Certificate } from './certificate.js';
import { certificateTime } from './certificate.js';

/** The check a host certificate signed by a trusted CA failed, with its HOSTKEY_* code. */
export interface HostCertificateFailure {
  code: 'HOSTKEY_CERT_INVALID' | 'HOSTKEY_CERT_EXPIRED' | 'HOSTKEY_CERT_NOT_YET_VALID' | 'HOSTKEY_CERT_PRINCIPAL';
  /** What failed, as a phrase: "expired at 2026-12-01T14:00:00Z". */
  reason: string;
}

/**
 * The checks OpenSSH's sshkey_cert_check_authority() and check_host_cert() make
 * of a host certificate, in their order: a host (not user) certificate, a valid
 * CA signature, inside its validity window, `principal` (the name dialled, or
 * HostKeyAlias) among its principals (an empty list is refused for hosts), and
 * no critical options (none is defined for hosts). Undefined when all pass.
 */
export function checkHostCertificate(certificate: Certificate, principal: string, nowSeconds: bigint): HostCertificateFailure | undefined {
  if (certificate.role !== 'host') return { code: 'HOSTKEY_CERT_INVALID', reason: 'is a user certificate, not a host certificate' };
  if (!certificate.signatureValid) {
    return { code: 'HOSTKEY_CERT_INVALID', reason: `has no valid CA signature (${certificate.signatureAlgorithm}; ssh-rsa SHA-1 signatures are refused as OpenSSH refuses them)` };
  }
  if (nowSeconds < certificate.validAfter) {
    return { code: 'HOSTKEY_CERT_NOT_YET_VALID', reason: `is not yet valid: valid from ${certificateTime(certificate.validAfter)}` };
  }
  if (nowSeconds >= certificate.validBefore) {
    return { code: 'HOSTKEY_CERT_EXPIRED', reason: `expired at ${certificateTime(certificate.validBefore)}` };
  }
  if (certificate.principals.length === 0) return { code: 'HOSTKEY_CERT_PRINCIPAL', reason: 'lists no principals' };
  if (!certificate.principals.includes(principal)) {
    return { code: 'HOSTKEY_CERT_PRINCIPAL', reason: `is not for "${principal}": its principals are ${certificate.principals.map((name) => `"${name}"`).join(', ')}` };
  }
  if (certificate.criticalOptions.size > 0) {
    return { code: 'HOSTKEY_CERT_INVALID', reason: `has critical options, which host certificates may not have: ${[...certificate.criticalOptions.keys()].join(', ')}` };
  }
  return undefined;
}
