/**
 * Reads RecipientInfos (RFC 5652 §6.2) parsed by pkijs into plain slots (one per encrypted copy
 * of the CEK addressed to one key) and matches them against the keys we hold.
 * SECURITY: hostile input; pkijs's loosely typed fields are checked here before use. kekri,
 * pwri and ori recipients are ignored (never ours).
 */
import * as pkijs from 'pkijs';
import type * as asn1js from 'asn1js';
import type { CertificateInfo } from './certificate.js';
import { integerBytes, octetStringValue, oidValue } from './der.js';

/** How a RecipientInfo names its key: IssuerAndSerialNumber or SubjectKeyIdentifier. */
export type RecipientId = { readonly issuer: Buffer; readonly serial: Buffer } | { readonly ski: Buffer };

export type RecipientSlot =
  | {
      readonly kind: 'ktri';
      readonly rid: RecipientId;
      readonly algorithmId: string;
      readonly params: asn1js.AsnType | undefined;
      readonly encryptedKey: Buffer;
    }
  | {
      readonly kind: 'kari';
      readonly rid: RecipientId;
      readonly schemeOid: string;
      readonly wrapOid: string | null;
      readonly originatorPoint: Buffer;
      readonly ukm: Buffer | null;
      readonly encryptedKey: Buffer;
    };

function bytesOf(buffer: ArrayBuffer | undefined): Buffer | null {
  return buffer instanceof ArrayBuffer && buffer.byteLength > 0 ? Buffer.from(buffer) : null;
}

function issuerSerial(value: unknown): RecipientId | null {
  if (!(value instanceof pkijs.IssuerAndSerialNumber)) return null;
  const issuer = bytesOf(value.issuer.valueBeforeDecode);
  const serial = integerBytes(value.serialNumber);
  return issuer && serial ? { issuer, serial } : null;
}

function keyTrans(info: pkijs.KeyTransRecipientInfo): RecipientSlot | null {
  const rid = recipientIdOf(info.rid);
  const encryptedKey = octetStringValue(info.encryptedKey);
  const algorithmId = info.keyEncryptionAlgorithm?.algorithmId;
  if (!rid || !encryptedKey || typeof algorithmId !== 'string') return null;
  return { kind: 'ktri', rid, algorithmId, params: info.keyEncryptionAlgorithm.algorithmParams as asn1js.AsnType | undefined, encryptedKey };
}

function skiOf(value: unknown): RecipientId | null {
  const ski = octetStringValue(value as asn1js.AsnType | undefined);
  return ski && ski.length > 0 ? { ski } : null;
}

function keyAgree(info: pkijs.KeyAgreeRecipientInfo): RecipientSlot[] {
  const originator = info.originator;
  if (!(originator instanceof pkijs.OriginatorIdentifierOrKey) || originator.variant !== 3) return [];
  const publicKey = originator.value instanceof pkijs.OriginatorPublicKey ? originator.value.publicKey : null;
  const view = publicKey?.valueBlock.valueHexView;
  if (!publicKey || !view || publicKey.valueBlock.unusedBits !== 0) return [];
  const originatorPoint = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  const schemeOid = info.keyEncryptionAlgorithm?.algorithmId;
  if (typeof schemeOid !== 'string') return [];
  const wrapParams = info.keyEncryptionAlgorithm.algorithmParams as asn1js.AsnType | undefined;
  const wrapOid = oidValue((wrapParams as unknown as { valueBlock?: { value?: asn1js.AsnType[] } })?.valueBlock?.value?.[0]);
  const ukm = info.ukm ? octetStringValue(info.ukm) : null;
  const slots: RecipientSlot[] = [];
  for (const rek of info.recipientEncryptedKeys?.encryptedKeys ?? []) {
    const id = rek.rid;
    let rid: RecipientId | null = null;
    if (id?.variant === 1) rid = issuerSerial(id.value);
    else if (id?.variant === 2 && id.value instanceof pkijs.RecipientKeyIdentifier) rid = skiOf(id.value.subjectKeyIdentifier);
    const encryptedKey = octetStringValue(rek.encryptedKey);
    if (rid && encryptedKey) slots.push({ kind: 'kari', rid, schemeOid, wrapOid, originatorPoint, ukm, encryptedKey });
  }
  return slots;
}

/** An IssuerAndSerialNumber (pkijs) or a SubjectKeyIdentifier OCTET STRING, as a RecipientId. */
export function recipientIdOf(value: unknown): RecipientId | null {
  return value instanceof pkijs.IssuerAndSerialNumber ? issuerSerial(value) : skiOf(value);
}

/** Every key-transport and key-agreement slot; other recipient kinds are skipped. */
export function readRecipients(infos: readonly pkijs.RecipientInfo[]): RecipientSlot[] {
  const slots: RecipientSlot[] = [];
  for (const info of infos) {
    if (info.variant === 1 && info.value instanceof pkijs.KeyTransRecipientInfo) {
      const slot = keyTrans(info.value);
      if (slot) slots.push(slot);
    } else if (info.variant === 2 && info.value instanceof pkijs.KeyAgreeRecipientInfo) {
      slots.push(...keyAgree(info.value));
    }
  }
  return slots;
}

/** Unsigned serial bytes of a certificate's serialNumber TLV (leading zeros dropped). */
function serialValue(cert: CertificateInfo): Buffer {
  // TLV with a short length: tag, length byte(s), value
  let offset = 2;
  if (cert.serial[1]! & 0x80) offset += cert.serial[1]! & 0x7f;
  let start = offset;
  while (start < cert.serial.length - 1 && cert.serial[start] === 0) start++;
  return cert.serial.subarray(start);
}

export function ridMatches(rid: RecipientId, cert: CertificateInfo): boolean {
  if ('ski' in rid) return cert.subjectKeyIdentifier !== null && rid.ski.equals(cert.subjectKeyIdentifier);
  return rid.issuer.equals(cert.issuer) && rid.serial.equals(serialValue(cert));
}
